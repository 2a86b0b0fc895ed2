/** The acknowledgement Stripe gets (its body is not read; the 200 is what counts). */
export class WebhookReceiptDto {
  received!: true;
  /** true: this event was already stored by an earlier delivery */
  duplicate!: boolean;
}
