import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Keys the Service Market sends as X-Market-API-Key; only their SHA-256 is stored. */
@Entity({ name: 'market_api_keys' })
@Check('chk_market_api_keys_source', `"source" IN ('admin', 'env')`)
export class MarketApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The first characters of the key, to recognise it in lists. */
  @Column({ type: 'varchar', length: 16 })
  keyPrefix!: string;

  @Index('uq_market_api_keys_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  keyHash!: string;

  /** `env`: seeded from MARKET_API_KEYS at start; `admin`: created through the API. */
  @Column({ type: 'varchar', length: 8, default: 'admin' })
  source!: 'admin' | 'env';

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
