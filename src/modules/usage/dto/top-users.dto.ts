export class TopUserDto {
  /** @example 3f1c2b9d-8e7a-4a8e-9a4e-5b0c1c1e7d0f */
  user_id!: string;
  /** null for a deleted account @example 김철수 */
  name!: string | null;
  /** @example chulsoo@hallym.ac.kr */
  email!: string | null;
  /** @example 2340 */
  messages!: number;
  /** @example 350000 */
  tokens!: number;
  /** USD, rounded to cents @example 3.5 */
  cost_usd!: number;
  /** AI sessions the member started in the period @example 150 */
  sessions!: number;
}

/** The members with the most tokens in the period. */
export class TopUsersDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example 30d */
  period!: string;
  users!: TopUserDto[];
}
