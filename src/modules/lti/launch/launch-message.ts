import {
  readDeepLinkingSettings,
  type DeepLinkingSettings,
} from '../deep-linking/deep-linking-settings.js';
import { CLAIM, DEEP_LINKING_REQUEST, REQUIRED_CLAIMS } from './lti-claims.js';
import { refuse, type IdTokenClaims } from './id-token-validator.js';

export interface LaunchMessage {
  messageType: string;
  deploymentId: string;
  subject: string | null;
  roles: string[];
  targetLinkUri: string | null;
  resourceLinkId: string | null;
  context: { id: string; title: string | null; label: string | null } | null;
  /** An LtiDeepLinkingRequest's settings, checked. */
  deepLinking: DeepLinkingSettings | null;
}

/**
 * LTI 1.3 Core's checks of the message itself, after the token's: `version` 1.3.0, a message
 * type this tool handles, and the claims that type requires.
 */
export function readLaunchMessage(
  claims: IdTokenClaims,
  supported: readonly string[],
): LaunchMessage {
  const deploymentId = claims[CLAIM.deploymentId];
  if (typeof deploymentId !== 'string' || deploymentId.length === 0 || deploymentId.length > 255) {
    throw refuse('LTI_DEPLOYMENT_MISSING');
  }
  if (claims[CLAIM.version] !== '1.3.0') {
    throw refuse('LTI_VERSION_UNSUPPORTED');
  }
  const messageType = claims[CLAIM.messageType];
  if (typeof messageType !== 'string' || !supported.includes(messageType)) {
    throw refuse('LTI_MESSAGE_TYPE_UNSUPPORTED', {
      message_type: typeof messageType === 'string' ? messageType.slice(0, 64) : null,
    });
  }
  for (const claim of REQUIRED_CLAIMS[messageType] ?? []) {
    if (claims[claim] === undefined || claims[claim] === null) {
      throw refuse('LTI_CLAIM_MISSING', { claim });
    }
  }
  const resourceLink = claims[CLAIM.resourceLink] as { id?: unknown } | undefined;
  if (resourceLink !== undefined && !isId(resourceLink?.id)) {
    throw refuse('LTI_CLAIM_MISSING', { claim: `${CLAIM.resourceLink}#id` });
  }
  const roles = claims[CLAIM.roles];
  if (
    roles !== undefined &&
    (!Array.isArray(roles) || roles.some((role) => typeof role !== 'string'))
  ) {
    throw refuse('LTI_CLAIM_MISSING', { claim: CLAIM.roles });
  }
  const deepLinking =
    messageType === DEEP_LINKING_REQUEST
      ? readDeepLinkingSettings(claims[CLAIM.deepLinkingSettings])
      : null;
  const context = claims[CLAIM.context] as Record<string, unknown> | undefined;
  const target = claims[CLAIM.targetLinkUri];
  return {
    messageType,
    deploymentId,
    subject: isId(claims.sub) ? claims.sub : null,
    roles: (roles as string[] | undefined) ?? [],
    targetLinkUri: typeof target === 'string' ? target : null,
    resourceLinkId: isId(resourceLink?.id) ? resourceLink.id : null,
    context: isId(context?.id)
      ? { id: context.id, title: text(context.title), label: text(context.label) }
      : null,
    deepLinking,
  };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 255;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 255) : null;
}
