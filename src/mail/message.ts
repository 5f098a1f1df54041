import { domainToUnicode } from 'node:url';
import libmime from 'libmime';
import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';

/** An email address with its display name, as read from a header. */
export interface Address {
  name: string;
  /** Lower-cased address; '' when the header held no usable address. */
  address: string;
}

/**
 * One received message, reduced to what detection and tracking read.
 * Every string here comes from the sender and is attacker-controlled.
 */
export interface Message {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string;
  date: Date | null;
  from: Address | null;
  sender: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Envelope sender from Return-Path: '' for the null sender `<>`, null when absent. */
  returnPath: string | null;
  /** Lower-cased header name → raw (unfolded) values, in order. */
  headers: Map<string, string[]>;
  /**
   * The lower-cased name of every header line, top first: which lines sit next to which
   * (the receiving server's Authentication-Results block is believed only while unbroken).
   */
  headerOrder?: string[];
  contentType: string;
  text: string;
  html: string;
  /** True when the source was cut at the size cap before parsing. */
  truncated: boolean;
  /**
   * Delivery-status fields and returned headers that mailparser files as attachments
   * (message/delivery-status, text/rfc822-headers, the header block of message/rfc822), capped;
   * '' when there are none. Bounces read the failed recipient and our Message-ID from here.
   */
  reports?: string;
}

/** Largest message source read in full; the rest is cut so a giant mail cannot exhaust memory. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** Longest text kept from report parts (delivery status, returned headers). */
const MAX_REPORT_CHARS = 64 * 1024;
const REPORT_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/global-headers']);
const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

export function header(message: Message, name: string): string | null {
  return message.headers.get(name.toLowerCase())?.[0] ?? null;
}

export function headerValues(message: Message, name: string): string[] {
  return message.headers.get(name.toLowerCase()) ?? [];
}

/** Parses a raw RFC 5322 message. Never throws on malformed mail: it parses what it can. */
export async function parseMessage(source: Buffer | string, options: { truncated?: boolean } = {}): Promise<Message> {
  const raw = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const truncated = options.truncated === true || raw.length > MAX_SOURCE_BYTES;
  const input = raw.length > MAX_SOURCE_BYTES ? raw.subarray(0, MAX_SOURCE_BYTES) : raw;
  const parsed = await simpleParser(input, {
    skipImageLinks: true,
    skipTextToHtml: true,
    // Detection turns HTML into text itself (capped, linear); mailparser's conversion refuses large HTML.
    skipHtmlToText: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: 1024 * 1024,
  });
  const { headers, headerOrder } = headerMap(parsed.headerLines);
  return {
    messageId: normaliseMessageId(parsed.messageId),
    inReplyTo: messageIds(parsed.inReplyTo),
    references: messageIds(parsed.references),
    subject: parsed.subject ?? '',
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    from: firstAddress(parsed.from),
    sender: firstAddress(addressHeader(parsed.headers.get('sender'))),
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    returnPath: returnPathOf(headers),
    headers,
    headerOrder,
    contentType: contentTypeOf(headers),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    truncated,
    reports: reportText(parsed.attachments),
  };
}

/**
 * The header block of a message (IMAP's BODY[HEADER]) read as a Message with no body, for the
 * watcher's question whether the body is needed at all. The same fields as parseMessage, decoded
 * the way mailparser decodes them (libmime's encoded words, nodemailer's address parser), without
 * mailparser's streams: a backlog asks this of every message, and the streams cost ten times more
 * than the reading. test/mail/message.test.ts holds the two readings equal over the detection corpus.
 */
export function parseHeaders(block: Buffer): Message {
  // Header lines as mailparser's splitter gives them: bytes as latin1 ("binary") strings.
  const raw = block.toString('latin1');
  const blank = /\r?\n\r?\n/.exec(raw);
  const head = blank ? raw.slice(0, blank.index) : raw;
  const lines: Array<{ key: string; line: string }> = [];
  for (const physical of head.split(/\r?\n/)) {
    const last = lines.at(-1);
    if (last && /^[ \t]/.test(physical)) {
      last.line += `\r\n${physical}`;
      continue;
    }
    const colon = physical.indexOf(':');
    if (colon <= 0) continue;
    lines.push({ key: physical.slice(0, colon).trim().toLowerCase(), line: physical });
  }
  const { headers, headerOrder } = headerMap(lines);
  const first = (name: string) => decodedValue(lines.find((line) => line.key === name));
  const all = (name: string) => lines.filter((line) => line.key === name).map((line) => decodedValue(line) ?? '');
  const date = first('date');
  const parsedDate = date === null ? null : new Date(date);
  return {
    messageId: normaliseMessageId(encodedWords(first('message-id') ?? '')),
    inReplyTo: messageIds(encodedWords(first('in-reply-to') ?? '')),
    references: messageIds(all('references').map(encodedWords).join(' ')),
    subject: encodedWords(first('subject') ?? ''),
    date: parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : null,
    from: addressesIn(first('from'))[0] ?? null,
    sender: addressesIn(first('sender'))[0] ?? null,
    replyTo: addressesIn(first('reply-to')),
    to: all('to').flatMap(addressesIn),
    cc: all('cc').flatMap(addressesIn),
    returnPath: returnPathOf(headers),
    headers,
    headerOrder,
    contentType: contentTypeOf(headers),
    text: '',
    html: '',
    truncated: false,
    reports: '',
  };
}

