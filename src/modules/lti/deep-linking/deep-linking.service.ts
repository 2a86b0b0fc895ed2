import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SignJWT } from 'jose';
import type { DataSource } from 'typeorm';
import { noteAuditTarget } from '../../../common/audit/audit-target.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { LtiToolKeys } from '../keys/lti-tool-keys.service.js';
import { CLAIM } from '../launch/lti-claims.js';
import { LtiLaunchRepository, type LaunchPlatform } from '../launch/lti-launch.repository.js';
import { LtiLogin } from '../launch/lti-login.service.js';
import { deepLinkReturnPage } from '../launch/lti-pages.js';
import { readDeepLinkingSettings, type DeepLinkingSettings } from './deep-linking-settings.js';
import {
  DeepLinkingRepository,
  type DeepLinkingLaunchRow,
  type NewDeepLinkedItem,
} from './deep-linking.repository.js';
import type {
  DeepLinkContentItemDto,
  DeepLinkingResponseDto,
} from './dto/deep-linking-response.dto.js';

/** How long after its launch a deep-linking request may be answered. */
export const DEEP_LINKING_ANSWER_MS = 60 * 60 * 1000;
const RESPONSE_JWT_SECONDS = 300;
const ITEM_ID_PARAM = 'dreamseed_item_id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LTI_DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

/** What the web app learns of a deep-linking launch (never `data`: that stays here). */
export interface DeepLinkingContext {
  accept_types: string[];
  accept_multiple: boolean;
  accept_presentation_document_targets: string[];
  accept_lineitem: boolean | null;
  auto_create: boolean | null;
  title: string | null;
  text: string | null;
  expires_at: string;
  response_url: string;
}

/** The DreamSeed content a resource-link launch opens, when it came from deep linking. */
export interface LaunchContent {
  item_id: string;
  title: string | null;
  url: string | null;
  custom: Record<string, string>;
}

export interface DeepLinkingAnswer {
  returnUrl: string;
  html: string;
}

/**
 * LTI Deep Linking 2.0, the tool's side: the teacher's choice becomes a signed
 * LtiDeepLinkingResponse that their browser posts to the LMS, once per launch, within the hour.
 */
