import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { classify } from '../detect/classify.ts';
import type { Classification, ClassifyContext, Explanation, PlatformMessage, Requester } from '../detect/types.ts';
import { MAX_SOURCE_BYTES, parseMessage } from '../mail/message.ts';

/**
 * `winnow scan FILE|DIR... [--json] [--explain]`: classifies stored messages and prints what
 * Winnow would do, with everything it read of the requester; `--explain` adds the rules that
 * decided. Reads files only: it never sends, never connects anywhere, and writes nothing but its output.
 */

export interface ScanOptions {
  json: boolean;
  /** Print the rules that decided each message (JSON: an `explanation` field; table: indented lines). */
  explain?: boolean;
  context: ClassifyContext;
}

/** One scanned message, as printed with --json (one object per line). */
export interface ScanRecord {
  file: string;
  verdict: Classification['verdict'];
  platform: Classification['platform'];
  requester: Requester | null;
  replyTo: string | null;
  reason: string;
  answersMessageId: string | null;
  bouncedRecipient: string | null;
  bounce: Classification['bounce'];
  /** For out-of-office replies: the stated return, ISO 8601, or null. */
  returnsAt: string | null;
  flags: Classification['flags'];
  language: Classification['language'];
  /** A platform's notice of a message from a person (who, what, the conversation), or null. */
  platformMessage: PlatformMessage | null;
  /** With --explain only: the rules that decided, in order. */
  explanation?: Explanation[];
  messageId: string | null;
  from: string | null;
  subject: string | null;
  date: string | null;
  /** True when the file was larger than the size cap and only its start was read. */
  truncated: boolean;
}

/** Messages parsed at once; parsing is mostly CPU, a few in flight hide the file reads. */
const CONCURRENCY = 8;

/**
 * Files a directory walk picks up: `.eml`, or no extension at all; inside a Maildir `cur` or `new`
 * folder every visible file, since Maildir names ("1709285400.M1P2.host:2,S") look like extensions.
 */
export function isMessageFile(name: string, folder = ''): boolean {
  if (name.startsWith('.')) return false;
  if (folder === 'cur' || folder === 'new') return true;
  const extension = path.extname(name);
  return extension === '' || extension.toLowerCase() === '.eml';
}

type Entry = { file: string } | { file: string; error: string };

function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
    return message.startsWith(`${error.code}:`) ? message.split(',')[0] ?? error.code : error.code;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Every file to read, in a stable order: named files as given, directories walked sorted. */
async function collect(paths: string[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  const seenDirectories = new Set<string>();

  async function walk(directory: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(directory);
    } catch (error) {
      entries.push({ file: directory, error: describeError(error) });
      return;
    }
    // A symlink loop must not make the walk endless.
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    let names: string[];
    try {
      names = (await readdir(directory)).sort();
    } catch (error) {
      entries.push({ file: directory, error: describeError(error) });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(directory, name);
      let info;
      try {
        info = await stat(full);
      } catch (error) {
        if (isMessageFile(name, path.basename(directory))) entries.push({ file: full, error: describeError(error) });
        continue;
      }
      if (info.isDirectory()) await walk(full);
      else if (info.isFile() && isMessageFile(name, path.basename(directory))) entries.push({ file: full });
    }
  }

  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch (error) {
      entries.push({ file: given, error: describeError(error) });
      continue;
    }
    if (info.isDirectory()) await walk(given);
    else if (info.isFile()) entries.push({ file: given });
    else entries.push({ file: given, error: 'not a regular file' });
  }
  return entries;
}

/** Reads the file, or only its first MAX_SOURCE_BYTES when it is larger, so a huge file cannot exhaust memory. */
async function readCapped(file: string): Promise<{ source: Buffer; truncated: boolean }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= MAX_SOURCE_BYTES) return { source: await handle.readFile(), truncated: false };
    const buffer = Buffer.alloc(MAX_SOURCE_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { source: buffer.subarray(0, length), truncated: true };
  } finally {
    await handle.close();
  }
}

function unreadable(file: string, error: string): ScanRecord {
  return {
    file,
    verdict: 'ignored',
    platform: null,
    requester: null,
    replyTo: null,
    reason: `unreadable: ${error}`,
    answersMessageId: null,
    bouncedRecipient: null,
    bounce: null,
    returnsAt: null,
    flags: [],
    language: null,
    platformMessage: null,
    messageId: null,
    from: null,
    subject: null,
    date: null,
    truncated: false,
  };
}

/** Reads, parses and classifies one file; never throws. */
export async function scanFile(file: string, context: ClassifyContext, explain = false): Promise<ScanRecord> {
  try {
    const { source, truncated } = await readCapped(file);
    const message = await parseMessage(source, { truncated });
    const result = classify(message, context);
    const requester = result.requester;
    return {
      file,
      verdict: result.verdict,
      platform: result.platform,
      requester: requester ? { ...requester } : null,
      replyTo: result.replyTo,
      reason: result.reason,
      answersMessageId: result.answersMessageId,
      bouncedRecipient: result.bouncedRecipient,
      bounce: result.bounce,
      returnsAt: result.returnsAt === null ? null : new Date(result.returnsAt).toISOString(),
      flags: result.flags,
      language: result.language,
      platformMessage: result.platformMessage ?? null,
      ...(explain ? { explanation: result.explanation } : {}),
      messageId: message.messageId,
      from: message.from?.address || null,
      subject: message.subject === '' ? null : message.subject,
      date: message.date ? message.date.toISOString() : null,
      truncated: message.truncated,
    };
  } catch (error) {
    return unreadable(file, describeError(error));
  }
}