/** Lower-cased name → unfolded raw values, and the order of the lines. */
function headerMap(lines: ReadonlyArray<{ key: string; line: string }>): { headers: Map<string, string[]>; headerOrder: string[] } {
  const headers = new Map<string, string[]>();
  const headerOrder: string[] = [];
  for (const line of lines) {
    const colon = line.line.indexOf(':');
    const value = (colon >= 0 ? line.line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    const key = line.key.toLowerCase();
    headerOrder.push(key);
    const list = headers.get(key);
    if (list) list.push(value);
    else headers.set(key, [value]);
  }
  return { headers, headerOrder };
}

function returnPathOf(headers: Map<string, string[]>): string | null {
  const raw = headers.get('return-path')?.[0];
  return raw === undefined ? null : raw.replace(/[<>\s]/g, '').toLowerCase();
}

function contentTypeOf(headers: Map<string, string[]>): string {
  return headers.get('content-type')?.[0]?.toLowerCase() ?? 'text/plain';
}

/** A header line's value as mailparser reads it: unfolded, its 8-bit bytes read as UTF-8. */
function decodedValue(line: { line: string } | undefined): string | null {
  if (!line) return null;
  const value = String(libmime.decodeHeader(line.line).value ?? '').trim();
  return Buffer.from(value, 'latin1').toString();
}

function encodedWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Addresses of one header, names decoded as mailparser decodes them; groups give their members. */
function addressesIn(value: string | null): Address[] {
  if (value === null) return [];
  const result: Address[] = [];
  for (const entry of addressparser(value, { flatten: true })) {
    let address = (entry.address ?? '').trim();
    // As mailparser does: an encoded word is no address, and a punycode domain is shown decoded.
    if (/=\?/.test(address)) address = '';
    const at = address.lastIndexOf('@');
    if (at >= 0 && /@xn--/i.test(address)) address = `${address.slice(0, at + 1)}${domainToUnicode(address.slice(at + 1)) || address.slice(at + 1)}`;
    result.push({ name: encodedWords((entry.name ?? '').trim()).trim(), address: address.toLowerCase() });
  }
  return result;
}

/** The report parts of a bounce as text: delivery-status fields whole, returned messages' headers only. */
function reportText(attachments: Array<{ contentType: string; content: unknown }>): string {
  let text = '';
  for (const attachment of attachments) {
    const type = (attachment.contentType ?? '').toLowerCase();
    const returned = RETURNED_MESSAGE_TYPES.has(type);
    if (!returned && !REPORT_TYPES.has(type)) continue;
    if (!Buffer.isBuffer(attachment.content)) continue;
    const content = attachment.content.toString('utf8', 0, Math.min(attachment.content.length, MAX_REPORT_CHARS));
    // A returned message's body is our own script; only its headers say which one it was.
    text += `${returned ? (content.split(/\r?\n\r?\n/, 1)[0] ?? '') : content}\n\n`;
    if (text.length >= MAX_REPORT_CHARS) break;
  }
  return text.slice(0, MAX_REPORT_CHARS).replace(/\r\n?/g, '\n');
}

function addressHeader(value: HeaderValue | undefined): AddressObject | undefined {
  if (value && typeof value === 'object' && 'value' in value && Array.isArray(value.value)) {
    return value as AddressObject;
  }
  return undefined;
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  const result: Address[] = [];
  for (const object of objects) {
    for (const entry of object.value) {
      // Groups carry their members in `group`.
      const members = entry.group ?? [entry];
      for (const member of members) {
        result.push({ name: (member.name ?? '').trim(), address: (member.address ?? '').trim().toLowerCase() });
      }
    }
  }
  return result;
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): Address | null {
  return addresses(value)[0] ?? null;
}

function messageIds(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : value.split(/\s+/);
  return list.map(normaliseMessageId).filter((id): id is string => id !== null);
}

/** Message-IDs compared without angle brackets, case preserved on the left part as RFC 5322 asks. */
export function normaliseMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const trimmed = value.trim().replace(/^<|>$/g, '').trim();
  return trimmed === '' ? null : trimmed;
}
