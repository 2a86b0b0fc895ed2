/** An optional timestamp as the API writes it. */
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);
