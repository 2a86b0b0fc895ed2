import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TenantRole } from '../../../common/auth/roles.js';
import { CacheInvalidation } from '../../../common/cache/cache-invalidation.service.js';
import { isUniqueViolation } from '../../../common/database/sql.js';
import { OutboxService } from '../../../common/events/outbox.service.js';
import { ClassesRepository } from '../../classes/classes.repository.js';
import { generateJoinCode } from '../../classes/join-code.js';
import { MemberAdminRepository } from '../../users/member-admin.repository.js';
import { MembershipsRepository } from '../../users/memberships.repository.js';
import { userCreatedEvent } from '../../users/user-events.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository } from '../../users/users.repository.js';
import { refuse, type IdTokenClaims } from './id-token-validator.js';
import { CLAIM, courseServices, mapRoles, type MappedRole } from './lti-claims.js';
import type { LaunchMessage } from './launch-message.js';
import { LtiLaunchRepository, type LaunchPlatform } from './lti-launch.repository.js';

const ROLE_RANK: Record<TenantRole, number> = { student: 0, teacher: 1, admin: 2 };
const NONCE_KEPT_MS = 24 * 60 * 60 * 1000;

/** What finding or creating a person needs of the registration. */
export type PersonPlatform = Pick<LaunchPlatform, 'id' | 'tenantId' | 'issuer' | 'jwksUrl'>;

export interface ProvisionedLaunch {
  launchId: string;
  user: User | null;
  role: MappedRole;
  classId: string | null;
  /** A teacher opened a course with a roster service never synced yet: sync it now. */
  rosterWanted: boolean;
}

/**
 * What an accepted launch becomes, in one transaction: the person (by issuer and subject),
 * their membership of the registration's school, the course's class and their place in it,
 * the nonce spent and the launch row. Any refusal rolls all of it back.
 */
