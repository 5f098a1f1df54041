import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { classify } from '../detect/classify.ts';
import type { Classification, ClassifyContext, Explanation, PlatformMessage } from '../detect/types.ts';
import type { Requester } from '../vocabulary/contact.ts';
import { MAX_SOURCE_BYTES, parseMessage, type Message } from '../mail/message.ts';

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

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a folder, not a file',
  ELOOP: 'too many symbolic links (a loop?)',
  ENOTDIR: 'a part of the path is not a folder',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Why a file could not be read, in words, with the system's code for searching ("no such file or folder (ENOENT)"). */
function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    const known = FILE_ERRORS[error.code];
    if (known) return `${known} (${error.code})`;
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

/** A file that could not be read: not a message with a verdict, but an error with its reason. */
export interface ScanError {
  file: string;
  error: string;
}

/** Reads, parses and classifies one file; never throws: a file that cannot be read is a ScanError. */
export async function scanFile(file: string, context: ClassifyContext, explain = false): Promise<ScanRecord | ScanError> {
  let read: { source: Buffer; truncated: boolean };
  try {
    read = await readCapped(file);
  } catch (error) {
    return { file, error: describeError(error) };
  }
  let message: Message;
  let result: Classification;
  try {
    message = await parseMessage(read.source, { truncated: read.truncated });
    result = classify(message, context);
  } catch (error) {
    // Never expected (the parser takes any bytes, the rules any message), but one file must not end the scan.
    return { file, error: `could not be read as mail: ${describeError(error)}` };
  }
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
}

// eslint-disable-next-line no-control-regex -- a file name or mail header must not drive the terminal
const TERMINAL_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function cell(value: string, width: number): string {
  const clean = value.replace(TERMINAL_CONTROL, ' ');
  const cut = clean.length > width ? `${clean.slice(0, width - 1)}…` : clean;
  return cut.padEnd(width);
}

/**
 * Widths fit the longest verdict ("connection_request") and platform ("instagram"); the reason,
 * of any length, comes last. The file, of any length, has a line of its own above its columns,
 * so a long path never pushes the columns out of line.
 */
const COLUMNS: Array<[string, number]> = [
  ['VERDICT', 18],
  ['PLATFORM', 9],
  ['REPLY TO', 32],
  ['NAME', 24],
];

const INDENT = '  ';

/** Two lines: where the file goes, then the titles of the aligned columns under it. */
export function tableHeader(): string[] {
  return ['FILE', `${INDENT}${[...COLUMNS.map(([title, width]) => cell(title, width)), 'REASON'].join(' ')}`];
}

/** The file's line, then its aligned columns, for a person reading the terminal; control characters are blanked. */
export function tableLines(record: ScanRecord): [string, string] {
  const values = [record.verdict, record.platform ?? '-', record.replyTo ?? '-', record.requester?.name || '-'];
  const cells = values.map((value, index) => cell(value, COLUMNS[index]?.[1] ?? 10));
  return [shown(record.file), `${INDENT}${[...cells, shown(record.reason)].join(' ')}`];
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
  return parts.length === 0 ? '' : `${INDENT}  ${shown(parts.join(' · '))}`;
}

/** The rules that decided, one indented line each. */
export function explanationLines(record: ScanRecord): string[] {
  return (record.explanation ?? []).map((entry) => `${INDENT}    ${shown(entry.rule)}: ${shown(entry.detail)}`);
}

/**
 * Scans files and directories; writes one JSON object per message when `json`, else a table: for
 * each message its file on a line, then its columns, then indented lines for its details (and,
 * with `explain`, its rules). A file that cannot be read is no message: it goes to `writeError`
 * with the reason, and the scan goes on. Returns the exit code: 0, or 1 when some file could not
 * be read.
 */
export async function scan(paths: string[], options: ScanOptions, write: (line: string) => void, writeError: (line: string) => void = write): Promise<number> {
  const entries = await collect(paths);
  if (!options.json) for (const line of tableHeader()) write(line);
  let failures = 0;
  // Bounded concurrency with output in input order: results wait in `pending` until their turn.
  const pending = new Map<number, ScanRecord | ScanError>();
  let nextToWrite = 0;
  let nextToStart = 0;

  const flush = () => {
    for (let record = pending.get(nextToWrite); record !== undefined; record = pending.get(nextToWrite)) {
      pending.delete(nextToWrite);
      if ('error' in record) {
        failures += 1;
        writeError(`winnow scan: cannot read ${shown(record.file)}: ${shown(record.error)}`);
      } else if (options.json) write(jsonLine(record));
      else {
        for (const line of tableLines(record)) write(line);
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
      const record = 'error' in entry ? entry : await scanFile(entry.file, options.context, options.explain === true);
      pending.set(index, record);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
  flush();
  if (failures > 0) writeError(`winnow scan: ${failures} of ${entries.length} ${entries.length === 1 ? 'file' : 'files'} could not be read`);
  return failures > 0 ? 1 : 0;
}
