import { headerValues, type Message } from '../mail/message.ts';
import { domainOf } from './address.ts';
import { cleanLine } from '../text/line.ts';
import type { OwnVerification } from '../mail/verify.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Whether a mail really comes from the domain it names, from two sources and nothing else:
 * - Winnow's own check (src/mail/verify.ts, with mailauth: DKIM signatures, SPF where the receiving
 *   server's headers name the sending host, DMARC), passed in as `context.verification`;
 * - what the user's own receiving server wrote in Authentication-Results (RFC 8601): a header is
 *   believed only when its authserv-id is the one configured (AUTHSERV_ID), and only in the
 *   unbroken block of such headers at the very top (the server adds its own above whatever came
 *   with the mail). Anyone can write an Authentication-Results header into the mail they send, so
 *   a pass in any other header counts for nothing. This relies on the server removing forged
 *   headers that carry its own authserv-id, as RFC 8601 §5 asks; see docs/DETECTION.md.
 * A pass from either source counts: neither can be forged by the sender. Pure: no I/O here.
 */

/** One "method=result" entry with its properties ("header.d" → "linkedin.com"). */
export interface AuthenticationEntry {
  method: string;
  result: string;
  properties: Record<string, string>;
}

export interface AuthenticationHeader {
  authservId: string;
  entries: AuthenticationEntry[];
}

/** Longest header value parsed; real ones are a few hundred characters. */
const MAX_HEADER_CHARS = 8192;

/** Drops RFC 5322 comments "(…)", nested or not, outside quoted strings. */
function withoutComments(value: string): string {
  let depth = 0;
  let quoted = false;
  let result = '';
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] ?? '';
    if (char === '\\' && index + 1 < value.length) {
      if (depth === 0) result += char + (value[index + 1] ?? '');
      index += 1;
    } else if (quoted) {
      result += char;
      if (char === '"') quoted = false;
    } else if (char === '(') depth += 1;
    else if (char === ')' && depth > 0) depth -= 1;
    else if (depth === 0) {
      if (char === '"') quoted = true;
      result += char;
    }
  }
  return result;
}

/** Splits on ";" outside quoted strings. */
function parts(value: string): string[] {
  const list: string[] = [];
  let quoted = false;
  let current = '';
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) {
      list.push(current);
      current = '';
    } else current += char;
  }
  list.push(current);
  return list;
}

/** Parses one Authentication-Results value; null when it has no authserv-id. */
export function parseAuthenticationResults(raw: string): AuthenticationHeader | null {
  const [head, ...rest] = parts(withoutComments(raw.slice(0, MAX_HEADER_CHARS)));
  const authservId = (head ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (authservId === '') return null;
  const entries: AuthenticationEntry[] = [];
  for (const part of rest) {
    const found = /^\s*([a-z0-9_-]+)(?:\/[0-9]+)?\s*=\s*([a-z]+)/i.exec(part);
    if (!found) continue;
    const properties: Record<string, string> = {};
    for (const property of part.slice(found[0].length).matchAll(/\b([a-z0-9_-]+\.[a-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s;]+))/gi)) {
      const key = (property[1] ?? '').toLowerCase();
      if (!(key in properties)) properties[key] = (property[2] ?? property[3] ?? '').trim().toLowerCase();
    }
    entries.push({ method: (found[1] ?? '').toLowerCase(), result: (found[2] ?? '').toLowerCase(), properties });
  }
  return { authservId, entries };
}

/**
 * The Authentication-Results headers of the user's own server: the topmost Authentication-Results
 * header must carry the configured authserv-id, and the headers directly below it count as long as
 * they carry it too. Any other header line in between (a Received, say) ends the block, as does a
 * header of another server: whatever lies below came with the mail and may be forged. A server's
 * filters often write one header each (DKIM, SPF, DMARC), but none reports the same method twice:
 * a header that repeats a method already reported ends the block as well.
 * Empty when none is believed.
 */
