import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { webhookUrlFormProblem } from '../config/webhook.ts';

/**
 * Where webhooks may go. Only public unicast addresses: a URL pointing at loopback, a private
 * network, link-local, unique-local, carrier-grade NAT, multicast or an unspecified address is
 * refused, so whoever can add an endpoint (a stolen dashboard session, say) cannot make Winnow
 * probe the network it runs in. The name is resolved and every address it gives is checked; the
 * delivery resolves again and connects only to the address it checked, so a name that answers
 * differently later (DNS rebinding) is caught too. `allowPrivate` (WEBHOOK_ALLOW_PRIVATE) lifts
 * the rule for a receiver on the same machine or network.
 */

/** Resolves a host name to its addresses (`dns.promises.lookup` with `all`); replaceable for a test's own names. */
export type HostLookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
};

/** What kind of address this is, in words, when webhooks may not go to it; null for a public unicast address. */
export function forbiddenAddressKind(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return null;
  return RANGE_WORDS[range] ?? `a special-purpose address (${range})`;
}

/** `unresolved`: the name could not be looked up now (DNS trouble), which may pass later; else refused for good. */
export type UrlCheck = { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string; unresolved: boolean };

export interface UrlCheckOptions {
  allowPrivate: boolean;
  lookup?: HostLookup;
}

/** Whether webhooks may be sent to `raw`: its form, and every address its host resolves to. */
export async function checkWebhookUrl(raw: string, options: UrlCheckOptions): Promise<UrlCheck> {
  const problem = webhookUrlFormProblem(raw);
  if (problem) return { ok: false, reason: `${raw} ${problem}`, unresolved: false };
  const url = new URL(raw);
  const resolved = await resolveChecked(hostOf(url), options);
  if ('reason' in resolved) return { ok: false, reason: resolved.reason, unresolved: resolved.unresolved ?? false };
  return { ok: true, url, addresses: resolved.addresses };
}

/** The host as DNS and the address check read it (an IPv6 literal without its brackets). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

async function resolveChecked(host: string, options: UrlCheckOptions): Promise<{ addresses: string[] } | { reason: string; unresolved?: true }> {
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await (options.lookup ?? systemLookup)(host)).map((entry) => entry.address);
    } catch (error) {
      return { reason: `${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, unresolved: true };
    }
    if (addresses.length === 0) return { reason: `${host} resolves to no address` };
  }
  if (!options.allowPrivate) {
    // Every address counts: a name with one public and one private address could be made to use either.
    for (const address of addresses) {
      const kind = forbiddenAddressKind(address);
      if (!kind) continue;
      const what = host === address ? `${address} is ${kind}` : `${host} resolves to ${address}, which is ${kind}`;
      return { reason: `${what}; webhooks go only to public addresses unless WEBHOOK_ALLOW_PRIVATE=true` };
    }
  }
  return { addresses };
}

/**
 * A `lookup` for http.request that resolves the host again at connection time and hands the
 * socket only addresses that pass the check: what was checked is what is connected to.
 */
export function checkedLookup(options: UrlCheckOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveChecked(hostname.replace(/^\[(.*)\]$/, '$1'), options).then(
      (resolved) => {
        if ('reason' in resolved) {
          callback(Object.assign(new Error(resolved.reason), { code: 'EWEBHOOKADDRESS' }), '', 0);
          return;
        }
        const entries = resolved.addresses.map((address) => ({ address, family: ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4 }));
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? entries.filter((entry) => entry.family === lookupOptions.family) : entries;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${lookupOptions.family} address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        // Node asks for every address when it may try several (autoSelectFamily), else for one.
        if (lookupOptions.all) (callback as unknown as (error: null, addresses: typeof wanted) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
