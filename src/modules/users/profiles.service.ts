import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { mapUserProfile, type UserProfileDto } from './dto/user.dto.js';
import type { UpdateProfileDto } from './dto/update-profile.dto.js';
import { MembershipsRepository } from './memberships.repository.js';
import { UsersRepository, type ProfileChanges } from './users.repository.js';

/** How long an instance that missed a change may serve the old profile. */
export const PROFILE_CACHE_TTL_MS = 5000;

/**
 * The signed-in user's profile (`GET /users/me`: account and memberships), cached briefly;
 * its own changes to it (`PATCH /users/me`).
 */
@Injectable()
export class Profiles {
  // Keyed by user; a change to one of the user's tenants (its name, status) drops it too.
  private readonly cache = new TtlCache<UserProfileDto>(PROFILE_CACHE_TTL_MS, {
    tagsOf: (profile) => profile.memberships.map((m) => `tenant:${m.tenant_id}`),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly outbox: OutboxService,
    invalidation: CacheInvalidation,
  ) {
    invalidation.on('user', (ids) => this.cache.drop(ids));
    invalidation.on('tenant', (ids) => this.cache.dropTagged(ids.map((id) => `tenant:${id}`)));
  }

  getProfile(userId: string): Promise<UserProfileDto> {
    return this.cache.get(userId, async () => {
      const user = await this.users.findById(userId);
      if (!user) {
        throw new AppException('USER_NOT_FOUND');
      }
      return mapUserProfile(user, await this.memberships.listForUser(userId));
    });
  }

  async updateProfile(userId: string, dto: UpdateProfileDto): Promise<UserProfileDto> {
    const changes: ProfileChanges = {
      fullName: dto.full_name,
      username: dto.username,
      phone: dto.phone,
      gradeLevel: dto.grade_level,
      profileImageUrl: dto.profile_image_url,
      preferences: dto.preferences,
    };
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    ) as ProfileChanges;
    const updatedFields = Object.keys(dto).filter(
      (key) => dto[key as keyof UpdateProfileDto] !== undefined,
    );
    if (updatedFields.length > 0) {
      await this.dataSource.transaction(async (manager) => {
        const user = await this.users.findById(userId, manager);
        if (!user) {
          throw new AppException('USER_NOT_FOUND');
        }
        await this.users.updateProfile(manager, userId, defined);
        // The event also drops the cached profile, once this commits.
        await this.outbox.add(manager, {
          type: 'user.updated',
          aggregateId: userId,
          payload: {
            user_id: userId,
            email: user.email,
            name: dto.full_name ?? user.fullName,
            updated_fields: updatedFields,
          },
        });
      });
    }
    return this.getProfile(userId);
  }
}
