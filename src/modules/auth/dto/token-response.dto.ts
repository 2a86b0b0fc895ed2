import { type UserProfileDto } from '../../users/dto/user.dto.js';

export class TokenResponseDto {
  /** JWT (ES256; RS256 while an RSA key signs) for `Authorization: Bearer`; verify with /.well-known/jwks.json */
  access_token!: string;
  /** Opaque; send to /api/v1/auth/refresh. It changes on every refresh. */
  refresh_token!: string;
  /** @example bearer */
  token_type!: 'bearer';
  /** Seconds until the access token expires. @example 900 */
  expires_in!: number;
  user!: UserProfileDto;
}

/** What the LMS accepts back from a deep-linking launch (its `deep_linking_settings`). */
export class LtiDeepLinkingContextDto {
  /** @example ["ltiResourceLink", "link"] */
  accept_types!: string[];
  /** Several items in one answer (true when the LMS did not say). @example true */
  accept_multiple!: boolean;
  /** @example ["iframe", "window"] */
  accept_presentation_document_targets!: string[];
  /** false: the LMS ignores line items; null: it did not say. @example true */
  accept_lineitem!: boolean | null;
  /** @example false */
  auto_create!: boolean | null;
  /** A title the LMS suggests. @example Add an activity */
  title!: string | null;
  /** @example Choose DreamSeed content for this course */
  text!: string | null;
  /** The answer must be sent before this. @example 2026-12-02T15:00:00.000Z */
  expires_at!: string;
  /** Where to POST the teacher's choice. @example /api/v1/lti/deep-linking/3f1c2a9e-8d4b-4f7a-9c1e-2b6d5a4e7f10/response */
  response_url!: string;
}

/** The DreamSeed content a launch opens, when a teacher placed it by deep linking. */
export class LtiLaunchContentDto {
  /** @example 6a0f3b8e-2c1d-4e5f-9a7b-8c6d5e4f3a2b */
  item_id!: string;
  /** @example Fractions: practice set 1 */
  title!: string | null;
  /** @example https://api.dreamseed.example/lti/launch */
  url!: string | null;
  /** The item's custom parameters as we sent them (dreamseed_item_id included). */
  custom!: Record<string, string>;
}

/** Where an LTI launch landed: what the web app opens after swapping the launch's code. */
export class LtiLaunchContextDto {
  /** @example 3f1c2a9e-8d4b-4f7a-9c1e-2b6d5a4e7f10 */
  launch_id!: string;
  /** The class the LMS course became; null for a launch outside a course. */
  class_id!: string | null;
  /** @example c1d887f0-a1a3-4bca-ae25-c375edcc131a */
  context_id!: string | null;
  /** @example 4dde05e8ca1973bcca9bffc13e1548820eee93a3 */
  resource_link_id!: string | null;
  /** @example LtiResourceLinkRequest */
  message_type!: string;
  /** The role given here: student, teacher or admin. @example student */
  role!: string;
  /** Every role the LMS sent, as it sent them. */
  roles!: string[];
  /** The LMS's launch_presentation claim (document_target, return_url, locale, ...). */
  launch_presentation!: Record<string, unknown> | null;
  /**
   * For an account only the LMS signs in to: a one-time code (10 min) to move this LMS identity
   * to the person's own account (`POST /api/v1/lti/identities/link`, signed in to that account).
   */
  link_code!: string | null;
  /** The custom parameters the LMS sent for this link. */
  custom!: Record<string, unknown> | null;
  /** An LtiDeepLinkingRequest: what the LMS accepts and where to answer; null otherwise. */
  deep_linking!: LtiDeepLinkingContextDto | null;
  /** A resource-link launch of content placed by deep linking; null otherwise. */
  content!: LtiLaunchContentDto | null;
}

export class OAuthExchangeResponseDto extends TokenResponseDto {
  /** Present after an LTI launch. */
  lti_launch?: LtiLaunchContextDto;
}
