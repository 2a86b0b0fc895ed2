import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheInvalidation } from '../../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../../common/clock/clock.js';
import { OutboxService } from '../../../common/events/outbox.service.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { SecurityEvents } from '../../auth/security-events.js';
import type { DeviceInfo } from '../../auth/sessions.service.js';
import { SessionsService } from '../../auth/sessions.service.js';
import { OAuthHandoff } from '../../auth/sign-in/oauth-handoff.service.js';
import { TenantsRepository } from '../../tenants/tenants.repository.js';
import type { SchoolDirectorySetting } from '../../tenants/tenant-settings.js';
import { MembershipsRepository } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository } from '../../users/users.repository.js';
import { IdentitiesRepository } from '../identities.repository.js';
import type { ProviderDefinition, ProviderProfile } from '../providers/provider-definition.js';
import type { OAuthFlow } from './provider-oauth.js';
import { userCreatedEvent } from '../../users/user-events.js';

const MAX_SUBJECT_LENGTH = 255;

/** What a provider vouched for, and which school (if any) claims the person's domain. */
interface Vouched {
  provider: ProviderDefinition;
  profile: ProviderProfile;
  /** The email may link to an existing account, and makes a verified one. */
  emailVerified: boolean;
  domainTenant: string | null;
}

/**
 * What a provider said about a person, turned into one of our users (found, linked or
 * created), by the same rules for every provider; only "is the email verified" differs (see
 * the definition's `emailRule`).
 */
