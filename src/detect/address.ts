import { domainToUnicode } from 'node:url';
import { isMailboxAddress } from '../text/address.ts';
import { fold } from '../text/fold.ts';
import { PLATFORM_RULES } from './platforms/index.ts';
import type { ClassifyContext } from './types.ts';

/**
 * Address rules shared by every detector: who is a robot, who is the user, which domains belong
 * to platforms and which only pretend to. One place decides "may the script go to this address?".
 */

/** Domains whose addresses are platform relays or robots, never a person we may write to. */
export const PLATFORM_DOMAINS: readonly string[] = PLATFORM_RULES.flatMap((rules) => rules.domains);

export function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}

/** Domains whose mailboxes ignore dots in the local part, and the one domain each is known by. */
const DOTLESS_DOMAINS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The mailbox an address delivers to, as far as can be told from outside: lower case, without a
 * `+tag` (jane+linkedin@ and jane@ reach one person), and for Gmail without dots in the local
 * part and with googlemail.com read as gmail.com. The key that dedupe and the volume caps count
 * by, so one mailbox cannot be made to look like many. Never an address to write to: the script
 * goes to the address as the person gave it.
 */
export function mailboxIdentity(address: string): string {
  const domain = domainOf(address);
  let local = localPart(address);
  // A tag only after a non-empty name: "+tag@" alone is a name of its own.
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless) return `${local.replaceAll('.', '')}@${dotless}`;
  return domain ? `${local}@${domain}` : local;
}

/** True when the address's domain is `domain` or one of its subdomains. */
export function inDomain(address: string, domain: string): boolean {
  const own = domainOf(address);
  return own === domain || own.endsWith(`.${domain}`);
}

export function platformDomainOf(address: string): string | null {
  return PLATFORM_DOMAINS.find((domain) => inDomain(address, domain)) ?? null;
}

/** Other domains the platforms own (short links, CDNs, country domains): no person's mailbox either. */
const RELATED_DOMAINS: readonly string[] = PLATFORM_RULES.flatMap((rules) => rules.relatedDomains);

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

/** No-reply spellings beyond the robot rules above, in the supported languages. */
export const NO_REPLY_LOCAL = /(?:^|[-_.+])(?:no[-_.]?respon[sd]e?|do[-_.]?not[-_.]?respond|dont[-_.]?reply|do[-_.]?not[-_.]?answer|unmonitored|no[-_.]?return|ne[-_.]?pas[-_.]?repondre|nicht[-_.]?antworten|keine[-_.]?antwort|no[-_.]?responder|nao[-_.]?responda|non[-_.]?rispondere|niet[-_.]?beantwoorden|geen[-_.]?antwoord)(?:$|[-_.+])/;

/** Pigeonhole's system senders: MAILER-DAEMON*, LISTSERV*, majordomo* (any case), *-request@, owner-*. */
export function isSystemAddress(address: string): boolean {
  const lower = address.toLowerCase();
  const local = localPart(lower);
  return /^(?:mailer-daemon|listserv|majordomo)/.test(local) || local.endsWith('-request') || local.startsWith('owner-');
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

/**
 * Why the script may not go to this address, or null when it may:
 * never the user, never a platform's relay or other domain, never a robot or list address.
 */
export function refusalFor(address: string, context: ClassifyContext): string | null {
  if (!isMailboxAddress(address)) return 'not a usable address';
  if (isOwnAddress(address, context)) return 'your own address';
  const platform = platformDomainOf(address) ?? RELATED_DOMAINS.find((domain) => inDomain(address, domain));
  if (platform) return `a ${platform} address`;
  const imitated = imitatedDomain(domainOf(address));
  if (imitated) return `an address imitating ${imitated}`;
  const robot = robotRule(address);
  if (robot) return `a ${robot} address`;
  if (NO_REPLY_LOCAL.test(localPart(address))) return 'a no-reply address';
  if (isSystemAddress(address)) return 'a system address';
  return null;
}

export function mayWriteTo(address: string, context: ClassifyContext): boolean {
  return refusalFor(address, context) === null;
}

// Look-alike domains: "linkedln.com", "linkedin-mail.com", "linkedin.com.evil.example",
// "faceb00k-security.com". A domain is compared by its skeleton: letters that look alike made
// the same, so that "l", "i", "1" and "|" all read as one letter, "0" as "o", "rn" as "m".

const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic and Greek letters that render like Latin ones.
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
  '0': 'o', '1': 'i', '3': 'e', '5': 's', '|': 'i', '!': 'i', l: 'i',
};

/** The form in which look-alike spellings of a word become equal: folded, then homoglyphs made one. */
export function skeleton(text: string): string {
  let result = '';
  for (const char of fold(text)) result += HOMOGLYPHS[char] ?? char;
  return result.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/cl/g, 'd');
}

/** Words put before or after a brand to make a domain look official ("linkedin-mail", "secure-facebook"). */
const AFFIXES = new Set(
  ['mail', 'mails', 'email', 'notify', 'notification', 'notifications', 'support', 'security', 'secure', 'team', 'login', 'verify', 'app', 'apps', 'inc', 'corp', 'official', 'help', 'service', 'services', 'alert', 'alerts', 'account', 'accounts', 'my', 'the', 'www', 'info', 'news', 'noreply', 'connect', 'invite', 'invites', 'invitations', 'network', 'members', 'hq', 'online', 'web', 'id'].map(skeleton),
);

interface Brand {
  domain: string;
  word: string;
  match: 'substring' | 'token';
}

const BRANDS: Brand[] = PLATFORM_RULES.flatMap((rules) => rules.brands.map((brand) => ({ domain: rules.domains[0] ?? '', word: skeleton(brand.word.replace(/[-_]/g, '')), match: brand.match })));
const OWNED: string[] = PLATFORM_RULES.flatMap((rules) => [...rules.domains, ...rules.relatedDomains]);

function tokenMatches(token: string, word: string): boolean {
  if (token === word) return true;
  if (token.startsWith(word) && AFFIXES.has(token.slice(word.length))) return true;
  return token.endsWith(word) && AFFIXES.has(token.slice(0, token.length - word.length));
}

/**
 * The platform domain a domain imitates, or null. A platform's own domains and subdomains are not
 * imitations; anything else carrying the brand in a label is ("linkedin.com.evil.example" too).
 */
export function imitatedDomain(domain: string): string | null {
  const lower = domain.trim().toLowerCase().replace(/\.$/, '');
  if (lower === '' || OWNED.some((owned) => lower === owned || lower.endsWith(`.${owned}`))) return null;
  let unicode = lower;
  try {
    unicode = domainToUnicode(lower) || lower;
  } catch {
    // An unreadable punycode label is read as it is written.
  }
  const labels = unicode.split('.').map(skeleton);
  for (const brand of BRANDS) {
    for (const label of labels) {
      if (brand.match === 'substring' && label.replace(/[-_]/g, '').includes(brand.word)) return brand.domain;
      if (brand.match === 'token' && label.split(/[-_]+/).some((token) => tokenMatches(token, brand.word))) return brand.domain;
    }
  }
  return null;
}
