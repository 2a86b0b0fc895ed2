import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import { DEEP_LINKING_REQUEST } from '../launch/lti-claims.js';

export interface DeepLinkingLaunchRow {
  id: string;
  platform_id: string;
  tenant_id: string;
  deployment_id: string;
  user_id: string;
  role: string;
  context_id: string | null;
  class_id: string | null;
  claims: Record<string, unknown>;
  created_at: Date;
}

export interface DeepLinkedItemRow {
  id: string;
  platform_id: string;
  type: string;
  title: string | null;
  url: string | null;
  custom: Record<string, string>;
  resource_link_id: string | null;
}

export interface NewDeepLinkedItem {
  id: string;
  launchId: string;
  platformId: string;
  tenantId: string;
  contextId: string | null;
  classId: string | null;
  type: string;
  title: string | null;
  url: string | null;
  custom: Record<string, string>;
  lineItem: Record<string, unknown> | null;
  createdBy: string;
  at: Date;
}

const ITEM_COLUMNS = `id, platform_id, type, title, url, custom, resource_link_id`;

/** Deep linking's own tables (the answers, the items sent) and the launches it answers. */
@Injectable()
export class DeepLinkingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A deep-linking launch of this user; another person's is as absent as a missing one. */
  launchOf(launchId: string, userId: string): Promise<DeepLinkingLaunchRow | undefined> {
    return queryOne<DeepLinkingLaunchRow>(
      this.dataSource,
      `SELECT id, platform_id, tenant_id, deployment_id, user_id, role, context_id, class_id,
         claims, created_at
       FROM lti_launches WHERE id = $1 AND user_id = $2 AND message_type = $3`,
      [launchId, userId, DEEP_LINKING_REQUEST],
    );
  }

  async answered(launchId: string): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `SELECT 1 FROM lti_deep_link_responses WHERE launch_id = $1`,
      [launchId],
    );
    return rows.length > 0;
  }

  /** false when the launch has its answer already (the key decides, whoever came first). */
  async recordResponse(
    manager: EntityManager,
    response: {
      launchId: string;
      platformId: string;
      tenantId: string;
      userId: string;
      cancelled: boolean;
      itemCount: number;
      at: Date;
    },
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO lti_deep_link_responses
         (launch_id, platform_id, tenant_id, user_id, cancelled, item_count, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (launch_id) DO NOTHING RETURNING launch_id`,
      [
        response.launchId,
        response.platformId,
        response.tenantId,
        response.userId,
        response.cancelled,
        response.itemCount,
        response.at,
      ],
    );
    return rows.length > 0;
  }

  /** Every item in one statement. */
  async insertItems(manager: EntityManager, items: NewDeepLinkedItem[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    const params: unknown[] = [];
    const tuples = items.map((item) => {
      const values = [
        item.id,
        item.launchId,
        item.platformId,
        item.tenantId,
        item.contextId,
        item.classId,
        item.type,
        item.title,
        item.url,
        JSON.stringify(item.custom),
        item.lineItem === null ? null : JSON.stringify(item.lineItem),
        item.createdBy,
        item.at,
      ];
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await manager.query(
      `INSERT INTO lti_deep_linked_items (id, launch_id, platform_id, tenant_id, context_id,
         class_id, type, title, url, custom, line_item, created_by, created_at)
       VALUES ${tuples.join(', ')}`,
      params,
    );
  }

  itemOfPlatform(platformId: string, itemId: string): Promise<DeepLinkedItemRow | undefined> {
    return queryOne<DeepLinkedItemRow>(
      this.dataSource,
      `SELECT ${ITEM_COLUMNS} FROM lti_deep_linked_items
       WHERE id = $1 AND platform_id = $2 AND type = 'ltiResourceLink'`,
      [itemId, platformId],
    );
  }

  itemOfResourceLink(
    platformId: string,
    resourceLinkId: string,
  ): Promise<DeepLinkedItemRow | undefined> {
    return queryOne<DeepLinkedItemRow>(
      this.dataSource,
      `SELECT ${ITEM_COLUMNS} FROM lti_deep_linked_items
       WHERE platform_id = $1 AND resource_link_id = $2
       ORDER BY created_at LIMIT 1`,
      [platformId, resourceLinkId],
    );
  }

  /** The first launch of an item names its resource link; later ones change nothing. */
  async recordResourceLink(itemId: string, resourceLinkId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE lti_deep_linked_items SET resource_link_id = $2
       WHERE id = $1 AND resource_link_id IS NULL`,
      [itemId, resourceLinkId],
    );
  }
}