@Injectable()
export class ProviderSignIn {
  private readonly logger = new Logger(ProviderSignIn.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly identities: IdentitiesRepository,
    private readonly tenants: TenantsRepository,
    private readonly handoff: OAuthHandoff,
    private readonly sessions: SessionsService,
    private readonly invalidation: CacheInvalidation,
    private readonly outbox: OutboxService,
    private readonly security: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  /** Signs the person in; returns the single-use code the web app swaps for tokens. */
  async signIn(
    provider: ProviderDefinition,
    profile: ProviderProfile,
    device: DeviceInfo,
  ): Promise<string> {
    assertUsableSubject(profile);
    const vouched = await this.vouched(provider, profile);
    let user: User;
    try {
      user = await this.resolveUser(vouched, device);
    } catch (error) {
      // Two callbacks for the same new person at once: the second finds what the first made.
      if (!isRaceLoss(error)) {
        throw error;
      }
      user = await this.resolveUser(vouched, device);
    }
    return this.handoff.issueSignInCode(user, provider.id, vouched.domainTenant, device);
  }

  /** Links the provider account to the signed-in user who started the flow. */
  async link(
    provider: ProviderDefinition,
    profile: ProviderProfile,
    link: NonNullable<OAuthFlow['link']>,
    device: DeviceInfo,
  ): Promise<void> {
    assertUsableSubject(profile);
    const live = await this.sessions.listLive(link.userId);
    if (!live.some((session) => session.id === link.sessionId)) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const now = this.clock.now();
    const existing = await this.identities.findBySubject(provider.id, profile.subject);
    if (existing?.userId === link.userId) {
      await this.identities.touch(existing.id, now);
      return;
    }
    if (existing) {
      throw new AppException('AUTH_IDENTITY_IN_USE');
    }
    await this.dataSource.transaction(async (manager) => {
      await this.identities.link(
        manager,
        {
          userId: link.userId,
          provider: provider.id,
          subject: profile.subject,
          email: profile.email,
        },
        now,
      );
      // Signing in with a provider is the owner's: no school manages the account since.
      await this.users.markSelfManaged(manager, link.userId);
      await this.security.record(
        'auth.identity_linked',
        { userId: link.userId },
        device,
        'success',
        { provider: provider.id, method: 'signed_in' },
        manager,
      );
    });
  }

  private async resolveUser(vouched: Vouched, device: DeviceInfo): Promise<User> {
    const { provider, profile, domainTenant } = vouched;
    const linked = await this.identities.findBySubject(provider.id, profile.subject);
    if (linked) {
      const user = await this.users.findById(linked.userId);
      if (user) {
        await this.identities.touch(linked.id, this.clock.now());
        await this.joinDomainTenant(user.id, domainTenant);
        return user;
      }
    }
    if (!profile.email) {
      throw new AppException('AUTH_OAUTH_EMAIL_MISSING');
    }
    const existing = await this.users.findByEmail(profile.email);
    if (existing) {
      if (!vouched.emailVerified) {
        throw new AppException(
          'AUTH_OAUTH_EMAIL_NOT_VERIFIED',
          `An account with this email already exists and ${provider.displayName} has not verified the address: sign in with your password, then link ${provider.displayName} from your profile`,
        );
      }
      return this.linkExisting(existing, vouched, device);
    }
    if (!vouched.emailVerified && provider.emailRule !== 'never') {
      // A new account would vouch for an address nobody has proved to own.
      throw new AppException(
        'AUTH_OAUTH_EMAIL_MISSING',
        `${provider.displayName} did not share a verified email address, so no account can be created`,
      );
    }
    // A provider that never verifies (Naver) makes an account whose address is not verified.
    return this.create(vouched, profile.email);
  }

  private async linkExisting(user: User, vouched: Vouched, device: DeviceInfo): Promise<User> {
    const { provider, profile, domainTenant } = vouched;
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await this.users.lockById(manager, user.id);
      await this.identities.link(
        manager,
        { userId: user.id, provider: provider.id, subject: profile.subject, email: profile.email },
        now,
      );
      await this.users.markSelfManaged(manager, user.id);
      if (!user.emailVerifiedAt) {
        // Whoever registered the address before it was verified may not be its owner: their
        // password must not come with the account the provider now proves is this person's.
        await this.users.clearPassword(manager, user.id);
        await this.users.markEmailVerified(manager, user.id, now);
      }
      if (domainTenant) {
        await this.memberships.insertIfAbsent(manager, user.id, domainTenant, 'student');
      }
      await this.security.record(
        'auth.identity_linked',
        { userId: user.id },
        device,
        'success',
        { provider: provider.id, method: 'verified_email' },
        manager,
      );
      this.invalidation.changed(manager, 'user', [user.id]);
    });
    this.logger.log(
      { user_id: user.id, provider: provider.id },
      'linked a provider account by verified email',
    );
    return (await this.users.findById(user.id)) ?? user;
  }

  private async create(vouched: Vouched, email: string): Promise<User> {
    const { provider, profile, domainTenant } = vouched;
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.insert(manager, {
        email,
        passwordHash: null,
        fullName: profile.name?.trim() || email.split('@')[0] || email,
        emailVerifiedAt: vouched.emailVerified ? now : null,
      });
      await this.identities.link(
        manager,
        { userId: user.id, provider: provider.id, subject: profile.subject, email },
        now,
      );
      if (domainTenant) {
        await this.memberships.insertIfAbsent(manager, user.id, domainTenant, 'student');
      }
      await this.outbox.add(
        manager,
        userCreatedEvent(user, { role: 'student', provider: provider.id, tenantId: domainTenant }),
      );
      return user;
    });
  }

  private async joinDomainTenant(userId: string, domainTenant: string | null): Promise<void> {
    if (domainTenant) {
      await this.dataSource.transaction(async (manager) => {
        if (await this.memberships.insertIfAbsent(manager, userId, domainTenant, 'student')) {
          this.invalidation.changed(manager, 'user', [userId]);
        }
      });
    }
  }

  /**
   * Whether the email counts as verified, and the school that claims the person's domain
   * (when exactly one does): Google's `hd` when Google verified the address; for Microsoft the
   * email's own domain, which also makes the address verified when a school lists it (and
   * the account's Microsoft tenant).
   */
  private async vouched(provider: ProviderDefinition, profile: ProviderProfile): Promise<Vouched> {
    const vouched: Vouched = { provider, profile, emailVerified: false, domainTenant: null };
    if (provider.emailRule === 'provider') {
      vouched.emailVerified = profile.email_verified;
    }
    const domain = profile.domain?.toLowerCase();
    if (!provider.schoolDomains || !domain) {
      return vouched;
    }
    if (provider.emailRule === 'provider' && !profile.email_verified) {
      return vouched;
    }
    if (provider.emailRule === 'school-domain' && profile.email?.split('@')[1] !== domain) {
      return vouched;
    }
    let directory: { setting: SchoolDirectorySetting; id: string } | undefined;
    if (provider.schoolDirectories) {
      if (!profile.directory) {
        return vouched;
      }
      directory = { setting: provider.schoolDirectories, id: profile.directory };
    }
    const tenants = await this.tenants.findActiveByDomain(
      provider.schoolDomains,
      domain,
      directory,
    );
    if (tenants.length > 1) {
      this.logger.warn(
        { domain, tenants, provider: provider.id },
        'several tenants claim this domain; joining none',
      );
    }
    vouched.domainTenant = tenants.length === 1 ? (tenants[0] ?? null) : null;
    if (provider.emailRule === 'school-domain') {
      vouched.emailVerified = vouched.domainTenant !== null;
    }
    return vouched;
  }
}

function assertUsableSubject(profile: ProviderProfile): void {
  if (!profile.subject || profile.subject.length > MAX_SUBJECT_LENGTH) {
    throw new AppException('AUTH_OAUTH_PROVIDER_ERROR');
  }
}

function isRaceLoss(error: unknown): boolean {
  return (
    error instanceof AppException &&
    (error.code === 'AUTH_IDENTITY_IN_USE' || error.code === 'USER_EMAIL_ALREADY_EXISTS')
  );
}