// eslint-disable-next-line no-control-regex -- a file name or mail header must not drive the terminal
const TERMINAL_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function cell(value: string, width: number): string {
  const clean = value.replace(TERMINAL_CONTROL, ' ');
  const cut = clean.length > width ? `${clean.slice(0, width - 1)}…` : clean;
  return cut.padEnd(width);
}

const COLUMNS: Array<[string, number]> = [
  ['VERDICT', 18],
  ['PLATFORM', 8],
  ['REPLY TO', 32],
  ['NAME', 24],
];

export function tableHeader(): string {
  return [...COLUMNS.map(([title, width]) => cell(title, width)), 'FILE  REASON'].join(' ');
}

/** One aligned line for a person reading the terminal; control characters are blanked. */
export function tableLine(record: ScanRecord): string {
  const values = [record.verdict, record.platform ?? '-', record.replyTo ?? '-', record.requester?.name || '-'];
  const cells = values.map((value, index) => cell(value, COLUMNS[index]?.[1] ?? 10));
  return [...cells, `${record.file.replace(TERMINAL_CONTROL, ' ')}  ${record.reason.replace(TERMINAL_CONTROL, ' ')}`].join(' ');
}

function shown(value: string): string {
  return value.replace(TERMINAL_CONTROL, ' ');
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls (U+009B is a terminal's CSI) and
// bidi overrides raw; written as \u escapes they keep their value and cannot drive the terminal.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One scanned message as a line of JSON that is safe to print to a terminal. */
export function jsonLine(record: ScanRecord): string {
  return JSON.stringify(record).replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What else the message told, one indented line under its table line: the requester's details,
 * flags and language of a request; the return date of an out-of-office; the status of a bounce.
 * Empty when there is nothing more.
 */
export function detailLine(record: ScanRecord): string {
  const parts: string[] = [];
  const person = record.requester;
  if (person) {
    const facts: Array<[string, string | number | boolean | null]> = [
      ['headline', person.headline],
      ['location', person.location],
      ['profile', person.profileUrl],
      ['invitation', person.invitationId],
      ['mutual connections', person.mutualConnections],
      ['connections', person.connectionCount],
      ['photo', person.hasPhoto === null ? null : person.hasPhoto ? 'yes' : 'no'],
      ['note', person.note === null ? null : `"${person.note.length > 120 ? `${person.note.slice(0, 119)}…` : person.note}"`],
    ];
    for (const [label, value] of facts) if (value !== null && value !== '') parts.push(`${label}: ${value}`);
  }
  if (record.flags.length > 0) parts.push(`flags: ${record.flags.join(', ')}`);
  if (record.language) parts.push(`language: ${record.language}`);
  if (record.returnsAt) parts.push(`back: ${record.returnsAt}`);
  if (record.bounce) parts.push(`status: ${record.bounce.status ?? '?'} (${record.bounce.permanent ? 'permanent' : 'temporary'})${record.bouncedRecipient ? `, recipient: ${record.bouncedRecipient}` : ''}`);
  return parts.length === 0 ? '' : `    ${shown(parts.join(' · '))}`;
}

/** The rules that decided, one indented line each. */
export function explanationLines(record: ScanRecord): string[] {
  return (record.explanation ?? []).map((entry) => `      ${shown(entry.rule)}: ${shown(entry.detail)}`);
}

/**
 * Scans files and directories; writes one JSON object per message when `json`, else a table with
 * a header line, one line per message and indented lines for its details (and, with `explain`,
 * its rules). Returns the exit code: 0, or 1 when some file could not be read.
 */
export async function scan(paths: string[], options: ScanOptions, write: (line: string) => void): Promise<number> {
  const entries = await collect(paths);
  if (!options.json) write(tableHeader());
  let failures = 0;
  // Bounded concurrency with output in input order: results wait in `pending` until their turn.
  const pending = new Map<number, ScanRecord>();
  let nextToWrite = 0;
  let nextToStart = 0;

  const flush = () => {
    for (let record = pending.get(nextToWrite); record !== undefined; record = pending.get(nextToWrite)) {
      pending.delete(nextToWrite);
      if (record.reason.startsWith('unreadable:')) failures += 1;
      if (options.json) write(jsonLine(record));
      else {
        write(tableLine(record));
        const detail = detailLine(record);
        if (detail !== '') write(detail);
        for (const line of explanationLines(record)) write(line);
      }
      nextToWrite += 1;
    }
  };

  const worker = async () => {
    while (nextToStart < entries.length) {
      const index = nextToStart;
      nextToStart += 1;
      const entry = entries[index];
      if (!entry) continue;
      const record = 'error' in entry ? unreadable(entry.file, entry.error) : await scanFile(entry.file, options.context, options.explain === true);
      pending.set(index, record);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
  flush();
  return failures > 0 ? 1 : 0;
}