@Injectable()
export class DeepLinking {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: DeepLinkingRepository,
    private readonly launches: LtiLaunchRepository,
    private readonly keys: LtiToolKeys,
    private readonly login: LtiLogin,
    private readonly clock: Clock,
  ) {}

  contextOf(launchId: string, settings: DeepLinkingSettings, launchedAt: Date): DeepLinkingContext {
    return {
      accept_types: settings.acceptTypes,
      accept_multiple: settings.acceptMultiple,
      accept_presentation_document_targets: settings.acceptPresentationDocumentTargets,
      accept_lineitem: settings.acceptLineItem,
      auto_create: settings.autoCreate,
      title: settings.title,
      text: settings.text,
      expires_at: new Date(launchedAt.getTime() + DEEP_LINKING_ANSWER_MS).toISOString(),
      response_url: `/api/v1/lti/deep-linking/${launchId}/response`,
    };
  }

  /**
   * The item a resource-link launch opens: named by its custom `dreamseed_item_id` (of this
   * registration only), else by the resource link its first launch recorded.
   */
  async contentOf(
    platform: LaunchPlatform,
    custom: unknown,
    resourceLinkId: string | null,
  ): Promise<LaunchContent | null> {
    const named =
      typeof custom === 'object' && custom !== null
        ? (custom as Record<string, unknown>)[ITEM_ID_PARAM]
        : undefined;
    let item =
      typeof named === 'string' && UUID.test(named)
        ? await this.repository.itemOfPlatform(platform.id, named)
        : undefined;
    if (item && resourceLinkId && item.resource_link_id === null) {
      await this.repository.recordResourceLink(item.id, resourceLinkId);
    }
    if (!item && resourceLinkId) {
      item = await this.repository.itemOfResourceLink(platform.id, resourceLinkId);
    }
    return item
      ? { item_id: item.id, title: item.title, url: item.url, custom: item.custom }
      : null;
  }

  async respond(
    principal: UserPrincipal,
    launchId: string,
    dto: DeepLinkingResponseDto,
  ): Promise<DeepLinkingAnswer> {
    const launch = await this.repository.launchOf(launchId, principal.userId);
    if (!launch || launch.tenant_id !== principal.tenantId) {
      throw new AppException('LTI_DEEP_LINKING_LAUNCH_NOT_FOUND');
    }
    noteAuditTarget({
      resourceType: 'lti_launch',
      resourceId: launch.id,
      tenantId: launch.tenant_id,
    });
    if (launch.role !== 'teacher' && launch.role !== 'admin') {
      throw new AppException('LTI_DEEP_LINKING_NOT_INSTRUCTOR');
    }
    const now = this.clock.now();
    if (now.getTime() - launch.created_at.getTime() > DEEP_LINKING_ANSWER_MS) {
      throw new AppException('LTI_DEEP_LINKING_EXPIRED');
    }
    if (await this.repository.answered(launch.id)) {
      throw new AppException('LTI_DEEP_LINKING_ANSWERED');
    }
    const settings = readDeepLinkingSettings(launch.claims[CLAIM.deepLinkingSettings]);
    const cancelled = dto.cancel === true;
    const chosen = dto.items ?? [];
    // Items, or a cancel: never both, never neither.
    if (cancelled ? dto.items !== undefined : chosen.length === 0) {
      throw new AppException('LTI_DEEP_LINKING_CHOICE_MISSING');
    }
    this.checkItems(chosen, settings);
    const platform = await this.launches.platform(launch.platform_id);
    if (!platform) {
      throw new AppException('LTI_DEEP_LINKING_LAUNCH_NOT_FOUND');
    }
    const items = chosen.map((item) => this.newItem(item, launch, principal.userId, now));
    await this.dataSource.transaction(async (manager) => {
      const first = await this.repository.recordResponse(manager, {
        launchId: launch.id,
        platformId: launch.platform_id,
        tenantId: launch.tenant_id,
        userId: principal.userId,
        cancelled,
        itemCount: items.length,
        at: now,
      });
      if (!first) {
        throw new AppException('LTI_DEEP_LINKING_ANSWERED');
      }
      await this.repository.insertItems(
        manager,
        items.map(({ row }) => row),
      );
    });
    const jwt = await this.sign(platform, launch, settings, {
      contentItems: items.map(({ contentItem }) => contentItem),
      message: dto.message,
      errorMessage: dto.error_message,
      now,
    });
    return {
      returnUrl: settings.deepLinkReturnUrl,
      html: deepLinkReturnPage({ action: settings.deepLinkReturnUrl, jwt }),
    };
  }

  /** What the LMS said it accepts (Deep Linking 2.0 §4.4.1), item by item. */
  private checkItems(items: DeepLinkContentItemDto[], settings: DeepLinkingSettings): void {
    const refuse = (index: number, reason: string) => {
      throw new AppException('LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED', undefined, { index, reason });
    };
    if (items.length > 1 && !settings.acceptMultiple) {
      refuse(1, 'accept_multiple is false: send one item');
    }
    items.forEach((item, index) => {
      if (!settings.acceptTypes.includes(item.type)) {
        refuse(index, `type ${item.type} is not in accept_types`);
      }
      if (item.window && !settings.acceptPresentationDocumentTargets.includes('window')) {
        refuse(index, 'window is not in accept_presentation_document_targets');
      }
      if (item.iframe && !settings.acceptPresentationDocumentTargets.includes('iframe')) {
        refuse(index, 'iframe is not in accept_presentation_document_targets');
      }
      if (item.type === 'html' ? !item.html : item.type !== 'ltiResourceLink' && !item.url) {
        refuse(
          index,
          item.type === 'html' ? 'an html item needs html' : `a ${item.type} item needs url`,
        );
      }
      if (item.type === 'ltiResourceLink') {
        if (item.url && !this.login.isOwnUrl(item.url)) {
          refuse(index, "an ltiResourceLink's url must be on this tool");
        }
        if (item.lineItem && settings.acceptLineItem === false) {
          refuse(index, 'accept_lineitem is false: the LMS creates no line item');
        }
      } else if (item.lineItem || item.custom) {
        refuse(index, 'lineItem and custom belong to ltiResourceLink items');
      }
    });
  }

  private newItem(
    item: DeepLinkContentItemDto,
    launch: DeepLinkingLaunchRow,
    userId: string,
    at: Date,
  ): { row: NewDeepLinkedItem; contentItem: Record<string, unknown> } {
    const id = randomUUID();
    const contentItem: Record<string, unknown> = plain(item);
    let custom: Record<string, string> = {};
    if (item.type === 'ltiResourceLink') {
      custom = { ...(item.custom ?? {}), [ITEM_ID_PARAM]: id };
      contentItem.custom = custom;
    }
    return {
      contentItem,
      row: {
        id,
        launchId: launch.id,
        platformId: launch.platform_id,
        tenantId: launch.tenant_id,
        contextId: launch.context_id,
        classId: launch.class_id,
        type: item.type,
        title: item.title ?? null,
        url: item.url ?? null,
        custom,
        lineItem: item.lineItem ? plain(item.lineItem) : null,
        createdBy: userId,
        at,
      },
    };
  }

  /** The LtiDeepLinkingResponse (Deep Linking 2.0 §4.5), signed with the tool's key. */
  private async sign(
    platform: LaunchPlatform,
    launch: DeepLinkingLaunchRow,
    settings: DeepLinkingSettings,
    answer: {
      contentItems: Record<string, unknown>[];
      message: string | undefined;
      errorMessage: string | undefined;
      now: Date;
    },
  ): Promise<string> {
    const { kid, privateKey } = await this.keys.signingKey();
    const iat = Math.floor(answer.now.getTime() / 1000);
    const claims: Record<string, unknown> = {
      nonce: randomBytes(24).toString('base64url'),
      [CLAIM.deploymentId]: launch.deployment_id,
      [CLAIM.messageType]: 'LtiDeepLinkingResponse',
      [CLAIM.version]: '1.3.0',
      [`${LTI_DL}content_items`]: answer.contentItems,
    };
    if (settings.data !== undefined) {
      claims[`${LTI_DL}data`] = settings.data;
    }
    if (answer.message) {
      claims[`${LTI_DL}msg`] = answer.message;
    }
    if (answer.errorMessage) {
      claims[`${LTI_DL}errormsg`] = answer.errorMessage;
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setAudience(platform.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + RESPONSE_JWT_SECONDS)
      .sign(privateKey);
  }
}

/** A validated DTO as plain JSON (no undefined fields, no class instances). */
function plain<T extends object>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
