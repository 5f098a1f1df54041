import { isMailboxAddress } from '../text/address.ts';
import { fold } from '../text/fold.ts';
import { cleanLine } from '../text/line.ts';
import { decodeCharset, decodeQuotedPrintable } from '../text/mime.ts';
import { normaliseName } from '../text/names.ts';

/**
 * Reads the user's contacts from the files address books export: CSV with a header row (Google
 * Contacts, Outlook, Thunderbird, LinkedIn's Connections.csv) and vCard 2.1, 3.0 and 4.0. Pure:
 * bytes in, people out. Every line that gives no person is reported with the reason, and nothing
 * in a file can make the parser throw except a file that is not a contacts file at all.
 */

/** One person from a file: the name as written, and their addresses (lower-cased, checked). */
export interface ImportedPerson {
  name: string;
  addresses: string[];
  /** The line the person starts on, for messages. */
  line: number;
}

export interface SkippedLine {
  line: number;
  reason: string;
}

export type ContactsFormat = 'csv' | 'vcard';

export interface ContactsFile {
  format: ContactsFormat;
  people: ImportedPerson[];
  skipped: SkippedLine[];
}

/** The file is not a contacts file we can read; nothing of it was imported. */
export class ContactsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContactsFileError';
  }
}

/** Longest name kept; a longer one is cut. */
const MAX_NAME_CHARS = 200;
/** Addresses kept per person; more is not an address book entry but a list. */
const MAX_ADDRESSES = 20;
/** How far down a CSV file the header row may be (LinkedIn puts notes above it). */
const HEADER_SEARCH_ROWS = 20;
/** How often a CSV with unclosed quotes is read again from the next line before the rest is given up. */
const MAX_CSV_RECOVERIES = 20;

// ---------------------------------------------------------------------------------------------
// Shared

/** A name as stored: one line, no control or direction-override characters, capped. Otherwise verbatim. */
function cleanName(raw: string): string {
  return cleanLine(raw, MAX_NAME_CHARS);
}

