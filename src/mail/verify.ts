import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { headerValues, type Message } from './message.ts';

/** Winnow's own authentication of one message, as the entries an Authentication-Results header would list. */
export interface OwnVerification {
  /** dkim (one per signature, or one "none"), spf (when checked) and dmarc entries. */
  entries: Array<{ method: string; result: string; properties: Record<string, string> }>;
  /** Why SPF was not checked (no sending host known from the receiving server's headers), or null. */
  spfSkipped: string | null;
  /** A DNS lookup failed for the moment (temperror): the verdict may change when tried again. */
  temporary: boolean;
}

/**
 * Winnow's own check of where a mail comes from, with mailauth: every DKIM signature,
 * DMARC for the From domain, and SPF when the receiving server's own Received header names the
 * host that handed the mail over. The result is plain data for classification
 * (ClassifyContext.verification); the judgement lives in src/detect/authentication.ts.
 */

/** The `dns.promises.resolve` signature mailauth asks for; tests pass a local one (no network). */
export type DnsResolver = (name: string, type: string) => Promise<unknown>;

/** How long one DNS question may take, and how often it is asked, before it counts as a temporary failure. */
const DNS_TIMEOUT_MS = 2500;
const DNS_TRIES = 2;

/** The system's resolvers, with a timeout: a silent DNS server must not hold the inbound queue. */
export function systemResolver(): DnsResolver {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  return (name, type) => resolver.resolve(name, type);
}

/** Answers (and "no such record") kept this long: keys and policies change seldom, and LinkedIn's key is asked for all day. */
const CACHE_MS = 10 * 60_000;
const CACHE_ENTRIES = 5000;
/** Errors that say the record does not exist, as opposed to a failed lookup. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** Keeps answers for a while, up to a bounded number; failed lookups (timeouts) are not kept. */
export function cachedResolver(resolve: DnsResolver, now: () => number = Date.now): DnsResolver {
  const cache = new Map<string, { until: number; value?: unknown; error?: unknown }>();
  return async (name, type) => {
    const key = `${type} ${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && hit.until > now()) {
      if ('error' in hit) throw hit.error;
      return hit.value;
    }
    cache.delete(key);
    const remember = (entry: { value?: unknown; error?: unknown }) => {
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, { until: now() + CACHE_MS, ...entry });
    };
    try {
      const value = await resolve(name, type);
      remember({ value });
      return value;
    } catch (error) {
      if (ABSENT.has((error as { code?: string }).code ?? '')) remember({ error });
      throw error;
    }
  };
}

/** The host that handed the mail to the user's server, as that server's Received header records it. */
export interface SendingHost {
  ip: string;
  helo: string;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.toLowerCase().startsWith('::ffff:127.');
}

/**
 * The sending host from the topmost Received header that records a connection from outside: hops
 * on the server itself (a content filter, LMTP delivery: from 127.0.0.1) and lines without a from
 * clause are passed over; the first line naming an outside address is the server's record of who
 * connected, which the sender cannot write. Everything below it came with the mail and is not read.
 * The address is the one in brackets (the TCP connection, RFC 5321 §4.4), not the HELO name.
 */
export function sendingHost(message: Message): SendingHost | { ip: null; why: string } {
  const received = headerValues(message, 'received');
  if (received.length === 0) return { ip: null, why: 'no Received header of your server names the sending host' };
  for (const line of received.slice(0, 10)) {
    const from = /^\s*from\s+(\S+)([\s\S]*?)(?:\bby\b|;|$)/i.exec(line);
    if (!from) continue;
    const addresses = [...(from[2] ?? '').matchAll(/\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\]/g)].map((match) => match[1] ?? '').filter((ip) => isIP(ip) !== 0);
    const helo = (from[1] ?? '').replace(/^\[|\]$/g, '');
    const ip = addresses.at(-1) ?? (isIP(helo) !== 0 ? helo : null);
    if (ip === null) return { ip: null, why: 'the topmost Received header gives no address of the sending host' };
    if (isLoopback(ip)) continue;
    return { ip, helo };
  }
  return { ip: null, why: 'the Received headers on top record only hops on your own server' };
}

function property(entry: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entry).filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '').map(([key, value]) => [key, value.toLowerCase()]));
}

/**
 * mailauth and what it brings (joi, undici, tldts, an XML parser) take about a fifth of Winnow's
 * start-up to load, and no mail needs it before the watcher is up: it is loaded on first use, and
 * warmed a moment after start so the first mail does not wait for it either.
 */
let mailauth: Promise<typeof import('mailauth')> | null = null;
function loadMailauth(): Promise<typeof import('mailauth')> {
  mailauth ??= import('mailauth').catch((error: unknown) => {
    mailauth = null;
    throw error;
  });
  return mailauth;
}

const WARM_UP_AFTER_MS = 1_000;

export function createMailVerifier(resolver: DnsResolver) {
  setTimeout(() => void loadMailauth().catch(() => undefined), WARM_UP_AFTER_MS).unref();
  return {
    /** Checks one raw message; never throws (a failure of the check itself reads as a temporary error). */
    async verify(raw: Buffer, message: Message): Promise<OwnVerification> {
      const host = sendingHost(message);
      // The envelope sender as the receiving server recorded it (Return-Path, written at delivery).
      const spfSkipped = host.ip === null ? host.why : message.returnPath === null ? 'no Return-Path header records the envelope sender' : null;
      try {
        const { authenticate } = await loadMailauth();
        const result = await authenticate(raw, {
          resolver: resolver as never,
          mta: 'winnow',
          disableArc: true,
          disableBimi: true,
          ...(spfSkipped === null && host.ip !== null ? { ip: host.ip, helo: host.helo, sender: message.returnPath ?? '' } : {}),
        });
        const entries: OwnVerification['entries'] = [];
        for (const row of result.dkim?.results ?? []) {
          const status = row.status as { result?: string; header?: { i?: string; s?: string } } | undefined;
          entries.push({ method: 'dkim', result: status?.result ?? 'none', properties: property({ 'header.d': row.signingDomain, 'header.i': status?.header?.i, 'header.s': status?.header?.s }) });
        }
        if (entries.length === 0) entries.push({ method: 'dkim', result: 'none', properties: {} });
        if (spfSkipped === null && result.spf) {
          entries.push({ method: 'spf', result: result.spf.status?.result ?? 'none', properties: property({ 'smtp.mailfrom': result.spf.domain }) });
        }
        const dmarc = result.dmarc;
        if (dmarc) {
          entries.push({ method: 'dmarc', result: dmarc.status?.result ?? 'none', properties: property({ 'header.from': dmarc.status?.header?.from, 'policy.dmarc': dmarc.policy }) });
        }
        const temporary = entries.some((entry) => entry.result === 'temperror');
        return { entries, spfSkipped, temporary };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return { entries: [{ method: 'dkim', result: 'temperror', properties: { reason: why.slice(0, 200) } }], spfSkipped, temporary: true };
      }
    },
  };
}

export type MailVerifier = ReturnType<typeof createMailVerifier>;
