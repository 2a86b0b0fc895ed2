import { IsString, Length } from 'class-validator';
import { isoOrNull } from '../../../common/time/iso.js';
import type { MarketKeyRow } from '../market-keys.repository.js';

export class CreateMarketKeyDto {
  /** What the key is for. @example "Service Market production" */
  @IsString()
  @Length(2, 100)
  name!: string;
}

export class MarketKeyDto {
  id!: string;
  name!: string;
  /** The start of the key, to recognise it. @example dsm_Xk3f9a1c */
  prefix!: string;
  /** `env`: from MARKET_API_KEYS; `admin`: created here */
  source!: 'admin' | 'env';
  created_by!: string | null;
  created_at!: string;
  last_used_at!: string | null;
  revoked_at!: string | null;
}

export class CreatedMarketKeyDto extends MarketKeyDto {
  /** The key itself: shown this once, never again */
  key!: string;
}

export function mapMarketKey(row: MarketKeyRow): MarketKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    source: row.source,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    last_used_at: isoOrNull(row.last_used_at),
    revoked_at: isoOrNull(row.revoked_at),
  };
}