export function believedResults(message: Message, context: ClassifyContext): AuthenticationEntry[] {
  const wanted = context.authservId?.trim().toLowerCase();
  if (!wanted) return [];
  const values = headerValues(message, 'authentication-results');
  // Mail built without the header order (tests of pure modules) reads as one unbroken block.
  const order = message.headerOrder ?? values.map(() => 'authentication-results');
  const entries: AuthenticationEntry[] = [];
  const methods = new Set<string>();
  let seen = 0;
  for (const key of order) {
    if (key !== 'authentication-results') {
      if (seen > 0) break;
      continue;
    }
    const parsed = parseAuthenticationResults(values[seen] ?? '');
    seen += 1;
    if (parsed?.authservId !== wanted) break;
    const own = new Set(parsed.entries.map((entry) => entry.method));
    if ([...own].some((method) => methods.has(method))) break;
    for (const method of own) methods.add(method);
    entries.push(...parsed.entries);
  }
  return entries;
}

/** The authserv-id of the topmost Authentication-Results header, for discovering the user's server; null when there is none. */
export function topAuthservId(message: Message): string | null {
  const top = headerValues(message, 'authentication-results')[0];
  const id = top === undefined ? null : (parseAuthenticationResults(top)?.authservId ?? null);
  return id !== null && /^[a-z0-9.-]{1,253}$/.test(id) ? id : null;
}

