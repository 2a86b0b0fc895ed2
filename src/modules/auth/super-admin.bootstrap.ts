import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../common/clock/clock.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { passwordPolicyViolations } from '../users/password-policy.js';
import { UsersRepository } from '../users/users.repository.js';
import { PasswordHasher } from './password-hasher.js';
import { userCreatedEvent } from '../users/user-events.js';

export interface SuperAdminRequest {
  email: string;
  password?: string;
  fullName?: string;
}

export type SuperAdminOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * The first super admin: from SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD at start, or from
 * `npm run cli -- create-admin`. An existing account is promoted and keeps its password.
 */
@Injectable()
export class SuperAdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(SuperAdminBootstrap.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly outbox: OutboxService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.get('SUPERADMIN_EMAIL');
    const password = this.config.get('SUPERADMIN_PASSWORD');
    if (!email || !password) {
      return;
    }
    const outcome = await this.ensure({ email, password });
    if (outcome !== 'unchanged') {
      this.logger.log({ email, outcome }, 'super admin ready');
    }
  }

  async exists(email: string): Promise<boolean> {
    return (await this.users.findByEmail(email)) !== null;
  }

  async ensure(request: SuperAdminRequest): Promise<SuperAdminOutcome> {
    const existing = await this.users.findByEmail(request.email);
    if (existing) {
      if (existing.platformRole === 'super_admin') {
        return 'unchanged';
      }
      await this.dataSource.transaction(async (manager) => {
        await this.users.promoteToSuperAdmin(manager, existing.id, this.clock.now());
        await this.outbox.add(manager, {
          type: 'user.updated',
          aggregateId: existing.id,
          payload: {
            user_id: existing.id,
            email: existing.email,
            name: existing.fullName,
            updated_fields: ['platform_role'],
          },
        });
      });
      return 'promoted';
    }
    if (!request.password) {
      throw new Error(`No account for ${request.email}: a password is needed to create it`);
    }
    const problems = passwordPolicyViolations(request.password, request.email);
    if (problems.length > 0) {
      throw new Error(`The super admin password is refused: ${problems.join('; ')}`);
    }
    const passwordHash = await this.hasher.hash(request.password);
    await this.dataSource.transaction(async (manager) => {
      const user = await this.users.insert(manager, {
        email: request.email,
        passwordHash,
        fullName: request.fullName ?? 'Platform Administrator',
        platformRole: 'super_admin',
        emailVerifiedAt: this.clock.now(),
      });
      await this.outbox.add(manager, userCreatedEvent(user, { role: 'super_admin' }));
    });
    return 'created';
  }
}