@Injectable()
export class LtiProvisioning {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly launches: LtiLaunchRepository,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly memberAdmin: MemberAdminRepository,
    private readonly classes: ClassesRepository,
    private readonly invalidation: CacheInvalidation,
    private readonly outbox: OutboxService,
  ) {}

  async provision(
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    message: LaunchMessage,
    now: Date,
  ): Promise<ProvisionedLaunch> {
    try {
      return await this.provisionOnce(platform, claims, message, now);
    } catch (error) {
      // A roster sync (or the same person's other launch) created them meanwhile: the second
      // try finds them; the first rolled back whole, nonce included.
      if (isUniqueViolation(error, 'uq_lti_identities_issuer_subject')) {
        return this.provisionOnce(platform, claims, message, now);
      }
      throw error;
    }
  }

  private provisionOnce(
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    message: LaunchMessage,
    now: Date,
  ): Promise<ProvisionedLaunch> {
    const role = mapRoles(message.roles);
    return this.dataSource.transaction(async (manager) => {
      if (
        !(await this.launches.acceptNonce(
          manager,
          platform.id,
          String(claims.nonce),
          new Date(now.getTime() + NONCE_KEPT_MS),
        ))
      ) {
        throw refuse('LTI_NONCE_REPLAYED');
      }
      const user = message.subject
        ? await this.person(manager, platform, claims, message.subject, role, now)
        : null;
      const course =
        user && message.context
          ? await this.courseClass(manager, platform, claims, message, user, role, now)
          : null;
      const classId = course?.classId ?? null;
      const launchId = await this.launches.insertLaunch(manager, {
        platformId: platform.id,
        tenantId: platform.tenantId,
        deploymentId: message.deploymentId,
        userId: user?.id ?? null,
        subject: message.subject,
        contextId: message.context?.id ?? null,
        classId,
        resourceLinkId: message.resourceLinkId,
        messageType: message.messageType,
        roles: message.roles,
        role: user ? role.tenantRole : 'guest',
        claims: keptClaims(claims),
        at: now,
      });
      return { launchId, user, role, classId, rosterWanted: course?.rosterWanted ?? false };
    });
  }

  /**
   * A member of an LMS roster (NRPS): found or created exactly as at a launch, in the school
   * with the mapped role; refused (AppException) as a launch would be.
   */
  rosterPerson(
    manager: EntityManager,
    platform: PersonPlatform,
    member: Record<string, unknown> & { user_id: string },
    role: MappedRole,
    now: Date,
  ): Promise<User> {
    return this.person(manager, platform, member, member.user_id, role, now, false);
  }

  private async person(
    manager: EntityManager,
    platform: PersonPlatform,
    claims: Record<string, unknown>,
    subject: string,
    role: MappedRole,
    now: Date,
    launching = true,
  ): Promise<User> {
    const email =
      typeof claims.email === 'string' && claims.email.length <= 254 ? claims.email : null;
    const known = await this.launches.identity(manager, platform.issuer, subject);
    let user: User | null;
    if (known) {
      // Another registration of the issuer must trust the same keys, or a school could
      // register a look-alike issuer with its own keys and launch as anyone.
      if (known.platform_id !== platform.id && known.jwks_url !== platform.jwksUrl) {
        throw refuse('LTI_IDENTITY_OTHER_PLATFORM');
      }
      user = await this.users.findById(known.user_id, manager);
      if (launching) {
        await this.launches.touchIdentity(manager, platform.issuer, subject, email, now);
      }
    } else {
      // The LMS's address is kept on the identity only: unverified, it signs no one in and
      // links to no existing account.
      user = await this.users.insert(manager, {
        email: null,
        passwordHash: null,
        fullName: nameOf(claims),
        managedByTenantId: platform.tenantId,
      });
      await this.launches.insertIdentity(manager, {
        issuer: platform.issuer,
        subject,
        userId: user.id,
        platformId: platform.id,
        jwksUrl: platform.jwksUrl,
        email,
        at: now,
      });
      await this.outbox.add(
        manager,
        userCreatedEvent(user, {
          role: role.tenantRole,
          provider: 'lti',
          tenantId: platform.tenantId,
        }),
      );
    }
    if (!user) {
      throw refuse('LTI_MEMBERSHIP_SUSPENDED');
    }
    await this.joinSchool(manager, user.id, platform.tenantId, role.tenantRole);
    return user;
  }

  private async joinSchool(
    manager: EntityManager,
    userId: string,
    tenantId: string,
    role: TenantRole,
  ): Promise<void> {
    const membership = (await this.memberships.listForUser(userId, manager)).find(
      (m) => m.tenantId === tenantId,
    );
    if (membership && membership.status !== 'active') {
      throw refuse('LTI_MEMBERSHIP_SUSPENDED');
    }
    if (!membership) {
      await this.memberships.insertIfAbsent(manager, userId, tenantId, role);
    } else if (ROLE_RANK[role] > ROLE_RANK[membership.role]) {
      // The LMS may raise a person's role in the school, never lower what the school gave.
      await this.memberAdmin.updateMembership(manager, userId, tenantId, { role });
    } else {
      return;
    }
    this.invalidation.changed(manager, 'user', [userId]);
  }

  private async courseClass(
    manager: EntityManager,
    platform: LaunchPlatform,
    claims: IdTokenClaims,
    message: LaunchMessage,
    user: User,
    role: MappedRole,
    now: Date,
  ): Promise<{ classId: string; rosterWanted: boolean }> {
    const context = message.context!;
    let classId = await this.launches.contextClass(manager, platform.id, context.id);
    const name = (context.title ?? context.label ?? `Course ${context.id}`).slice(0, 100);
    if (classId) {
      await this.classes.renameIfChanged(manager, classId, name);
    } else {
      classId = await this.newClass(manager, platform.tenantId, name, user.id);
    }
    const services = courseServices(claims);
    const { rosterSynced } = await this.launches.saveContext(manager, {
      platformId: platform.id,
      contextId: context.id,
      classId,
      title: context.title,
      label: context.label,
      deploymentId: message.deploymentId,
      services,
      at: now,
    });
    await this.classes.upsertMember(manager, classId, user.id, role.classRole, now);
    return {
      classId,
      rosterWanted:
        role.classRole === 'teacher' && !rosterSynced && services.membershipsUrl !== null,
    };
  }

  private async newClass(
    manager: EntityManager,
    tenantId: string,
    name: string,
    createdBy: string,
  ): Promise<string> {
    for (;;) {
      const id = await this.classes.insertUnlessCodeTaken(manager, {
        tenantId,
        name,
        subject: null,
        grade: null,
        term: null,
        joinCode: generateJoinCode(),
        createdBy,
      });
      if (id) {
        return id;
      }
    }
  }
}

function nameOf(claims: Record<string, unknown>): string {
  const full =
    typeof claims.name === 'string' && claims.name.trim()
      ? claims.name.trim()
      : [claims.given_name, claims.family_name]
          .filter((part) => typeof part === 'string')
          .join(' ')
          .trim();
  return (full || 'LMS user').slice(0, 100);
}

/** The claims later calls need (grades, roster, presentation, custom), never the whole token. */
function keptClaims(claims: IdTokenClaims): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of [
    CLAIM.agsEndpoint,
    CLAIM.nrpsService,
    CLAIM.launchPresentation,
    CLAIM.custom,
    CLAIM.resourceLink,
    CLAIM.context,
    CLAIM.toolPlatform,
    CLAIM.deepLinkingSettings,
  ]) {
    if (claims[name] !== undefined) {
      kept[name] = claims[name];
    }
  }
  return kept;
}