/** The domain a property names: "@mail.linkedin.com", "jane@linkedin.com" or "linkedin.com". */
function domainIn(value: string): string {
  return value.replace(/^.*@/, '').replace(/[.;"'\s]+$/, '').toLowerCase();
}

/** Exactly the domain or one of its subdomains: "linkedin.com.evil.example" is neither. */
function withinDomain(value: string, domain: string): boolean {
  const bare = domainIn(value);
  return bare !== '' && (bare === domain || bare.endsWith(`.${domain}`));
}

/** A set of verdicts on one mail and who gave them. */
interface Source {
  /** "Winnow's own check" or "mx.example.org". */
  who: string;
  entries: AuthenticationEntry[];
}

/** "at mx.example.org" for the receiving server, "in Winnow's own check" for Winnow's. */
function by(who: string): string {
  return who === OWN_CHECK ? `in ${who}` : `at ${who}`;
}

const OWN_CHECK = "Winnow's own check";

function sourcesOf(message: Message, context: ClassifyContext): Source[] {
  const sources: Source[] = [];
  const verification = context.verification;
  if (verification) sources.push({ who: OWN_CHECK, entries: verification.entries });
  const server = believedResults(message, context);
  if (server.length > 0) sources.push({ who: context.authservId!.trim().toLowerCase(), entries: server });
  return sources;
}

/**
 * Winnow's own check in words: "DKIM none, SPF not checked (…), no DMARC record". `fromDomain`
 * marks a DKIM pass for another domain as such.
 */
export function describeVerification(verification: OwnVerification, fromDomain: string): string {
  const words: string[] = [];
  const dkim = verification.entries.filter((entry) => entry.method === 'dkim');
  if (dkim.length === 0 || dkim.every((entry) => entry.result === 'none')) words.push('DKIM none');
  for (const entry of dkim.filter((row) => row.result !== 'none').slice(0, 3)) {
    const domain = domainIn(entry.properties['header.d'] ?? entry.properties['header.i'] ?? '');
    const other = domain !== '' && fromDomain !== '' && !aligned(domain, fromDomain) ? ', not the From domain' : '';
    words.push(`DKIM ${entry.result}${domain ? ` for ${domain}${other}` : ''}`);
  }
  const spf = verification.entries.find((entry) => entry.method === 'spf');
  if (verification.spfSkipped !== null) words.push(`SPF not checked (${verification.spfSkipped})`);
  else if (spf) words.push(`SPF ${spf.result}`);
  const dmarc = verification.entries.find((entry) => entry.method === 'dmarc');
  if (!dmarc || dmarc.result === 'none') words.push('no DMARC record');
  else words.push(`DMARC ${dmarc.result}${dmarc.properties['policy.dmarc'] ? ` (policy ${dmarc.properties['policy.dmarc']})` : ''}`);
  return words.join(', ');
}

/** What the receiving server said, or why nothing of it is believed, in words. */
function describeServer(message: Message, context: ClassifyContext): string {
  const server = context.authservId?.trim().toLowerCase();
  if (!server) return 'AUTHSERV_ID is not set, so no Authentication-Results of a receiving server are believed';
  const entries = believedResults(message, context).filter((entry) => ['dkim', 'spf', 'dmarc'].includes(entry.method));
  if (entries.length > 0) return `${server} reports ${entries.slice(0, 6).map((entry) => `${entry.method}=${entry.result}`).join(' ')}`;
  const ids = [...new Set(headerValues(message, 'authentication-results').map((raw) => parseAuthenticationResults(raw)?.authservId ?? '').filter((id) => id !== ''))];
  if (ids.length === 0) return `no Authentication-Results header of ${server}`;
  if (ids.includes(server)) return `the Authentication-Results of ${server} are not on top of the mail (not believed)`;
  return `no Authentication-Results of ${server} (only from ${ids.slice(0, 3).map((id) => cleanLine(id, 60)).join(', ')})`;
}

export type PlatformAuthentication =
  /** DKIM or DMARC passed for the platform's domain (Winnow's own check or the user's server). */
  | { outcome: 'pass'; detail: string }
  /** DKIM or DMARC failed for the platform's domain, and nothing passed: a forgery. */
  | { outcome: 'fail'; detail: string }
  /** Checked, and nothing passed for the platform's domain. */
  | { outcome: 'none'; detail: string }
  /** Nothing checked it: no own check (winnow scan) and no believed header of the user's server. */
  | { outcome: 'unverified'; detail: string };

function describe(entry: AuthenticationEntry, property: string): string {
  return `${entry.method}=${entry.result} ${property}=${entry.properties[property] ?? ''}`;
}

/**
 * Whether mail claiming to come from a platform really does: DKIM (header.d or header.i) or DMARC
 * (header.from) must pass for one of the platform's domains, exactly or a subdomain of it, in
 * Winnow's own check or in the Authentication-Results of the user's server (only that header
 * counts). A pass from either wins; a failure with no pass is a forgery.
 */
export function platformAuthentication(message: Message, domains: readonly string[], context: ClassifyContext): PlatformAuthentication {
  const sources = sourcesOf(message, context);
  const covers = (entry: AuthenticationEntry, property: string) => {
    const value = entry.properties[property];
    return value !== undefined && domains.some((domain) => withinDomain(value, domain));
  };
  const dkimProperty = (entry: AuthenticationEntry) => (covers(entry, 'header.d') ? 'header.d' : 'header.i');
  let failure: string | null = null;
  for (const { who, entries } of sources) {
    const dmarc = entries.filter((entry) => entry.method === 'dmarc' && covers(entry, 'header.from'));
    const dkim = entries.filter((entry) => entry.method === 'dkim' && (covers(entry, 'header.d') || covers(entry, 'header.i')));
    const dmarcPass = dmarc.find((entry) => entry.result === 'pass');
    const dmarcFail = dmarc.find((entry) => entry.result === 'fail');
    const dkimPass = dkim.find((entry) => entry.result === 'pass');
    const dkimFail = dkim.find((entry) => entry.result === 'fail' || entry.result === 'permerror');
    // The user's server's DMARC failure beats its own DKIM pass (the pass may be of a signature
    // that does not cover what DMARC checks); another source's pass is judged on its own.
    if (dmarcFail) failure ??= `${describe(dmarcFail, 'header.from')} ${by(who)}`;
    else if (dmarcPass) return { outcome: 'pass', detail: `${describe(dmarcPass, 'header.from')} ${by(who)}` };
    else if (dkimPass) return { outcome: 'pass', detail: `${describe(dkimPass, dkimProperty(dkimPass))} ${by(who)}` };
    else if (dkimFail) failure ??= `${describe(dkimFail, dkimProperty(dkimFail))} ${by(who)}`;
  }
  if (failure) return { outcome: 'fail', detail: failure };
  const own = context.verification ? `Winnow's own check: ${describeVerification(context.verification, domains[0] ?? '')}` : null;
  const detail = [own, describeServer(message, context)].filter((part) => part !== null).join('; ');
  if (sources.length === 0) return { outcome: 'unverified', detail };
  return { outcome: 'none', detail: `no DKIM or DMARC pass for ${domains.join(' or ')} (${detail})` };
}

export type AuthenticationOutcome = 'pass' | 'fail' | 'none';

/** Relaxed alignment (RFC 7489): a parent or child domain of the other counts. */
/** Whether `value` (a domain, or an address) is `domain`, under it, or above it: relaxed alignment (RFC 7489). */
export function aligned(value: string, domain: string): boolean {
  const bare = domainIn(value);
  if (!bare.includes('.')) return false;
  return bare === domain || bare.endsWith(`.${domain}`) || domain.endsWith(`.${bare}`);
}

export interface SenderAuthentication {
  outcome: AuthenticationOutcome;
  /** In words, for the timeline and the approval list: what passed, or why nothing did. */
  detail: string;
}

/**
 * Whether the mail is authenticated for the domain of its From address: DMARC pass, or a DKIM
 * pass aligned with the From domain, in Winnow's own check or at the user's server. SPF alone
 * never authenticates (the envelope sender is not the address the script would go to); it shows
 * in the words. `fail` when a source reports DMARC or aligned DKIM failing and nothing passed.
 */
export function senderAuthentication(message: Message, context: ClassifyContext): SenderAuthentication {
  const fromDomain = message.from ? domainOf(message.from.address) : '';
  const sources = sourcesOf(message, context);
  let failed = false;
  if (fromDomain !== '') {
    for (const { who, entries } of sources) {
      const dmarc = entries.filter((entry) => entry.method === 'dmarc' && (entry.properties['header.from'] === undefined || aligned(entry.properties['header.from'], fromDomain)));
      const dkim = entries.filter((entry) => entry.method === 'dkim' && [entry.properties['header.d'], entry.properties['header.i']].some((value) => value !== undefined && aligned(value, fromDomain)));
      if (dmarc.some((entry) => entry.result === 'pass')) return { outcome: 'pass', detail: `verified: DMARC pass for ${fromDomain} (${who})` };
      const signed = dkim.find((entry) => entry.result === 'pass');
      if (signed) return { outcome: 'pass', detail: `verified: DKIM pass for ${domainIn(signed.properties['header.d'] ?? signed.properties['header.i'] ?? fromDomain)}, the From domain (${who})` };
      if (dmarc.some((entry) => entry.result === 'fail') || dkim.some((entry) => entry.result === 'fail')) failed = true;
    }
  }
  const own = context.verification ? describeVerification(context.verification, fromDomain) : "not checked by Winnow itself";
  const what = failed ? 'the sender\'s domain failed verification' : 'the sender\'s domain could not be verified';
  return { outcome: failed ? 'fail' : 'none', detail: `${what}: ${own}; ${describeServer(message, context)}` };
}

/** The authserv-id that tops most recent mail, offered (never believed) for AUTHSERV_ID. */
export interface AuthservSuggestion {
  id: string;
  /** Mails it topped, of `total` recent ones. */
  count: number;
  total: number;
}

/** Fewest recent mails an id must top before it is offered. */
const SUGGEST_AT_LEAST = 3;

/**
 * From the authserv-id on top of each recent mail (null: none): the one that tops more than half
 * of them, and at least a few. A server that checks mail marks all of it; a sender's forged header
 * tops one mail, not most of them.
 */
export function suggestAuthservId(recent: ReadonlyArray<string | null>): AuthservSuggestion | null {
  const counts = new Map<string, number>();
  for (const id of recent) if (id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!best || best[1] < SUGGEST_AT_LEAST || best[1] * 2 <= recent.length) return null;
  return { id: best[0], count: best[1], total: recent.length };
}
