import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { assembleWithoutAttachments, planWithoutAttachments, type StructureNode } from './without-attachments.ts';

/** How to reach and log in to the user's mailbox. */
export interface ImapAccount {
  host: string;
  port: number;
  secure: boolean;
  /** Without `secure`: insist on STARTTLS before logging in (refuse a server that does not offer it). */
  requireTls: boolean;
  user: string;
  pass: string;
  /** An OAuth2 access token (XOAUTH2), used instead of the password when given. */
  accessToken?: string;
}

/**
 * A new imapflow client for one connection (clients are single-use). The caller attaches its
 * `error` listener before connecting and owns the close.
 */
export function createImapClient(account: ImapAccount, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: account.accessToken ? { user: account.user, accessToken: account.accessToken } : { user: account.user, pass: account.pass },
    // imapflow logs every command; Winnow logs what matters through its own logger.
    logger: false,
    connectionTimeout: 15_000,
    // imapflow 2.1.2 reads doSTARTTLS but does not declare it in its types. Without it, a server
    // (or a man in the middle) that hides STARTTLS would receive the password in clear text.
    ...(account.requireTls ? ({ doSTARTTLS: true } as Partial<ImapFlowOptions>) : {}),
    ...options,
  });
}

/** UIDs as an IMAP set, runs folded ("1:250" rather than 250 numbers). */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; i += 1) {
    const first = uids[i]!;
    let last = first;
    while (uids[i + 1] === last + 1) last = uids[++i]!;
    parts.push(first === last ? String(first) : `${first}:${last}`);
  }
  return parts.join(',');
}

/**
 * One message of the open folder read without its attachments (src/mail/without-attachments.ts):
 * its BODYSTRUCTURE first, then its header and the parts that hold text, at most `limit` bytes of
 * them. Null when it holds more text than that, its structure cannot be put back together, or it
 * is no longer there.
 */
export async function readWithoutAttachments(client: ImapFlow, uid: number, limit: number): Promise<Buffer | null> {
  const shape = await client.fetchOne(String(uid), { uid: true, bodyStructure: true }, { uid: true });
  const structure = shape ? (shape.bodyStructure as StructureNode | undefined) : undefined;
  const plan = structure ? planWithoutAttachments(structure, limit) : null;
  if (!structure || !plan) return null;
  const parts = await client.fetchOne(String(uid), { uid: true, headers: true, bodyParts: plan.sections }, { uid: true });
  if (!parts || !parts.headers) return null;
  return assembleWithoutAttachments(structure, parts.headers, parts.bodyParts ?? new Map());
}
