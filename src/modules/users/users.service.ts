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

/** How long another instance may serve a profile changed elsewhere (this one drops it at once). */
export const PROFILE_CACHE_TTL_MS = 5000;
const PROFILE_TOPIC = 'profile';

@Injectable()
export class UsersService {
  private readonly profiles = new TtlCache<string, UserProfileDto>(PROFILE_CACHE_TTL_MS);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly outbox: OutboxService,
    private readonly invalidation: CacheInvalidation,
  ) {
    invalidation.on(PROFILE_TOPIC, (ids) => {
      for (const id of ids) {
        this.profiles.delete(id);
      }
    });
  }

  getProfile(userId: string): Promise<UserProfileDto> {
    return this.profiles.get(userId, async () => {
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
    this.forget(userId);
    return this.getProfile(userId);
  }

  /** After a change to the user: dropped here at once, elsewhere via CacheInvalidation. */
  forget(userId: string): void {
    this.invalidation.publish(PROFILE_TOPIC, [userId]);
  }
}
