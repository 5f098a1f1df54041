import addressparser from 'nodemailer/lib/addressparser';

/**
 * The one address validator. Reading an address field ("Ada <ada@example.com>", a bare address,
 * a quoted name with a comma) is nodemailer's addressparser's job; what it hands back is then held
 * to the rules for an address we would write to: one "@", a local part of at most 64 characters
 * with no spaces, control characters or specials and no stray dots, and a domain of letter-digit-
 * hyphen labels ending in a top-level domain of letters (or an IDNA "xn--" one).
 */

export interface AddressRules {
  /** Also accept a domain of one label ("ada@localhost", "me@mailhost"): only for the user's own address. */
  singleLabelDomain?: boolean;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** A host name mail can be delivered to: "example.org", "mail.example.co.uk" (case ignored). */
export function isDomainName(domain: string, rules: AddressRules = {}): boolean {
  const lower = domain.toLowerCase();
  if (lower.length > 253) return false;
  const labels = lower.split('.');
  if (!labels.every((label) => LABEL.test(label))) return false;
  if (labels.length === 1) return rules.singleLabelDomain === true;
  return TOP_LEVEL.test(labels.at(-1)!);
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NOT_IN_LOCAL_PART = /[\s\u0000-\u001f\u007f<>(),;:"\\[\]@]/;

/** A single bare mailbox address ("jane.doe+tag@example.org"), nothing around it. */
export function isMailboxAddress(address: string, rules: AddressRules = {}): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  if (local.length > 64 || NOT_IN_LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return isDomainName(address.slice(at + 1), rules);
}

/** An address as a person types it into a form: one bare address, trimmed, its domain lower-cased; null when it is not one. */
export function typedAddress(input: string): string | null {
  const address = input.trim();
  return isMailboxAddress(address) ? withLowerCaseDomain(address) : null;
}

function withLowerCaseDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/**
 * The one mailbox an address field names, with its display name; the domain lower-cased. Null
 * when the field names none, several, a group, or an address that breaks the rules above.
 */
export function parseMailbox(field: string, rules: AddressRules = {}): { name: string; address: string } | null {
  // A line break would let a header be injected wherever the value is written.
  if (/[\r\n]/.test(field)) return null;
  const entries = addressparser(field.trim());
  if (entries.length !== 1) return null;
  const entry = entries[0]!;
  if (entry.group !== undefined || !isMailboxAddress(entry.address, rules)) return null;
  // Words before a bare address ("jane doe@example.org") are a typo, not a display name.
  if (!field.includes('<') && entry.name.trim() !== '') return null;
  return { name: entry.name.trim(), address: withLowerCaseDomain(entry.address) };
}
