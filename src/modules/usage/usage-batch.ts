import { AppException } from '../../common/errors/app.exception.js';
import type { UsageEventDto } from './dto/ingest-usage.dto.js';

const MAX_AHEAD_MS = 5 * 60_000;
export const MAX_AGE_DAYS = 400;

/**
 * What the DTO cannot check alone: event ids unique in the batch, and `occurred_at` not in the
 * future (5 minutes of clock skew allowed) nor older than 400 days. Any failure refuses the
 * whole batch (400), so nothing of it is written.
 */
export function checkBatch(events: UsageEventDto[], now: Date): void {
  const fields: Array<{ field: string; errors: string[] }> = [];
  const firstIndex = new Map<string, number>();
  const latest = now.getTime() + MAX_AHEAD_MS;
  const earliest = now.getTime() - MAX_AGE_DAYS * 86_400_000;
  events.forEach((event, index) => {
    const first = firstIndex.get(event.event_id);
    if (first === undefined) {
      firstIndex.set(event.event_id, index);
    } else {
      fields.push({
        field: `events.${index}.event_id`,
        errors: [`event_id repeats events.${first}.event_id`],
      });
    }
    const at = Date.parse(event.occurred_at);
    if (Number.isNaN(at) || at > latest || at < earliest) {
      fields.push({
        field: `events.${index}.occurred_at`,
        errors: [
          `occurred_at must be at most 5 minutes ahead and at most ${MAX_AGE_DAYS} days ago`,
        ],
      });
    }
  });
  if (fields.length > 0) {
    throw new AppException('COMMON_VALIDATION_FAILED', undefined, { fields });
  }
}
