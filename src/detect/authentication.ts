import { headerValues, type Message } from '../mail/message.ts';
import { domainOf } from './address.ts';

/**
 * What the receiving server wrote in Authentication-Results (RFC 8601). Only the topmost header
 * is read: it is the one our own server added; anything below it came with the mail and could be
 * written by the sender. Whether the topmost one is trustworthy depends on the server stripping
 * forged copies, which is a deployment matter (an authserv-id setting would make it checkable).
 */
export type AuthenticationOutcome = 'pass' | 'fail' | 'none';

function topResults(message: Message): string {
  return (headerValues(message, 'authentication-results')[0] ?? '').toLowerCase();
}

function coversDomain(value: string, domain: string): boolean {
  const bare = value.replace(/^.*@/, '').replace(/[;"'\s]+$/, '');
  if (!bare.includes('.')) return false;
  // Relaxed alignment (RFC 7489): a parent or child domain of the other counts.
  return bare === domain || bare.endsWith(`.${domain}`) || domain.endsWith(`.${bare}`);
}

/** Results entries like "dkim=pass header.d=linkedin.com" as { method, result, properties }. */
function entries(results: string): Array<{ method: string; result: string; properties: string[] }> {
  return results
    .split(';')
    .slice(1)
    .map((part) => part.trim())
    .map((part) => {
      const match = /^([a-z0-9-]+)\s*=\s*([a-z]+)/.exec(part);
      const properties = [...part.matchAll(/\b(?:header\.[a-z]+|smtp\.[a-z]+)\s*=\s*("?)([^\s;"]+)\1/g)].map((found) => found[2] ?? '');
      return { method: match?.[1] ?? '', result: match?.[2] ?? '', properties };
    })
    .filter((entry) => entry.method !== '');
}

/** Whether the mail is authenticated for the domain of its From address. */
export function senderAuthentication(message: Message): AuthenticationOutcome {
  const results = topResults(message);
  if (results === '') return 'none';
  const fromDomain = message.from ? domainOf(message.from.address) : '';
  const list = entries(results);
  const dmarc = list.find((entry) => entry.method === 'dmarc');
  if (dmarc?.result === 'fail') return 'fail';
  if (dmarc?.result === 'pass') return 'pass';
  if (fromDomain !== '' && list.some((entry) => entry.result === 'pass' && (entry.method === 'dkim' || entry.method === 'spf') && entry.properties.some((value) => coversDomain(value, fromDomain)))) {
    return 'pass';
  }
  const failed = list.some((entry) => (entry.method === 'dkim' || entry.method === 'spf') && (entry.result === 'fail' || entry.result === 'softfail'));
  const passed = list.some((entry) => (entry.method === 'dkim' || entry.method === 'spf') && entry.result === 'pass');
  return failed && !passed ? 'fail' : 'none';
}

/** True when DKIM or SPF passed for `domain` (or a subdomain) according to the topmost results. */
export function authenticatedFor(message: Message, domain: string): boolean {
  return entries(topResults(message)).some(
    (entry) => entry.result === 'pass' && (entry.method === 'dkim' || entry.method === 'spf') && entry.properties.some((value) => coversDomain(value, domain)),
  );
}
