import { refuse } from '../launch/id-token-validator.js';
import { CLAIM } from '../launch/lti-claims.js';

/** The deep_linking_settings claim of an LtiDeepLinkingRequest (LTI Deep Linking 2.0 §4.4.1). */
export interface DeepLinkingSettings {
  deepLinkReturnUrl: string;
  acceptTypes: string[];
  acceptMultiple: boolean;
  acceptPresentationDocumentTargets: string[];
  /** null when the platform did not say (no assumption may be made then). */
  acceptLineItem: boolean | null;
  autoCreate: boolean | null;
  title: string | null;
  text: string | null;
  /** Opaque: echoed exactly in the response, never shown to the frontend. */
  data: unknown;
}

const MAX_URL = 2048;

/**
 * Reads and checks the claim: `deep_link_return_url` (absolute http(s)) and `accept_types`
 * (non-empty strings) are required; a missing or malformed one refuses the launch naming it.
 * `accept_multiple` absent counts as allowed (the spec gives no default).
 */
export function readDeepLinkingSettings(value: unknown): DeepLinkingSettings {
  const claim = CLAIM.deepLinkingSettings;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse('LTI_CLAIM_MISSING', { claim });
  }
  const settings = value as Record<string, unknown>;
  const returnUrl = settings.deep_link_return_url;
  if (typeof returnUrl !== 'string' || !isHttpUrl(returnUrl)) {
    throw refuse('LTI_CLAIM_MISSING', { claim: `${claim}#deep_link_return_url` });
  }
  const acceptTypes = strings(settings.accept_types);
  if (!acceptTypes || acceptTypes.length === 0) {
    throw refuse('LTI_CLAIM_MISSING', { claim: `${claim}#accept_types` });
  }
  return {
    deepLinkReturnUrl: returnUrl,
    acceptTypes,
    acceptMultiple: settings.accept_multiple !== false,
    acceptPresentationDocumentTargets: strings(settings.accept_presentation_document_targets) ?? [],
    acceptLineItem: typeof settings.accept_lineitem === 'boolean' ? settings.accept_lineitem : null,
    autoCreate: typeof settings.auto_create === 'boolean' ? settings.auto_create : null,
    title: text(settings.title),
    text: text(settings.text),
    data: settings.data,
  };
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL) {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string')
    ? value.slice(0, 32).map((entry: string) => entry.slice(0, 255))
    : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 1024) : null;
}
