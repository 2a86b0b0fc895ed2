import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { BillingScopeDto } from './checkout.dto.js';

export class ListInvoicesQueryDto extends BillingScopeDto {
  /** @example 20 */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;

  /** The last invoice id of the previous page. @example in_1Q2w3e */
  @IsOptional() @IsString() @Matches(/^in_[A-Za-z0-9]{1,200}$/) starting_after?: string;
}

export class InvoiceDto {
  /** @example in_1Q2w3e */
  id!: string;
  /** paid, open, void, uncollectible, draft. @example paid */
  status!: string | null;
  /** Minor units. @example 990 */
  amount_due!: number;
  amount_paid!: number;
  /** @example usd */
  currency!: string;
  period_start!: string;
  period_end!: string;
  created_at!: string;
  hosted_invoice_url!: string | null;
  invoice_pdf!: string | null;
}

export class InvoicePageDto {
  items!: InvoiceDto[];
  /** More follow: ask again with starting_after = the last id */
  has_more!: boolean;
}
