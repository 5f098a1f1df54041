import type { Contact } from '../../vocabulary/contact.ts';
import { scoreValue } from './format.ts';

/**
 * The people list as CSV (RFC 4180: every cell quoted, quotes doubled, CRLF line ends), with
 * a byte-order mark so spreadsheet programs read it as UTF-8.
 *
 * Names, headlines and answers come from mail, and a spreadsheet runs a cell that starts with
 * = + - @ (or a tab or carriage return before one) as a formula: "CSV injection". Such cells get a
 * leading apostrophe, which spreadsheets show as text and hide; the value is otherwise unchanged.
 */

export const CSV_COLUMNS = [
  'id',
  'name',
  'email',
  'status',
  'platform',
  'headline',
  'profile_url',
  'requested_at',
  'asked_at',
  'answered_at',
  'decided_at',
  'score',
  'says_why',
  'says_business',
  'says_benefit',
  'flags',
  'answer',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '""';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const yesNo = (value: boolean | undefined) => (value === undefined ? null : value ? 'yes' : 'no');

export function csvRow(contact: Contact): string {
  const cells = [
    contact.id,
    contact.name,
    contact.email,
    contact.status,
    contact.platform,
    contact.headline,
    contact.profileUrl,
    iso(contact.requestedAt),
    iso(contact.askedAt),
    iso(contact.answeredAt),
    iso(contact.decidedAt),
    scoreValue(contact.score),
    yesNo(contact.score?.why),
    yesNo(contact.score?.business),
    yesNo(contact.score?.benefit),
    contact.flags.join(' '),
    contact.answerText,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const CSV_HEADER = `\ufeff${CSV_COLUMNS.map(csvCell).join(',')}\r\n`;

/** The CSV of the given people, read in batches so that 100,000 rows never sit in memory at once. */
export async function* peopleCsv(ids: readonly string[], read: (ids: string[]) => Promise<Array<Contact | null>>, batch = 500): AsyncGenerator<string> {
  yield CSV_HEADER;
  for (let i = 0; i < ids.length; i += batch) {
    const contacts = await read(ids.slice(i, i + batch));
    let chunk = '';
    for (const contact of contacts) if (contact) chunk += csvRow(contact);
    if (chunk) yield chunk;
  }
}

export function csvFileName(now: number): string {
  return `winnow-people-${new Date(now).toISOString().slice(0, 10)}.csv`;
}
