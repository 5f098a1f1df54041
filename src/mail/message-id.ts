import { createHmac, timingSafeEqual } from 'node:crypto';
import { isContactId } from '../text/ids.ts';

/**
 * The Message-IDs Winnow gives its scripts: `winnow.<contact>.<attempt>.<seal>@<the user's domain>`,
 * and for the reminder after script n `winnow.<contact>.<n>.reminder.<seal>@<domain>`. They name
 * the person, so an answer leads straight back to them (src/detect/thread.ts finds them in
 * threading headers and bounces). The seal is an HMAC of the rest with the server's secret
 * (WINNOW_SECRET, or the one generated at first start): the contact part is a hash anyone can
 * compute from an address, so without the seal anyone could thread a "reply" or forge a bounce
 * that moves a stranger's record. Only the person who received the script knows its id.
 *
 * Ids written before the seal existed (`winnow.<contact>.<n>@<domain>`) are still read, as
 * `sealed: false`: they prove nothing, so an answer to one counts only when it is authenticated
 * from the person's own address, and a bounce naming one changes nothing (docs/SECURITY.md).
 */
export const SCRIPT_ID_PREFIX = 'winnow.';

/** Hex digits of the seal kept in the id: 128 bits, lower case so a case-folding client keeps it valid. */
const SEAL_CHARS = 32;

function seal(secret: string, local: string, domain: string): string {
  return createHmac('sha256', secret).update(`${local}@${domain.toLowerCase()}`).digest('hex').slice(0, SEAL_CHARS);
}

function sealed(secret: string, local: string, domain: string): string {
  return `${local}.${seal(secret, local, domain)}@${domain}`;
}

export function scriptMessageId(contactId: string, attempt: number, domain: string, secret: string): string {
  return sealed(secret, `${SCRIPT_ID_PREFIX}${contactId}.${attempt}`, domain);
}

/** The reminder that follows script number `attempt`; it has our prefix, so a reply to it is matched like one to the script. */
export function reminderMessageId(contactId: string, attempt: number, domain: string, secret: string): string {
  return sealed(secret, `${SCRIPT_ID_PREFIX}${contactId}.${attempt}.reminder`, domain);
}

/** What one of our Message-IDs says, once its seal is checked. */
export interface ScriptIdReading {
  contactId: string;
  attempt: number;
  reminder: boolean;
  /** True: the seal is ours. False: an id in the format from before seals (proves nothing). */
  sealed: boolean;
}

/** The parts of one of our Message-IDs, its seal not yet checked; null for anyone else's. */
function parseScriptMessageId(id: string): { reading: Omit<ScriptIdReading, 'sealed'>; seal: string | null; sealedPart: string; domain: string } | null {
  const bare = id.trim().replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  if (at < 0 || !bare.toLowerCase().startsWith(SCRIPT_ID_PREFIX)) return null;
  const local = bare.slice(0, at);
  const domain = bare.slice(at + 1);
  const parts = local.slice(SCRIPT_ID_PREFIX.length).split('.');
  const last = parts.at(-1) ?? '';
  const hasSeal = parts.length >= 3 && new RegExp(`^[0-9a-f]{${SEAL_CHARS}}$`, 'i').test(last);
  const body = hasSeal ? parts.slice(0, -1) : parts;
  const [contactId = '', attemptText = '', ...rest] = body;
  const reminder = rest.length === 1 && rest[0]?.toLowerCase() === 'reminder';
  if (!isContactId(contactId) || !/^[1-9][0-9]{0,5}$/.test(attemptText) || (rest.length > 0 && !reminder)) return null;
  return {
    reading: { contactId, attempt: Number(attemptText), reminder },
    seal: hasSeal ? last.toLowerCase() : null,
    sealedPart: hasSeal ? local.slice(0, local.length - last.length - 1) : local,
    domain,
  };
}

/**
 * Reads a Message-ID (without angle brackets) of ours: null when it is not one, or when it carries
 * a seal that is not ours (forged, or made with another secret).
 */
export function readScriptMessageId(id: string, secret: string): ScriptIdReading | null {
  const parsed = parseScriptMessageId(id);
  if (!parsed) return null;
  if (parsed.seal === null) return { ...parsed.reading, sealed: false };
  const expected = Buffer.from(seal(secret, parsed.sealedPart, parsed.domain));
  const given = Buffer.from(parsed.seal);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ...parsed.reading, sealed: true } : null;
}

/** The domain of the user's own address, which our Message-IDs carry. */
export function messageIdDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'winnow.invalid';
}

/**
 * Which script (or the reminder after it) one of our Message-IDs names, for display (the person's
 * timeline, where Winnow itself filed the ids); null for anyone else's. The seal is not checked
 * here: deciding what a mail may change is readScriptMessageId's job.
 */
export interface OurMessage {
  contactId: string;
  attempt: number;
  reminder: boolean;
}

export function readOurMessageId(messageId: string): OurMessage | null {
  return parseScriptMessageId(messageId)?.reading ?? null;
}
