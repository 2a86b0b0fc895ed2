import type { AuditRecord } from '../../common/audit/audit-logs.repository.js';

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

// A formula character (= + - @) at the start of the field, or at the start of a cell a
// spreadsheet may split it into (after , ; tab or a line break), spaces before it allowed;
// a leading tab or carriage return starts a formula in some spreadsheets too.
const FORMULA = /(?:^|[,;\t\r\n])[ ]*[=+\-@]|^[\t\r]/;
const FORMULA_START = /(^|[,;\t\r\n])(?=[ ]*[=+\-@])/g;

/**
 * One RFC 4180 field, always quoted. Text a spreadsheet would run as a formula gets an
 * apostrophe before the formula character, wherever a cell could start: an export opened in
 * Excel or LibreOffice, whatever separator it splits on, must not execute what a user typed.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '""';
  }
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  // Tested first: most fields hold nothing to defuse, and the test allocates nothing.
  if (FORMULA.test(text)) {
    text = text.replace(FORMULA_START, "$1'").replace(/^[\t\r]/, "'$&");
  }
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
}

export function csvRow(record: AuditRecord): string {
  return `${AUDIT_CSV_COLUMNS.map((column) => csvField(record[column])).join(',')}\r\n`;
}

export const AUDIT_CSV_HEADER = `${AUDIT_CSV_COLUMNS.map(csvField).join(',')}\r\n`;
