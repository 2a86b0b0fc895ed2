/** One member of an NRPS membership container, as far as we use it. */
export interface RosterMember {
  user_id: string;
  status: 'Active' | 'Inactive' | 'Deleted';
  roles: string[];
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
}

export const NRPS_CONTAINER = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
export const NRPS_SCOPE =
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

const MAX_MEMBERS_PER_PAGE = 10_000;

/**
 * The members of one page (NRPS 2.0 §2.2): `user_id` required, `status` Active unless it says
 * Inactive or Deleted, roles as strings. A member we cannot read is counted, not guessed at.
 */
export function readRosterPage(body: unknown): { members: RosterMember[]; unreadable: number } {
  const list = (body as { members?: unknown } | null)?.members;
  if (!Array.isArray(list)) {
    throw new Error('the roster page has no members list');
  }
  if (list.length > MAX_MEMBERS_PER_PAGE) {
    throw new Error(`a roster page of more than ${MAX_MEMBERS_PER_PAGE} members`);
  }
  const members: RosterMember[] = [];
  let unreadable = 0;
  for (const entry of list as Array<Record<string, unknown> | null>) {
    const userId = entry?.user_id;
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > 255) {
      unreadable += 1;
      continue;
    }
    const roles = Array.isArray(entry?.roles)
      ? entry.roles.filter((role): role is string => typeof role === 'string').slice(0, 50)
      : [];
    const status =
      entry?.status === 'Inactive' || entry?.status === 'Deleted' ? entry.status : 'Active';
    members.push({
      user_id: userId,
      status,
      roles,
      name: text(entry?.name),
      given_name: text(entry?.given_name),
      family_name: text(entry?.family_name),
      email: text(entry?.email),
    });
  }
  return { members, unreadable };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 254) : undefined;
}
