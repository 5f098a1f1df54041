/**
 * The Message-IDs Winnow gives its scripts: `winnow.<contact>.<attempt>@<the user's domain>`.
 * They name the person, so an answer leads straight back to them; src/detect/thread.ts reads them.
 */
export const SCRIPT_ID_PREFIX = 'winnow.';

export function scriptMessageId(contactId: string, attempt: number, domain: string): string {
  return `${SCRIPT_ID_PREFIX}${contactId}.${attempt}@${domain}`;
}

/**
 * The reminder that follows script number `attempt`: `winnow.<contact>.<attempt>.reminder@<domain>`.
 * It has our prefix, so a reply to the reminder is matched like a reply to the script.
 */
export function reminderMessageId(contactId: string, attempt: number, domain: string): string {
  return scriptMessageId(contactId, attempt, domain).replace('@', '.reminder@');
}

/** The domain of the user's own address, which our Message-IDs carry. */
export function messageIdDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'winnow.invalid';
}

/** Which script (or the reminder after it) one of our Message-IDs names; null for anyone else's. */
export interface OurMessage {
  contactId: string;
  attempt: number;
  reminder: boolean;
}

const OUR_ID = new RegExp(`^<?${SCRIPT_ID_PREFIX.replace('.', '\\.')}([A-Za-z0-9_-]+)\\.(\\d+)(\\.reminder)?@[^@\\s>]+>?$`, 'i');

export function readOurMessageId(messageId: string): OurMessage | null {
  const match = OUR_ID.exec(messageId.trim());
  if (!match) return null;
  return { contactId: match[1]!, attempt: Number(match[2]), reminder: match[3] !== undefined };
}
