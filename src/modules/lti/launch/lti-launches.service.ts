import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { AuditService } from '../../../common/audit/audit.service.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { OAuthHandoff } from '../../auth/sign-in/oauth-handoff.service.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { frontendUrlFor } from '../../identities/frontend-redirect.js';
import { SeatAssignments } from '../../licenses/seat-assignments.service.js';
import { TenantFeatures } from '../../tenants/tenant-features.service.js';
import { TenantsRepository } from '../../tenants/tenants.repository.js';
import { refuse, verifyIdToken, type IdTokenClaims } from './id-token-validator.js';
import { DeepLinking } from '../deep-linking/deep-linking.service.js';
import { CLAIM, DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST } from './lti-claims.js';
import { readLaunchMessage, type LaunchMessage } from './launch-message.js';
import {
  LtiLaunchRepository,
  type LaunchPlatform,
  type LoginStateRow,
} from './lti-launch.repository.js';
import { LtiLogin, param, sha256, stateCookieName, storageKey } from './lti-login.service.js';
import { readStatePage } from './lti-pages.js';
import { LtiProvisioning, type ProvisionedLaunch } from './lti-provisioning.service.js';
import { PlatformKeySets } from './platform-key-sets.service.js';
import { LtiRoster } from '../roster/lti-roster.service.js';

/** The message types this tool answers. */
export const SUPPORTED_MESSAGES = [RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST];

const LINK_CODE_TTL_MS = 10 * 60 * 1000;

export type LaunchAnswer =
  { kind: 'redirect'; location: string; clearCookie: string } | { kind: 'page'; html: string };

interface Attempt {
  platform?: LaunchPlatform;
  claimed?: Record<string, unknown>;
}

/**
 * The launch (LTI 1.3 Core §5.1.2): the 1EdTech checks in order, each refusal with its own
 * code, then the person, school, class and seat, then the web app with a one-time code.
 */
@Injectable()
export class LtiLaunches {
  private readonly logger = new Logger(LtiLaunches.name);
  private readonly frontendUrl: string;

  constructor(
    private readonly launches: LtiLaunchRepository,
    private readonly login: LtiLogin,
    private readonly keySets: PlatformKeySets,
    private readonly provisioning: LtiProvisioning,
    private readonly tenants: TenantsRepository,
    private readonly features: TenantFeatures,
    private readonly seats: SeatAssignments,
    private readonly handoff: OAuthHandoff,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly roster: LtiRoster,
    private readonly deepLinking: DeepLinking,
    config: AppConfigService,
  ) {
    this.frontendUrl = config.get('FRONTEND_URL');
  }

  async finish(
    form: Record<string, unknown>,
    cookies: Record<string, string>,
    device: DeviceInfo,
  ): Promise<LaunchAnswer> {
    const attempt: Attempt = {};
    try {
      return await this.run(form, cookies, device, attempt);
    } catch (error) {
      if (error instanceof AppException) {
        await this.recordRefusal(error, attempt, device);
      }
      throw error;
    }
  }

  /** A refusal at login initiation, kept like a launch's when the registration is known. */
  async recordLoginRefusal(
    error: AppException,
    params: Record<string, unknown>,
    device: DeviceInfo,
  ) {
    const issuer = param(params, 'iss');
    const platforms = issuer
      ? await this.launches.platformsOf(issuer, param(params, 'client_id'))
      : [];
    await this.recordRefusal(
      error,
      { platform: platforms.length === 1 ? platforms[0] : undefined },
      device,
    );
  }

