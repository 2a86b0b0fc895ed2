import type { AuditRecord } from './audit-logs.repository.js';

export const AUDIT_CSV_COLUMNS: Array<keyof AuditRecord> = [
  'id',
  'created_at',
  'tenant_id',
  'actor_type',
  'actor_id',
  'on_behalf_of',
  'action',
  'resource_type',
  'resource_id',
  'outcome',
  'status_code',
  'ip',
  'user_agent',
  'request_id',
  'metadata',
];

/**
 * One RFC 4180 field. Text a spreadsheet would run as a formula (leading = + - @, tab, CR)
 * gets a leading apostrophe: an export opened in Excel must not execute what a user typed.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(record: AuditRecord): string {
  return `${AUDIT_CSV_COLUMNS.map((column) => csvField(record[column])).join(',')}\r\n`;
}

export const AUDIT_CSV_HEADER = `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
