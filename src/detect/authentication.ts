import { headerValues, type Message } from '../mail/message.ts';
import { domainOf } from './address.ts';
import { cleanLine } from './text.ts';
import type { ClassifyContext } from './types.ts';

/**
 * What the user's own receiving server wrote in Authentication-Results (RFC 8601), and nothing
 * else: a header is believed only when its authserv-id is the one configured (AUTHSERV_ID), and
 * only the run of such headers at the top (the server adds its own above whatever came with the
 * mail). Anyone can write an Authentication-Results header into the mail they send, so a pass in
 * any other header counts for nothing. This relies on the server removing forged headers that
 * carry its own authserv-id, as RFC 8601 §5 asks; see docs/DETECTION.md.
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
 * The Authentication-Results headers of the user's own server: from the first one carrying the
 * configured authserv-id, as long as they keep carrying it. A server's filters often write one
 * header each (DKIM, SPF, DMARC), but none reports the same method twice: a header that repeats a
 * method already reported came from further down, with the mail, and ends the run.
 * Empty when none is believed.
 */
export function believedResults(message: Message, context: ClassifyContext): AuthenticationEntry[] {
  const wanted = context.authservId?.trim().toLowerCase();
  if (!wanted) return [];
  const entries: AuthenticationEntry[] = [];
  const methods = new Set<string>();
  let started = false;
  for (const raw of headerValues(message, 'authentication-results')) {
    const parsed = parseAuthenticationResults(raw);
    if (parsed?.authservId !== wanted) {
      if (started) break;
      continue;
    }
    const own = new Set(parsed.entries.map((entry) => entry.method));
    if (started && [...own].some((method) => methods.has(method))) break;
    started = true;
    for (const method of own) methods.add(method);
    entries.push(...parsed.entries);
  }
  return entries;
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

export type PlatformAuthentication =
  /** DKIM or DMARC passed for the platform's domain at the user's server. */
  | { outcome: 'pass'; detail: string }
  /** The user's server saw DKIM or DMARC fail for the platform's domain. */
  | { outcome: 'fail'; detail: string }
  /**
   * Nothing passed for the platform's domain at the user's server: it checked and found no pass,
   * or the mail carries Authentication-Results of other servers only (written by anyone).
   */
  | { outcome: 'none'; detail: string }
  /** Nothing to check: no Authentication-Results header at all, or no authserv-id set. */
  | { outcome: 'unverified'; detail: string };

function describe(entry: AuthenticationEntry, property: string): string {
  return `${entry.method}=${entry.result} ${property}=${entry.properties[property] ?? ''}`;
}

/**
 * Whether mail claiming to come from a platform really does: DKIM (header.d or header.i) or DMARC
 * (header.from) must pass for one of the platform's domains, exactly or a subdomain of it, in the
 * Authentication-Results of the user's server (issue 3: only that header counts). Mail with no
 * Authentication-Results at all, or read without AUTHSERV_ID, is `unverified` (UNVERIFIED_MAIL
 * decides); mail whose only headers come from other servers is not: anyone can write those.
 */
export function platformAuthentication(message: Message, domains: readonly string[], context: ClassifyContext): PlatformAuthentication {
  const server = context.authservId?.trim().toLowerCase();
  if (!server) return { outcome: 'unverified', detail: 'AUTHSERV_ID is not set, so no Authentication-Results header can be believed' };
  const headers = headerValues(message, 'authentication-results');
  if (headers.length === 0) return { outcome: 'unverified', detail: 'no Authentication-Results header' };
  const entries = believedResults(message, context);
  if (entries.length === 0) {
    const servers = [...new Set(headers.map((raw) => parseAuthenticationResults(raw)?.authservId ?? '').filter((id) => id !== ''))];
    if (servers.includes(server)) return { outcome: 'none', detail: `${server} reports no DKIM or DMARC result` };
    const named = servers.slice(0, 3).map((id) => cleanLine(id, 60));
    return { outcome: 'none', detail: `Authentication-Results only from ${named.length > 0 ? named.join(', ') : 'no named server'}, none from ${server}` };
  }

  const covers = (entry: AuthenticationEntry, property: string) => {
    const value = entry.properties[property];
    return value !== undefined && domains.some((domain) => withinDomain(value, domain));
  };
  const dmarc = entries.filter((entry) => entry.method === 'dmarc' && covers(entry, 'header.from'));
  const dkim = entries.filter((entry) => entry.method === 'dkim' && (covers(entry, 'header.d') || covers(entry, 'header.i')));
  const dkimProperty = (entry: AuthenticationEntry) => (covers(entry, 'header.d') ? 'header.d' : 'header.i');

  const dmarcFail = dmarc.find((entry) => entry.result === 'fail');
  if (dmarcFail) return { outcome: 'fail', detail: `${describe(dmarcFail, 'header.from')} at ${server}` };
  const dmarcPass = dmarc.find((entry) => entry.result === 'pass');
  if (dmarcPass) return { outcome: 'pass', detail: `${describe(dmarcPass, 'header.from')} at ${server}` };
  const dkimPass = dkim.find((entry) => entry.result === 'pass');
  if (dkimPass) return { outcome: 'pass', detail: `${describe(dkimPass, dkimProperty(dkimPass))} at ${server}` };
  const dkimFail = dkim.find((entry) => entry.result === 'fail' || entry.result === 'permerror');
  if (dkimFail) return { outcome: 'fail', detail: `${describe(dkimFail, dkimProperty(dkimFail))} at ${server}` };
  return { outcome: 'none', detail: `no DKIM or DMARC pass for ${domains.join(' or ')} at ${server}` };
}

export type AuthenticationOutcome = 'pass' | 'fail' | 'none';

/** Relaxed alignment (RFC 7489): a parent or child domain of the other counts. */
function aligned(value: string, domain: string): boolean {
  const bare = domainIn(value);
  if (!bare.includes('.')) return false;
  return bare === domain || bare.endsWith(`.${domain}`) || domain.endsWith(`.${bare}`);
}

function outcomeFor(entries: AuthenticationEntry[], fromDomain: string): AuthenticationOutcome {
  const dmarc = entries.filter((entry) => entry.method === 'dmarc' && (entry.properties['header.from'] === undefined || aligned(entry.properties['header.from'], fromDomain)));
  if (dmarc.some((entry) => entry.result === 'fail')) return 'fail';
  if (dmarc.some((entry) => entry.result === 'pass')) return 'pass';
  const checks = entries.filter((entry) => entry.method === 'dkim' || entry.method === 'spf');
  const passed = checks.filter((entry) => entry.result === 'pass');
  if (fromDomain !== '' && passed.some((entry) => Object.values(entry.properties).some((value) => aligned(value, fromDomain)))) return 'pass';
  const failed = checks.some((entry) => entry.result === 'fail' || entry.result === 'softfail');
  return failed && passed.length === 0 ? 'fail' : 'none';
}

/**
 * Whether the mail is authenticated for the domain of its From address, by the user's server.
 * Without any header of the user's server, a failure in the topmost header still counts: a
 * failure never helps a sender, so believing it can only keep Winnow from writing to someone.
 */
export function senderAuthentication(message: Message, context: ClassifyContext): AuthenticationOutcome {
  const fromDomain = message.from ? domainOf(message.from.address) : '';
  const entries = believedResults(message, context);
  if (entries.length > 0) return outcomeFor(entries, fromDomain);
  const top = headerValues(message, 'authentication-results')[0];
  const parsed = top === undefined ? null : parseAuthenticationResults(top);
  return parsed && outcomeFor(parsed.entries, fromDomain) === 'fail' ? 'fail' : 'none';
}