  private async run(
    form: Record<string, unknown>,
    cookies: Record<string, string>,
    device: DeviceInfo,
    attempt: Attempt,
  ): Promise<LaunchAnswer> {
    const state = param(form, 'state');
    if (!state) {
      throw refuse('LTI_STATE_MISSING');
    }
    const idToken =
      typeof form.id_token === 'string' && form.id_token.length <= 64 * 1024
        ? form.id_token
        : undefined;
    if (!idToken) {
      throw refuse('LTI_ID_TOKEN_MISSING');
    }
    attempt.claimed = claimedPayload(idToken);
    const stateHash = sha256(state);
    const binding = cookies[stateCookieName(stateHash)] ?? param(form, 'lti_storage_binding');
    const now = this.clock.now();
    if (!binding) {
      const page = await this.platformStoragePage(stateHash, state, idToken, now);
      if (page) {
        return page;
      }
    }
    const loginState = await this.useState(stateHash, binding, now, attempt);
    const platform = attempt.platform!;
    const claims = await verifyIdToken(idToken, this.keySets.lookupFor(platform), {
      issuer: platform.issuer,
      clientId: platform.clientId,
      now,
    });
    await this.checkNonce(platform, claims, loginState);
    await this.checkDeployment(platform, claims, loginState, now);
    const message = readLaunchMessage(claims, SUPPORTED_MESSAGES);
    if (message.targetLinkUri && !this.login.isOwnUrl(message.targetLinkUri)) {
      throw refuse('LTI_TARGET_LINK_NOT_ALLOWED');
    }
    const tenant = await this.tenants.findById(platform.tenantId);
    if (tenant?.status !== 'active') {
      throw refuse('LTI_TENANT_INACTIVE');
    }
    const launched = await this.provisioning.provision(platform, claims, message, now);
    if (launched.rosterWanted && message.context) {
      await this.roster.afterLaunch(platform.id, message.context.id);
    }
    this.audit.record({
      actorType: launched.user ? 'user' : 'anonymous',
      actorId: launched.user?.id ?? null,
      tenantId: platform.tenantId,
      action: 'lti.launch',
      resourceType: 'lti_launch',
      resourceId: launched.launchId,
      outcome: 'success',
      statusCode: 302,
      ip: device.ip,
      userAgent: device.userAgent,
      metadata: {
        platform_id: platform.id,
        deployment_id: message.deploymentId,
        message_type: message.messageType,
        role: launched.role.tenantRole,
      },
    });
    return {
      kind: 'redirect',
      location: await this.landing(platform, claims, message, launched, device, now),
      clearCookie: `${stateCookieName(stateHash)}=; Path=/lti; Max-Age=0; HttpOnly; Secure; SameSite=None; Partitioned`,
    };
  }

  /** No cookie came back: if the login used platform storage, read the binding from there. */
  private async platformStoragePage(
    stateHash: string,
    state: string,
    idToken: string,
    now: Date,
  ): Promise<LaunchAnswer | undefined> {
    const row = await this.launches.loginState(stateHash);
    const target = row?.login_params.lti_storage_target;
    if (!row || !target || row.used_at || row.expires_at <= now) {
      return undefined;
    }
    const platform = await this.launches.platform(row.platform_id);
    if (!platform) {
      return undefined;
    }
    return {
      kind: 'page',
      html: readStatePage({
        platformOrigin: new URL(platform.authLoginUrl).origin,
        target,
        key: storageKey(state),
        action: this.login.launchUrl,
        idToken,
        state,
        newWindowUrl: this.login.newWindowUrl(row.login_params),
      }),
    };
  }

  private async useState(
    stateHash: string,
    binding: string | undefined,
    now: Date,
    attempt: Attempt,
  ): Promise<LoginStateRow> {
    const result = await this.launches.useLoginState(stateHash, sha256(binding ?? ''), now);
    const row = 'used' in result ? result.used : result.refused;
    if (row) {
      attempt.platform = await this.launches.platform(row.platform_id);
    }
    if ('used' in result) {
      if (attempt.platform?.status !== 'active') {
        throw refuse('LTI_PLATFORM_NOT_ACTIVE');
      }
      return result.used;
    }
    if (!row) {
      throw refuse('LTI_STATE_UNKNOWN');
    }
    if (row.expires_at <= now) {
      throw refuse('LTI_STATE_EXPIRED');
    }
    if (row.used_at) {
      throw refuse('LTI_STATE_USED');
    }
    throw refuse('LTI_STATE_OTHER_BROWSER', {
      new_window_url: this.login.newWindowUrl(row.login_params) ?? null,
    });
  }

  private async checkNonce(
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    loginState: LoginStateRow,
  ): Promise<void> {
    if (typeof claims.nonce !== 'string' || claims.nonce.length > 255) {
      throw refuse('LTI_NONCE_MISMATCH');
    }
    if (await this.launches.nonceSeen(platform.id, claims.nonce)) {
      throw refuse('LTI_NONCE_REPLAYED');
    }
    if (claims.nonce !== loginState.nonce) {
      throw refuse('LTI_NONCE_MISMATCH');
    }
  }

  private async checkDeployment(
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    loginState: LoginStateRow,
    now: Date,
  ): Promise<void> {
    const deploymentId = claims[CLAIM.deploymentId];
    if (
      typeof deploymentId !== 'string' ||
      deploymentId.length === 0 ||
      deploymentId.length > 255
    ) {
      throw refuse('LTI_DEPLOYMENT_MISSING');
    }
    if (loginState.deployment_id !== null && loginState.deployment_id !== deploymentId) {
      throw refuse('LTI_DEPLOYMENT_MISMATCH');
    }
    const status = await this.launches.deploymentStatus(platform.id, deploymentId);
    if (status === 'approved') {
      return;
    }
    if (status === 'refused') {
      throw refuse('LTI_DEPLOYMENT_REFUSED');
    }
    if (status === undefined) {
      await this.launches.recordPendingDeployment(platform.id, deploymentId, now);
    }
    throw refuse('LTI_DEPLOYMENT_PENDING', { deployment_id: deploymentId });
  }

