import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../../common/auth/principal.js';
import { actorReference } from '../../../common/auth/principal.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { LtiCourseAccess } from '../services/lti-course-access.js';
import { LtiServiceClient } from '../services/lti-service-client.js';
import { LtiServiceError } from '../services/lti-service-error.js';
import type { LtiCourse } from '../services/lti-services.repository.js';
import { AGS, AGS_SCOPE, withQuery } from './ags.js';
import {
  mapLineItem,
  type CreateLineItemDto,
  type LineItemDto,
  type LineItemListDto,
} from './dto/line-item.dto.js';
import { LtiGradesRepository } from './lti-grades.repository.js';

interface PlatformLineItem {
  id?: unknown;
  label?: unknown;
  scoreMaximum?: unknown;
  resourceId?: unknown;
  tag?: unknown;
  resourceLinkId?: unknown;
}

/**
 * Gradebook columns (AGS 2.0 line items) of a class's LMS course. Creating one by
 * (resource_id, tag) is idempotent, on every instance (one at a time per key, by a database
 * lock): ours first, then the LMS's own list, then a new one.
 */
@Injectable()
export class LtiLineItems {
  constructor(
    private readonly access: LtiCourseAccess,
    private readonly grades: LtiGradesRepository,
    private readonly client: LtiServiceClient,
  ) {}

  async list(principal: Principal, classId: string): Promise<LineItemListDto> {
    await this.access.managedCourse(principal, classId);
    return { items: (await this.grades.lineItems(classId)).map(mapLineItem) };
  }

  async createOrFind(
    principal: Principal,
    classId: string,
    dto: CreateLineItemDto,
  ): Promise<{ item: LineItemDto; created: boolean }> {
    const course = await this.access.managedCourse(principal, classId);
    const lineitemsUrl = offered(course);
    const createdBy = actorReference(principal) ?? null;
    if (!dto.resource_id) {
      return this.create(course, lineitemsUrl, dto, createdBy);
    }
    return this.grades.withLineItemKey(
      classId,
      dto.resource_id,
      dto.tag ?? null,
      async (manager, known) =>
        known
          ? { item: mapLineItem(known), created: false }
          : this.create(course, lineitemsUrl, dto, createdBy, manager),
    );
  }

  private async create(
    course: LtiCourse,
    lineitemsUrl: string,
    dto: CreateLineItemDto,
    createdBy: string | null,
    manager?: EntityManager,
  ): Promise<{ item: LineItemDto; created: boolean }> {
    try {
      const existing = dto.resource_id
        ? await this.findAtPlatform(course, lineitemsUrl, dto.resource_id, dto.tag)
        : undefined;
      const item =
        existing ??
        ((
          await this.client.call(course.platform, {
            method: 'POST',
            url: lineitemsUrl,
            scopes: [AGS_SCOPE.lineItem],
            accept: AGS.lineItem,
            contentType: AGS.lineItem,
            body: {
              label: dto.label,
              scoreMaximum: dto.score_maximum,
              ...(dto.resource_id ? { resourceId: dto.resource_id } : {}),
              ...(dto.tag ? { tag: dto.tag } : {}),
              ...(dto.resource_link_id ? { resourceLinkId: dto.resource_link_id } : {}),
            },
          })
        ).json() as PlatformLineItem | null);
      if (typeof item?.id !== 'string' || !/^https?:\/\//.test(item.id)) {
        throw new LtiServiceError('refused', null, 'the LMS answered a line item without an id');
      }
      const id = await this.grades.saveLineItem(
        {
          platformId: course.platform.id,
          contextId: course.contextId,
          classId: course.classId,
          url: item.id.slice(0, 2048),
          label: text(item.label) ?? dto.label,
          scoreMaximum: positive(item.scoreMaximum) ?? dto.score_maximum,
          resourceId: text(item.resourceId) ?? dto.resource_id ?? null,
          tag: text(item.tag) ?? dto.tag ?? null,
          resourceLinkId: text(item.resourceLinkId) ?? dto.resource_link_id ?? null,
          createdBy: createdBy && /^[0-9a-f-]{36}$/.test(createdBy) ? createdBy : null,
        },
        manager,
      );
      return {
        item: mapLineItem((await this.grades.lineItem(course.classId, id, manager))!),
        created: existing === undefined,
      };
    } catch (error) {
      throw error instanceof LtiServiceError ? error.toAppException() : error;
    }
  }

  private async findAtPlatform(
    course: LtiCourse,
    lineitemsUrl: string,
    resourceId: string,
    tag: string | undefined,
  ): Promise<PlatformLineItem | undefined> {
    const answer = await this.client.call(course.platform, {
      method: 'GET',
      url: withQuery(lineitemsUrl, { resource_id: resourceId, tag }),
      scopes: [AGS_SCOPE.lineItem],
      accept: AGS.lineItemContainer,
    });
    const items = answer.json();
    return Array.isArray(items)
      ? (items as PlatformLineItem[]).find(
          (item) => item?.resourceId === resourceId && (tag === undefined || item.tag === tag),
        )
      : undefined;
  }
}

function offered(course: LtiCourse): string {
  if (!course.lineitemsUrl || !course.agsScopes.includes(AGS_SCOPE.lineItem)) {
    throw new AppException(
      'LTI_SERVICE_NOT_OFFERED',
      'The LMS has not let this tool manage line items of the course',
    );
  }
  return course.lineitemsUrl;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 255) : undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
