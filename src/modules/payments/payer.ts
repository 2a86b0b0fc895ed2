/** Who pays: a person for themselves, or a school. */
export type Payer = { kind: 'user'; id: string } | { kind: 'tenant'; id: string };

/** What checkout writes into the Stripe session's and subscription's metadata. */
export interface CheckoutMetadata {
  payer_type: Payer['kind'];
  /** The person who bought it (for a school: the admin). */
  user_id: string;
  tenant_id?: string;
  plan_id: string;
}

export function payerOfMetadata(
  metadata: Record<string, string> | null | undefined,
): Payer | undefined {
  if (metadata?.payer_type === 'tenant' && metadata.tenant_id) {
    return { kind: 'tenant', id: metadata.tenant_id };
  }
  if (metadata?.payer_type === 'user' && metadata.user_id) {
    return { kind: 'user', id: metadata.user_id };
  }
  return undefined;
}

/** A Stripe idempotency key and cache key part: `user:<id>` or `tenant:<id>`. */
export function payerKey(payer: Payer): string {
  return `${payer.kind}:${payer.id}`;
}
