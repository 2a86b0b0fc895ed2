/**
 * NRPS 2.0 (Names and Role Provisioning) of the test platform, Moodle-shaped.
 *
 * Public API (through LtiPlatform):
 * - `setRoster(contextId, members: RosterMember[], options?: RosterOptions): { version }`:
 *   sets (or replaces) a context's roster; members missing from a later call are "removed".
 *   Options (kept from the previous call when left out): `pageSize` (default 100), `differences`
 *   (offer rel="differences" on the last page; default false), `context` ({ label, title }).
 * - `nrpsClaim(contextId, { clientId? }?)`: the namesroleservice launch claim
 *   `{ context_memberships_url, service_versions: ['2.0'] }`.
 * - `roster(contextId): RosterMember[]`: the current members.
 *
 * GET context_memberships_url (scope contextmembership.readonly; Accept must list
 * application/vnd.ims.lti-nrps.v2.membershipcontainer+json, else 406) answers that type with
 * `{ id, context: { id, label, title }, members }`, `limit` members a page (default pageSize),
 * `Link: <...>; rel="next"` on every page but the last (opaque `from` marker: follow it as is),
 * and on the last page `Link: <...?since=...>; rel="differences"` when enabled. A differences
 * URL answers the members added or changed since then (with their status) and removed ones
 * with status Deleted, paged the same way. `role` filters by a role URI.
 */
import {
  decodeMarker,
  encodeMarker,
  limitOf,
  refuse,
  requireAccept,
  LTI_SCOPE,
  SERVICES_PATH,
  type ServiceRequest,
  type ServiceResponse,
  type ServiceRoute,
  type ServiceRouter,
} from './lti-platform-services.js';

export const NRPS_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

export interface RosterMember {
  user_id: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  picture?: string;
  [extra: string]: unknown;
}

export interface RosterOptions {
  pageSize?: number;
  differences?: boolean;
  context?: { label?: string; title?: string };
}

interface Versioned {
  member: RosterMember;
  /** The roster version in which it last changed. */
  version: number;
}

interface Roster {
  contextId: string;
  version: number;
  members: Map<string, Versioned>;
  removed: Map<string, Versioned>;
  pageSize: number;
  differences: boolean;
  label?: string;
  title?: string;
}

const PATH = new RegExp(
  `^${SERVICES_PATH.replace(/\./g, '\\.')}CourseSection/([^/]+)/bindings/(\\d+)/memberships$`,
);

export class LtiNrps implements ServiceRouter {
  private readonly rosters = new Map<string, Roster>();

  constructor(private readonly issuer: string) {}

  membershipsUrl(contextId: string, typeId: number): string {
    return `${this.issuer}${SERVICES_PATH}CourseSection/${encodeURIComponent(contextId)}/bindings/${typeId}/memberships`;
  }

  setRoster(
    contextId: string,
    members: RosterMember[],
    options: RosterOptions = {},
  ): { version: number } {
    const previous = this.rosters.get(contextId);
    const roster: Roster = previous ?? {
      contextId,
      version: 0,
      members: new Map(),
      removed: new Map(),
      pageSize: 100,
      differences: false,
    };
    roster.version += 1;
    roster.pageSize = options.pageSize ?? roster.pageSize;
    roster.differences = options.differences ?? roster.differences;
    roster.label = options.context?.label ?? roster.label;
    roster.title = options.context?.title ?? roster.title;
    const next = new Map<string, Versioned>();
    for (const raw of members) {
      const member = normalize(raw);
      if (next.has(member.user_id)) {
        throw new Error(`setRoster: user_id ${member.user_id} twice`);
      }
      const before = roster.members.get(member.user_id);
      const same = before && JSON.stringify(before.member) === JSON.stringify(member);
      next.set(member.user_id, same ? before : { member, version: roster.version });
      roster.removed.delete(member.user_id);
    }
    for (const [userId, before] of roster.members) {
      if (!next.has(userId)) {
        roster.removed.set(userId, { member: before.member, version: roster.version });
      }
    }
    roster.members = next;
    this.rosters.set(contextId, roster);
    return { version: roster.version };
  }

  roster(contextId: string): RosterMember[] {
    return [...(this.rosters.get(contextId)?.members.values() ?? [])].map(({ member }) => ({
      ...member,
    }));
  }

  /** A member of the context's current roster (any status but Deleted). */
  isMember(contextId: string, userId: string): boolean {
    const member = this.rosters.get(contextId)?.members.get(userId)?.member;
    return !!member && member.status !== 'Deleted';
  }

  route(method: string, url: URL): ServiceRoute | undefined {
    const match = PATH.exec(url.pathname);
    if (!match || method !== 'GET') {
      return undefined;
    }
    const contextId = decodeURIComponent(match[1] ?? '');
    return {
      scopes: [LTI_SCOPE.contextMembershipReadonly],
      typeId: Number(match[2]),
      handle: (request) => this.memberships(contextId, Number(match[2]), request),
    };
  }

  private memberships(contextId: string, typeId: number, request: ServiceRequest): ServiceResponse {
    requireAccept(request.headers, NRPS_MEDIA_TYPE);
    const roster = this.rosters.get(contextId);
    if (!roster) {
      refuse(404, 'not_found', `no course ${contextId}`);
    }
    const { url } = request;
    const limit = limitOf(url, roster.pageSize);
    const from = url.searchParams.has('from')
      ? (decodeMarker(url.searchParams.get('from'), 'from').o ?? 0)
      : 0;
    const since = url.searchParams.has('since')
      ? decodeMarker(url.searchParams.get('since'), 'since').v
      : undefined;
    if (since !== undefined && since > roster.version) {
      refuse(400, 'invalid_marker', 'since is newer than the roster');
    }
    const role = url.searchParams.get('role');
    let entries: RosterMember[];
    if (since === undefined) {
      entries = [...roster.members.values()].map(({ member }) => member);
    } else {
      entries = [
        ...[...roster.members.values()]
          .filter(({ version }) => version > since)
          .map(({ member }) => member),
        ...[...roster.removed.values()]
          .filter(({ version }) => version > since)
          .map(({ member }) => ({ ...member, status: 'Deleted' as const })),
      ];
    }
    if (role) {
      entries = entries.filter((member) => member.roles.includes(role));
    }
    const page = entries.slice(from, from + limit);
    const base = this.membershipsUrl(contextId, typeId);
    const links: string[] = [];
    if (from + limit < entries.length) {
      const next = new URLSearchParams({ limit: String(limit) });
      if (since !== undefined) {
        next.set('since', encodeMarker({ v: since }));
      }
      if (role) {
        next.set('role', role);
      }
      next.set('from', encodeMarker({ o: from + limit }));
      links.push(`<${base}?${next.toString()}>; rel="next"`);
    } else if (roster.differences) {
      links.push(`<${base}?since=${encodeMarker({ v: roster.version })}>; rel="differences"`);
    }
    return {
      status: 200,
      headers: {
        'content-type': NRPS_MEDIA_TYPE,
        ...(links.length ? { link: links.join(', ') } : {}),
      },
      body: {
        id: url.href,
        context: stripUndefined({ id: contextId, label: roster.label, title: roster.title }),
        members: page,
      },
    };
  }
}

function normalize(member: RosterMember): RosterMember {
  return stripUndefined({
    ...member,
    roles: [...member.roles],
    status: member.status ?? 'Active',
  }) as RosterMember;
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}
