import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne } from '../../../common/database/sql.js';
import type { LtiProduct } from '../entities/lti-platform.entity.js';

export interface DynamicPlatform {
  tenantId: string;
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl: string;
  tokenAudience: string | null;
  jwksUrl: string;
  displayName: string;
  product: LtiProduct;
  deploymentId: string | null;
}

export type RegisterOutcome = { platformId: string } | { refused: 'link' | 'exists' };

/** The one-use links and the registrations Dynamic Registration makes with them. */
@Injectable()
export class DynamicRegistrationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The link's school while it is unused and live (it is spent only by `register`). */
  async liveLinkTenant(tokenHash: string, now: Date): Promise<string | undefined> {
    const row = await queryOne<{ tenant_id: string }>(
      this.dataSource,
      `SELECT tenant_id FROM lti_registration_links
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [tokenHash, now],
    );
    return row?.tenant_id;
  }

  /**
   * Spends the link and stores the registration, awaiting the school admin's approval, in one
   * transaction: a second use of the link, or an (issuer, client_id) already known, stores nothing.
   */
  register(tokenHash: string, platform: DynamicPlatform, now: Date): Promise<RegisterOutcome> {
    return this.dataSource
      .transaction(async (manager) => {
        const link = await queryOne<{ tenant_id: string }>(
          manager,
          `UPDATE lti_registration_links SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING tenant_id`,
          [tokenHash, now],
        );
        if (link?.tenant_id !== platform.tenantId) {
          return { refused: 'link' as const };
        }
        const inserted = await queryOne<{ id: string }>(
          manager,
          `INSERT INTO lti_platforms (tenant_id, issuer, client_id, auth_login_url, token_url,
           token_audience, jwks_url, display_name, product, status, registered_via)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'awaiting_approval', 'dynamic')
         ON CONFLICT (issuer, client_id) DO NOTHING RETURNING id`,
          [
            platform.tenantId,
            platform.issuer,
            platform.clientId,
            platform.authLoginUrl,
            platform.tokenUrl,
            platform.tokenAudience,
            platform.jwksUrl,
            platform.displayName,
            platform.product,
          ],
        );
        if (!inserted) {
          // Rolls the link back too: the admin may try again once the old registration is gone.
          throw new RegistrationExists();
        }
        if (platform.deploymentId) {
          await manager.query(
            `INSERT INTO lti_deployments (platform_id, deployment_id, status, first_seen_at, decided_at)
           VALUES ($1, $2, 'approved', $3, $3)`,
            [inserted.id, platform.deploymentId, now],
          );
        }
        await manager.query(
          `UPDATE lti_registration_links SET platform_id = $2 WHERE token_hash = $1`,
          [tokenHash, inserted.id],
        );
        return { platformId: inserted.id };
      })
      .catch((error: unknown) => {
        if (error instanceof RegistrationExists) {
          return { refused: 'exists' as const };
        }
        throw error;
      });
  }
}

class RegistrationExists extends Error {}
