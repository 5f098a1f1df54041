import type { ClassifyContext } from './types.ts';

/**
 * Address rules shared by every detector: who is a robot, who is the user, which domains belong
 * to platforms. One place decides "may the script go to this address?".
 */

/** Domains whose addresses are platform relays or robots, never a person we may write to. */
export const PLATFORM_DOMAINS = ['linkedin.com', 'facebookmail.com', 'facebook.com', 'xing.com', 'twitter.com', 'x.com'] as const;

export function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}

/** True when the address's domain is `domain` or one of its subdomains. */
export function inDomain(address: string, domain: string): boolean {
  const own = domainOf(address);
  return own === domain || own.endsWith(`.${domain}`);
}

export function platformDomainOf(address: string): string | null {
  return PLATFORM_DOMAINS.find((domain) => inDomain(address, domain)) ?? null;
}

const ROBOT_RULES: Array<{ pattern: RegExp; name: string }> = [
  { pattern: /^mailer[-_.]?daemon$/, name: 'mailer-daemon' },
  { pattern: /^postmaster$/, name: 'postmaster' },
  { pattern: /^(?:listserv|majordomo|mailman|lyris|sympa)$/, name: 'list server' },
  { pattern: /(?:^|[-_.+])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|noreplies)(?:$|[-_.+])/, name: 'no-reply' },
  { pattern: /^(?:bounces?|bounce[-_.+].*|.*[-_.+]bounces?)$/, name: 'bounce' },
  { pattern: /^(?:notifications?|notify|notification[-_.+].*|notifications[-_.+].*)$/, name: 'notifications' },
  { pattern: /^owner-|-owner$/, name: 'list owner' },
  { pattern: /-request$/, name: 'list request' },
];

/** The name of the robot rule an address's local part matches (RFC 3834 §2, RFC 5230 §4.5), or null. */
export function robotRule(address: string): string | null {
  const local = localPart(address);
  if (local === '') return null;
  return ROBOT_RULES.find((rule) => rule.pattern.test(local))?.name ?? null;
}

/** Own addresses match with and without a "+tag" (me+winnow@example.com is still me). */
export function isOwnAddress(address: string, context: ClassifyContext): boolean {
  const lower = address.trim().toLowerCase();
  if (lower === '') return false;
  const untagged = `${localPart(lower).replace(/\+.*$/, '')}@${domainOf(lower)}`;
  return context.ownAddresses.some((own) => {
    const ownLower = own.trim().toLowerCase();
    return ownLower === lower || ownLower === untagged;
  });
}

/** A plausible single mailbox: one "@", no spaces or control characters, a dotted domain. */
export function isPlausibleAddress(address: string): boolean {
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (address.length > 254 || /[\s\u0000-\u001f\u007f<>(),;:"\\[\]]/.test(address)) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return false;
  const domain = address.slice(at + 1);
  return /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i.test(domain);
}

/**
 * Why the script may not go to this address, or null when it may:
 * never the user, never a platform relay, never a robot or list address.
 */
export function refusalFor(address: string, context: ClassifyContext): string | null {
  if (!isPlausibleAddress(address)) return 'not a usable address';
  if (isOwnAddress(address, context)) return 'your own address';
  const platform = platformDomainOf(address);
  if (platform) return `a ${platform} address`;
  const robot = robotRule(address);
  if (robot) return `a ${robot} address`;
  return null;
}

export function mayWriteTo(address: string, context: ClassifyContext): boolean {
  return refusalFor(address, context) === null;
}
