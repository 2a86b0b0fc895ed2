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
import { MembershipsRepository } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository } from '../../users/users.repository.js';
import { IdentitiesRepository } from '../identities.repository.js';
import type { GoogleProfile, OAuthFlow } from './google-oauth.js';
import { userCreatedEvent } from '../../users/user-events.js';

const MAX_SUBJECT_LENGTH = 255;

/** What Google said about a person, turned into one of our users (found, linked or created). */
@Injectable()
export class GoogleSignIn {
  private readonly logger = new Logger(GoogleSignIn.name);

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
  async signIn(profile: GoogleProfile, device: DeviceInfo): Promise<string> {
    assertUsableSubject(profile);
    const domainTenant = await this.domainTenant(profile);
    let user: User;
    try {
      user = await this.resolveUser(profile, domainTenant);
    } catch (error) {
      // Two callbacks for the same new person at once: the second finds what the first made.
      if (!isRaceLoss(error)) {
        throw error;
      }
      user = await this.resolveUser(profile, domainTenant);
    }
    return this.handoff.issueSignInCode(user, 'google', domainTenant, device);
  }

  /** Links the Google account to the signed-in user who started the flow. */
  async link(
    profile: GoogleProfile,
    link: NonNullable<OAuthFlow['link']>,
    device: DeviceInfo,
  ): Promise<void> {
    assertUsableSubject(profile);
    const live = await this.sessions.listLive(link.userId);
    if (!live.some((session) => session.id === link.sessionId)) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const now = this.clock.now();
    const existing = await this.identities.findBySubject('google', profile.subject);
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
        { userId: link.userId, provider: 'google', subject: profile.subject, email: profile.email },
        now,
      );
      // Signing in with a provider is the owner's: no school manages the account since.
      await this.users.markSelfManaged(manager, link.userId);
      await this.security.record(
        'auth.identity_linked',
        { userId: link.userId },
        device,
        'success',
        { provider: 'google' },
        manager,
      );
    });
  }

  private async resolveUser(profile: GoogleProfile, domainTenant: string | null): Promise<User> {
    const linked = await this.identities.findBySubject('google', profile.subject);
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
      if (!profile.emailVerified) {
        throw new AppException('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
      }
      return this.linkExisting(existing, profile, domainTenant);
    }
    if (!profile.emailVerified) {
      // A new account would vouch for an address nobody has proved to own.
      throw new AppException('AUTH_OAUTH_EMAIL_MISSING');
    }
    return this.create(profile, profile.email, domainTenant);
  }

  private async linkExisting(
    user: User,
    profile: GoogleProfile,
    domainTenant: string | null,
  ): Promise<User> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await this.users.lockById(manager, user.id);
      await this.identities.link(
        manager,
        { userId: user.id, provider: 'google', subject: profile.subject, email: profile.email },
        now,
      );
      await this.users.markSelfManaged(manager, user.id);
      if (!user.emailVerifiedAt) {
        // Whoever registered the address before it was verified may not be its owner: their
        // password must not come with the account Google now proves is this person's.
        await this.users.clearPassword(manager, user.id);
        await this.users.markEmailVerified(manager, user.id, now);
      }
      if (domainTenant) {
        await this.memberships.insertIfAbsent(manager, user.id, domainTenant, 'student');
      }
      this.invalidation.changed(manager, 'user', [user.id]);
    });
    this.logger.log({ user_id: user.id }, 'linked a Google account by verified email');
    return (await this.users.findById(user.id)) ?? user;
  }

  private async create(
    profile: GoogleProfile,
    email: string,
    domainTenant: string | null,
  ): Promise<User> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.insert(manager, {
        email,
        passwordHash: null,
        fullName: profile.name?.trim() || email.split('@')[0] || email,
        emailVerifiedAt: now,
      });
      await this.identities.link(
        manager,
        { userId: user.id, provider: 'google', subject: profile.subject, email },
        now,
      );
      if (domainTenant) {
        await this.memberships.insertIfAbsent(manager, user.id, domainTenant, 'student');
      }
      await this.outbox.add(
        manager,
        userCreatedEvent(user, { role: 'student', provider: 'google', tenantId: domainTenant }),
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

  /** The school that claims the person's Google Workspace domain, when exactly one does. */
  private async domainTenant(profile: GoogleProfile): Promise<string | null> {
    if (!profile.hostedDomain || !profile.emailVerified) {
      return null;
    }
    const tenants = await this.tenants.findActiveByGoogleDomain(profile.hostedDomain);
    if (tenants.length > 1) {
      this.logger.warn(
        { domain: profile.hostedDomain, tenants },
        'several tenants claim this Google domain; joining none',
      );
    }
    return tenants.length === 1 ? (tenants[0] ?? null) : null;
  }
}

function assertUsableSubject(profile: GoogleProfile): void {
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