  private async landing(
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    message: LaunchMessage,
    launched: ProvisionedLaunch,
    device: DeviceInfo,
    now: Date,
  ): Promise<string> {
    if (!launched.user) {
      return frontendUrlFor(this.frontendUrl, '/lti/launch', {
        guest: '1',
        launch_id: launched.launchId,
      });
    }
    if (launched.role.tenantRole === 'student') {
      await this.claimSeat(launched.user.id, platform.tenantId);
    }
    const linkCode = await this.linkCodeFor(launched, platform, message);
    const code = await this.handoff.issueSignInCode(
      launched.user,
      'lti',
      platform.tenantId,
      device,
      {
        link_code: linkCode,
        launch_id: launched.launchId,
        class_id: launched.classId,
        context_id: message.context?.id ?? null,
        resource_link_id: message.resourceLinkId,
        message_type: message.messageType,
        role: launched.role.tenantRole,
        roles: message.roles,
        launch_presentation: objectOrNull(claims[CLAIM.launchPresentation]),
        custom: objectOrNull(claims[CLAIM.custom]),
        deep_linking: message.deepLinking
          ? this.deepLinking.contextOf(launched.launchId, message.deepLinking, now)
          : null,
        content:
          message.messageType === RESOURCE_LINK_REQUEST
            ? await this.deepLinking.contentOf(
                platform,
                claims[CLAIM.custom],
                message.resourceLinkId,
              )
            : null,
      },
    );
    return frontendUrlFor(this.frontendUrl, '/lti/launch', { code });
  }

  /**
   * An account only the LMS signs in to gets a code (10 min) its person may use, signed in to
   * the account they already have, to move the LMS identity there (POST /api/v1/lti/identities/link).
   */
  private async linkCodeFor(
    launched: ProvisionedLaunch,
    platform: LaunchPlatform,
    message: LaunchMessage,
  ): Promise<string | null> {
    if (!launched.user || !message.subject || launched.user.email || launched.user.passwordHash) {
      return null;
    }
    const code = randomBytes(32).toString('base64url');
    await this.launches.setLinkCode(
      platform.issuer,
      message.subject,
      sha256(code),
      new Date(this.clock.now().getTime() + LINK_CODE_TTL_MS),
    );
    return code;
  }

  private async claimSeat(userId: string, tenantId: string): Promise<void> {
    try {
      if ((await this.features.configOf(tenantId))?.auto_assign_seats) {
        await this.seats.claim(userId, tenantId, 'lti');
      }
    } catch (error) {
      this.logger.warn({ err: error, tenant_id: tenantId }, 'no seat claimed at an LTI launch');
    }
  }

  private async recordRefusal(
    error: AppException,
    attempt: Attempt,
    device: DeviceInfo,
  ): Promise<void> {
    const claimed = attempt.claimed ?? {};
    const context = claimed[CLAIM.context] as { id?: unknown } | undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 255) : null);
    this.logger.warn(
      { error_code: error.code, platform_id: attempt.platform?.id ?? null },
      'LTI launch refused',
    );
    this.audit.record({
      actorType: 'anonymous',
      tenantId: attempt.platform?.tenantId ?? null,
      action: 'lti.launch',
      resourceType: 'lti_platform',
      resourceId: attempt.platform?.id ?? null,
      outcome: 'failure',
      statusCode: error.status,
      ip: device.ip,
      userAgent: device.userAgent,
      metadata: { error_code: error.code },
    });
    try {
      await this.launches.insertFailure({
        platformId: attempt.platform?.id ?? null,
        tenantId: attempt.platform?.tenantId ?? null,
        errorCode: error.code,
        issuer: text(claimed.iss),
        deploymentId: text(claimed[CLAIM.deploymentId]),
        subject: text(claimed.sub),
        contextId: text(context?.id),
        at: this.clock.now(),
      });
    } catch (failure) {
      this.logger.error({ err: failure }, 'could not record a refused LTI launch');
    }
  }
}

/** What the token says before it is verified: for the refusal's record only, never trusted. */
function claimedPayload(idToken: string): Record<string, unknown> {
  try {
    return decodeJwt(idToken);
  } catch {
    return {};
  }
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