/** The addresses in a field ("a@x.org", "Jane <a@x.org>", "mailto:a@x.org", "a@x.org ::: b@y.org"), and the bits that are not addresses. */
export function addressesIn(field: string): { addresses: string[]; rejected: string[] } {
  const addresses: string[] = [];
  const rejected: string[] = [];
  for (const token of field.split(/\s*(?::::|[;,\s])\s*/)) {
    if (!token.includes('@')) continue;
    const bare = token
      .replace(/^mailto:/i, '')
      .replace(/^[<("'[]+|[>)"'\].]+$/g, '')
      .toLowerCase();
    if (isMailboxAddress(bare)) {
      if (!addresses.includes(bare)) addresses.push(bare);
    } else {
      rejected.push(cleanName(token).slice(0, 80));
    }
  }
  // A filled field with nothing like an address in it ("n/a", an Exchange X.500 path) is worth naming too.
  if (addresses.length === 0 && rejected.length === 0 && field.trim() !== '') rejected.push(cleanName(field).slice(0, 80));
  return { addresses, rejected };
}

function person(name: string, addressFields: string[], line: number): ImportedPerson | SkippedLine {
  const clean = cleanName(name);
  const found: string[] = [];
  const rejected: string[] = [];
  for (const field of addressFields) {
    const { addresses, rejected: bad } = addressesIn(field);
    for (const address of addresses) if (!found.includes(address)) found.push(address);
    rejected.push(...bad);
  }
  if (found.length === 0) {
    return { line, reason: rejected.length > 0 ? `not an e-mail address: ${JSON.stringify(rejected[0])}` : `no e-mail address${clean ? ` for ${JSON.stringify(clean)}` : ''}` };
  }
  if (clean === '' || normaliseName(clean) === '') {
    return { line, reason: clean === '' ? `no name for ${found[0]}` : `no name to look up (${JSON.stringify(clean)}) for ${found[0]}` };
  }
  return { name: clean, addresses: found.slice(0, MAX_ADDRESSES), line };
}

function isPerson(entry: ImportedPerson | SkippedLine): entry is ImportedPerson {
  return 'addresses' in entry;
}

/** Text of a whole file: a byte-order mark decides, else the charset given, else UTF-8 when valid, else Windows-1252 (older Outlook exports). */
export function decodeFile(bytes: Uint8Array, charset: string | null = null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeCharset(bytes.subarray(3), 'utf-8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeCharset(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeCharset(bytes.subarray(2), 'utf-16be');
  return decodeCharset(bytes, charset);
}

// ---------------------------------------------------------------------------------------------
// Format

/** CSV or vCard, by the file name's extension, else by the content. */
export function detectFormat(bytes: Uint8Array, fileName?: string): ContactsFormat | null {
  const extension = fileName?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (extension === 'vcf' || extension === 'vcard') return 'vcard';
  if (extension === 'csv') return 'csv';
  const head = decodeFile(bytes.subarray(0, 4096)).replace(/^\s+/, '');
  if (/^BEGIN:VCARD/i.test(head) || /\nBEGIN:VCARD/i.test(head)) return 'vcard';
  if (/[,;\t]/.test(head.split(/\r?\n/, 1)[0] ?? '') || /\n[^\n]*(?:e-?mail)[^\n]*[,;\t]/i.test(head)) return 'csv';
  return null;
}

/** Reads a contacts file of either format; throws ContactsFileError when it is neither. */
export function parseContactsFile(bytes: Uint8Array, options: { fileName?: string; format?: ContactsFormat; charset?: string | null } = {}): ContactsFile {
  const format = options.format ?? detectFormat(bytes, options.fileName);
  if (format === 'vcard') return { format, ...parseVCards(bytes) };
  if (format === 'csv') return { format, ...parseCsvContacts(decodeFile(bytes, options.charset ?? null)) };
  throw new ContactsFileError('this is neither a CSV file with a header row nor a vCard file (.vcf)');
}

// ---------------------------------------------------------------------------------------------
// CSV

interface CsvRecord {
  line: number;
  cells: string[];
}

type CsvEvent = CsvRecord | { line: number; broken: string };

/**
 * RFC 4180 records with the line each starts on: quoted fields may hold delimiters, doubled quotes
 * and line breaks. A quote that is never closed spoils only its own record: reading starts again
 * on the line after it.
 */
function csvRecords(text: string, delimiter: string): CsvEvent[] {
  const events: CsvEvent[] = [];
  let position = 0;
  let line = 1;
  let recoveries = 0;
  while (position < text.length) {
    const start = { position, line };
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let atCellStart = true;
    let broken = false;
    let i = position;
    for (; i < text.length; i++) {
      const char = text[i]!;
      if (quoted) {
        if (char === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (char === '\n') line++;
          cell += char;
        }
        continue;
      }
      if (char === '"' && atCellStart) {
        quoted = true;
        atCellStart = false;
      } else if (char === delimiter) {
        cells.push(cell);
        cell = '';
        atCellStart = true;
      } else if (char === '\n' || char === '\r') {
        if (char === '\r' && text[i + 1] === '\n') i++;
        line++;
        i++;
        break;
      } else {
        cell += char;
        atCellStart = false;
      }
    }
    if (quoted) broken = true;
    if (broken) {
      events.push({ line: start.line, broken: 'a quoted field is never closed' });
      if (++recoveries > MAX_CSV_RECOVERIES) {
        events.push({ line: start.line, broken: 'too many unclosed quotes: the rest of the file was not read' });
        return events;
      }
      // Start again on the line after the broken record's first line.
      const next = text.indexOf('\n', start.position);
      if (next < 0) return events;
      position = next + 1;
      line = start.line + 1;
      continue;
    }
    cells.push(cell);
    events.push({ line: start.line, cells });
    position = i;
  }
  return events;
}

/** A header cell as compared: folded, words of letters and digits separated by single spaces. */
function headerKey(cell: string): string {
  return fold(cell)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const FULL_NAME = new Set(['name', 'full name', 'display name', 'formatted name', 'fn', 'contact name', 'anzeigename', 'nom complet', 'nombre completo', 'volledige naam']);
const FIRST_NAME = new Set(['first name', 'given name', 'firstname', 'first', 'givenname', 'vorname', 'prenom', 'nombre', 'voornaam', 'nome']);
const MIDDLE_NAME = new Set(['middle name', 'additional name', 'middlename', 'weitere vornamen', 'second name']);
const LAST_NAME = new Set(['last name', 'family name', 'surname', 'lastname', 'last', 'familyname', 'nachname', 'nom', 'apellidos', 'apellido', 'achternaam', 'cognome']);

interface CsvColumns {
  full: number[];
  first: number[];
  middle: number[];
  last: number[];
  email: number[];
}

function columnsOf(header: string[]): CsvColumns | null {
  const columns: CsvColumns = { full: [], first: [], middle: [], last: [], email: [] };
  header.forEach((cell, index) => {
    const key = headerKey(cell);
    if (FULL_NAME.has(key)) columns.full.push(index);
    else if (FIRST_NAME.has(key)) columns.first.push(index);
    else if (MIDDLE_NAME.has(key)) columns.middle.push(index);
    else if (LAST_NAME.has(key)) columns.last.push(index);
    // "E-mail Address", "E-mail 2 Address", "E-mail 1 - Value", "Primary Email", "Email Address",
    // "E-Mail-Adresse"; not "E-mail Type", "E-mail 1 - Label" or Outlook's "E-mail Display Name".
    else if (/\be ?mail\b|\bemail\b|\bcourriel\b|\bcorreo\b/.test(key) && !/\b(?:type|label|display|name)\b/.test(key)) columns.email.push(index);
  });
  const hasName = columns.full.length + columns.first.length + columns.last.length > 0;
  return hasName && columns.email.length > 0 ? columns : null;
}

function nameOf(cells: string[], columns: CsvColumns): string {
  for (const index of columns.full) {
    const value = cells[index]?.trim();
    if (value) return value;
  }
  return [...columns.first, ...columns.middle, ...columns.last]
    .map((index) => cells[index]?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
}

/** Reads CSV text with a header row naming a name and an e-mail column. */
export function parseCsvContacts(text: string): Omit<ContactsFile, 'format'> {
  const normalised = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let chosen: { records: CsvEvent[]; headerAt: number; columns: CsvColumns } | null = null;
  for (const delimiter of [',', ';', '\t']) {
    const records = csvRecords(normalised, delimiter);
    const limit = Math.min(records.length, HEADER_SEARCH_ROWS);
    for (let index = 0; index < limit; index++) {
      const record = records[index]!;
      if (!('cells' in record)) continue;
      const columns = columnsOf(record.cells);
      if (columns) {
        chosen = { records, headerAt: index, columns };
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen) {
    throw new ContactsFileError('no header row naming a name column (such as "Name" or "First Name") and an e-mail column (such as "E-mail Address") in the first lines');
  }
  const { records, headerAt, columns } = chosen;
  const width = (records[headerAt] as CsvRecord).cells.length;
  const people: ImportedPerson[] = [];
  const skipped: SkippedLine[] = [];
  for (const record of records.slice(headerAt + 1)) {
    if (!('cells' in record)) {
      skipped.push({ line: record.line, reason: record.broken });
      continue;
    }
    if (record.cells.every((cell) => cell.trim() === '')) continue;
    if (record.cells.length > width && record.cells.slice(width).some((cell) => cell.trim() !== '')) {
      skipped.push({ line: record.line, reason: `has ${record.cells.length} fields where the header has ${width} (a comma in an unquoted field?)` });
      continue;
    }
    const entry = person(
      nameOf(record.cells, columns),
      columns.email.map((index) => record.cells[index] ?? ''),
      record.line,
    );
    if (isPerson(entry)) people.push(entry);
    else skipped.push(entry);
  }
  return { people, skipped };
}

// ---------------------------------------------------------------------------------------------
// vCard

interface VCardProperty {
  name: string;
  params: Array<{ name: string; value: string }>;
  /** The raw value as in the file (a binary string: one char per byte). */
  value: string;
  line: number;
}

/** Splits `a;b="c;d":e` at the first `sep` outside double quotes. */
function splitOutsideQuotes(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && separators.includes(char)) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function parseProperty(text: string, line: number): VCardProperty | null {
  let colon = -1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return null;
  const [nameWithGroup, ...rawParams] = splitOutsideQuotes(text.slice(0, colon), ';');
  // "item1.EMAIL" (Apple's groups): the group does not matter here.
  const name = nameWithGroup!.slice(nameWithGroup!.lastIndexOf('.') + 1).trim().toUpperCase();
  const params = rawParams.map((param) => {
    const equals = param.indexOf('=');
    // vCard 2.1 writes bare values: "EMAIL;INTERNET;QUOTED-PRINTABLE:...".
    if (equals < 0) {
      const bare = param.trim().toUpperCase();
      return { name: ['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT'].includes(bare) ? 'ENCODING' : 'TYPE', value: bare };
    }
    return { name: param.slice(0, equals).trim().toUpperCase(), value: param.slice(equals + 1).trim().replace(/^"|"$/g, '') };
  });
  return { name, params, value: text.slice(colon + 1), line };
}

function param(property: VCardProperty, name: string): string | null {
  return property.params.find((p) => p.name === name)?.value ?? null;
}

function isQuotedPrintable(text: string): boolean {
  // Cheap look before a full parse: the line's parameters name the encoding.
  const colon = text.indexOf(':');
  return (colon < 0 ? text : text.slice(0, colon)).toUpperCase().includes('QUOTED-PRINTABLE');
}

/** The text of a property's value: transfer encoding undone, then the charset applied. */
function valueText(property: VCardProperty): string {
  const encoding = param(property, 'ENCODING')?.toUpperCase() ?? null;
  let bytes: Uint8Array;
  if (encoding === 'QUOTED-PRINTABLE') bytes = decodeQuotedPrintable(property.value);
  else if (encoding === 'B' || encoding === 'BASE64') bytes = Buffer.from(property.value.replace(/\s+/g, ''), 'base64');
  else bytes = Buffer.from(property.value, 'latin1');
  return decodeCharset(bytes, param(property, 'CHARSET'));
}

/** vCard 3.0/4.0 escapes in one component: \, \; \\ \n. */
function unescapeComponent(text: string): string {
  return text.replace(/\\([\\,;nN:])/g, (_match, char: string) => (char === 'n' || char === 'N' ? ' ' : char));
}

/** Splits a structured value (N) at unescaped semicolons. */
function components(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      current += text[i]! + text[i + 1]!;
      i++;
    } else if (text[i] === ';') {
      parts.push(current);
      current = '';
    } else {
      current += text[i]!;
    }
  }
  parts.push(current);
  return parts.map(unescapeComponent);
}

/** Physical lines joined into logical ones: folded lines (a leading space or tab) and quoted-printable soft breaks. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const physical = text.split(/\r\n|\n|\r/);
  const lines: Array<{ text: string; line: number }> = [];
  for (let index = 0; index < physical.length; index++) {
    const raw = physical[index]!;
    const previous = lines.at(-1);
    if (previous && (raw.startsWith(' ') || raw.startsWith('\t')) && raw.trim() !== '') {
      previous.text += raw.slice(1);
      continue;
    }
    const entry = { text: raw, line: index + 1 };
    // vCard 2.1 quoted-printable: a value ending in "=" goes on with the next line, unindented.
    while (isQuotedPrintable(entry.text) && entry.text.endsWith('=') && index + 1 < physical.length) {
      entry.text = entry.text.slice(0, -1) + physical[++index]!.replace(/^[ \t]/, '');
    }
    lines.push(entry);
  }
  return lines;
}

/** Reads vCard 2.1, 3.0 and 4.0 cards. The bytes are read as they are, so each value's charset can decide. */
export function parseVCards(bytes: Uint8Array | string): Omit<ContactsFile, 'format'> {
  let binary: string;
  if (typeof bytes === 'string') binary = Buffer.from(bytes, 'utf8').toString('latin1');
  else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) binary = Buffer.from(decodeFile(bytes), 'utf8').toString('latin1');
  else binary = Buffer.from(bytes).toString('latin1');
  if (binary.startsWith('\xef\xbb\xbf')) binary = binary.slice(3);

  const people: ImportedPerson[] = [];
  const skipped: SkippedLine[] = [];
  let card: { line: number; version: string; properties: VCardProperty[]; depth: number } | null = null;
  let outside: number | null = null;

  const finish = (current: NonNullable<typeof card>) => {
    const escapes = current.version !== '2.1';
    // vCard 2.1 has no backslash escapes outside structured values.
    const text = (property: VCardProperty) => cleanName(escapes ? unescapeComponent(valueText(property)) : valueText(property));
    const fn = current.properties.find((property) => property.name === 'FN');
    let name = fn ? text(fn) : '';
    if (!name) {
      const n = current.properties.find((property) => property.name === 'N');
      if (n) {
        const [family = '', given = '', additional = ''] = components(valueText(n));
        name = cleanName([given, additional, family].map((part) => part.replace(/,/g, ' ')).join(' '));
      }
    }
    // Preferred addresses first (PREF=1, or TYPE=pref in 2.1 and 3.0).
    const emails = current.properties
      .filter((property) => property.name === 'EMAIL')
      .map((property) => ({
        value: text(property),
        rank: Number(param(property, 'PREF')) || (property.params.some((p) => p.name === 'TYPE' && /(?:^|,)pref(?:,|$)/i.test(p.value)) ? 1 : 100),
      }))
      .sort((a, b) => a.rank - b.rank)
      .map((email) => email.value);
    const entry = person(name, emails, current.line);
    if (isPerson(entry)) people.push(entry);
    else skipped.push(entry);
  };

  for (const { text, line } of logicalLines(binary)) {
    if (text.trim() === '') continue;
    const upper = text.trim().toUpperCase();
    if (upper === 'BEGIN:VCARD') {
      if (card) {
        // A card inside a card (vCard 2.1 AGENT) belongs to the outer one; skip its lines.
        card.depth++;
        continue;
      }
      outside = null;
      card = { line, version: '3.0', properties: [], depth: 0 };
      continue;
    }
    if (!card) {
      if (outside === null) {
        skipped.push({ line, reason: 'text outside a card (no BEGIN:VCARD before it)' });
        outside = line;
      }
      continue;
    }
    if (upper === 'END:VCARD') {
      if (card.depth > 0) {
        card.depth--;
        continue;
      }
      finish(card);
      card = null;
      continue;
    }
    if (card.depth > 0) continue;
    const property = parseProperty(text, line);
    if (!property) {
      skipped.push({ line, reason: 'not a vCard property (no ":")' });
      continue;
    }
    if (property.name === 'VERSION') card.version = property.value.trim();
    else card.properties.push(property);
  }
  if (card) skipped.push({ line: card.line, reason: 'the card never ends (END:VCARD is missing)' });
  return { people, skipped };
}
