import type { ClassRole } from '../../classes/class-member.entity.js';
import type { TenantRole } from '../../../common/auth/roles.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

/** The LTI 1.3 claim names we read. */
export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  launchPresentation: `${LTI}launch_presentation`,
  custom: `${LTI}custom`,
  toolPlatform: `${LTI}tool_platform`,
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrpsService: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';

/** What a message type must carry beyond the core claims. */
export const REQUIRED_CLAIMS: Record<string, string[]> = {
  [RESOURCE_LINK_REQUEST]: [CLAIM.resourceLink, CLAIM.targetLinkUri, CLAIM.roles],
  [DEEP_LINKING_REQUEST]: [CLAIM.deepLinkingSettings, CLAIM.roles],
  DataPrivacyLaunchRequest: [CLAIM.roles],
  LtiSubmissionReviewRequest: [CLAIM.roles],
};

export interface MappedRole {
  tenantRole: TenantRole;
  classRole: ClassRole;
  /** The LTI role it came from, short form (`Instructor`), or null when none was usable. */
  from: string | null;
}

type RoleName =
  'Administrator' | 'Instructor' | 'TeachingAssistant' | 'ContentDeveloper' | 'Mentor' | 'Learner';

// Strongest first: a person who is both Instructor and Learner teaches.
const ROLE_ORDER: Array<{ name: RoleName; tenantRole: TenantRole; classRole: ClassRole }> = [
  { name: 'Administrator', tenantRole: 'admin', classRole: 'teacher' },
  { name: 'Instructor', tenantRole: 'teacher', classRole: 'teacher' },
  { name: 'ContentDeveloper', tenantRole: 'teacher', classRole: 'teacher' },
  { name: 'TeachingAssistant', tenantRole: 'teacher', classRole: 'assistant' },
  // No guardian role yet: a mentor sees the course as a student would.
  { name: 'Mentor', tenantRole: 'student', classRole: 'student' },
  { name: 'Learner', tenantRole: 'student', classRole: 'student' },
];

const CONTEXT_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const INSTITUTION_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#';

/**
 * Every role in the claim, read the way LTI 1.3 allows them: context roles (full URI or the
 * deprecated short form `Instructor`), sub-roles (`membership/Instructor#TeachingAssistant`)
 * and institution roles. An Administrator of the course or the institution is a school admin;
 * otherwise the strongest context role decides, then the strongest institution role (faculty
 * launching outside a course). System roles (SysAdmin, User) are ignored. Nothing usable: student.
 */
export function mapRoles(roles: readonly string[]): MappedRole {
  const context = new Set<RoleName>();
  const institution = new Set<RoleName>();
  for (const role of roles) {
    const parsed = parseRole(role);
    if (parsed) {
      (parsed.scope === 'context' ? context : institution).add(parsed.name);
    }
  }
  const admin = context.has('Administrator') || institution.has('Administrator');
  const found = admin ? ROLE_ORDER[0] : (strongest(context) ?? strongest(institution));
  return found
    ? { tenantRole: found.tenantRole, classRole: found.classRole, from: found.name }
    : { tenantRole: 'student', classRole: 'student', from: null };
}

function strongest(names: Set<RoleName>) {
  return ROLE_ORDER.find((entry) => names.has(entry.name));
}

function parseRole(role: string): { scope: 'context' | 'institution'; name: RoleName } | null {
  let scope: 'context' | 'institution';
  let rest: string;
  if (role.startsWith(CONTEXT_ROLE)) {
    scope = 'context';
    rest = role.slice(CONTEXT_ROLE.length);
  } else if (role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/')) {
    // A sub-role: membership/Instructor#TeachingAssistant names the sub-role after '#'.
    scope = 'context';
    rest = role.slice(role.indexOf('#') + 1);
  } else if (role.startsWith(INSTITUTION_ROLE)) {
    scope = 'institution';
    rest = role.slice(INSTITUTION_ROLE.length);
  } else if (!role.includes(':') && !role.includes('/')) {
    scope = 'context';
    rest = role;
  } else {
    return null;
  }
  const name = ROLE_ORDER.find((entry) => entry.name === rest)?.name;
  return name ? { scope, name } : null;
}

/** The roster and grade service endpoints of a launch (NRPS 2.0, AGS 2.0), when well formed. */
export function courseServices(claims: Record<string, unknown>): {
  membershipsUrl: string | null;
  lineitemsUrl: string | null;
  agsScopes: string[] | null;
} {
  const nrps = claims[CLAIM.nrpsService] as { context_memberships_url?: unknown } | undefined;
  const ags = claims[CLAIM.agsEndpoint] as { lineitems?: unknown; scope?: unknown } | undefined;
  const scopes = Array.isArray(ags?.scope)
    ? ags.scope.filter((scope): scope is string => typeof scope === 'string').slice(0, 20)
    : null;
  return {
    membershipsUrl: serviceUrl(nrps?.context_memberships_url),
    lineitemsUrl: serviceUrl(ags?.lineitems),
    agsScopes: ags ? (scopes ?? []) : null,
  };
}

function serviceUrl(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 2048 && /^https?:\/\//.test(value)
    ? value
    : null;
}
