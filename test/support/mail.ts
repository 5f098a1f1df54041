import type Mail from 'nodemailer/lib/mailer/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/**
 * Builds raw RFC 5322 messages for tests, demos and benchmarks with nodemailer's MailComposer:
 * the same code that writes real mail, so constructed mail has real MIME structure, encoded
 * words and folding. Messages built here are constructed, not real samples; say so where used.
 */
export type MailAddress = string | { name: string; address: string };

export interface MailFields {
  from?: MailAddress;
  sender?: MailAddress;
  to?: MailAddress | MailAddress[];
  cc?: MailAddress | MailAddress[];
  bcc?: MailAddress | MailAddress[];
  replyTo?: MailAddress | MailAddress[];
  subject?: string;
  text?: string;
  html?: string;
  /**
   * Extra headers. A value may be a list (the header repeats) or `{ prepared: true, value }`
   * to pass a value through unencoded, e.g. a hand-made encoded word or a null Return-Path.
   */
  headers?: Mail.Headers;
  /** A Message-ID with or without angle brackets. */
  inReplyTo?: string;
  references?: string | string[];
  /** With or without angle brackets; nodemailer makes one up when absent. */
  messageId?: string;
  /** Defaults to now, as nodemailer does. */
  date?: Date | string;
  attachments?: Mail.Attachment[];
  /** Mailing-list headers (List-Id, List-Unsubscribe, ...), in nodemailer's `list` form. */
  list?: Mail.ListHeaders;
}

function angled(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

export async function buildMail(fields: MailFields): Promise<Buffer> {
  const options: Mail.Options = {
    ...fields,
    ...(fields.messageId !== undefined ? { messageId: angled(fields.messageId) } : {}),
    ...(fields.inReplyTo !== undefined ? { inReplyTo: angled(fields.inReplyTo) } : {}),
    ...(fields.references !== undefined
      ? { references: (Array.isArray(fields.references) ? fields.references : [fields.references]).map(angled) }
      : {}),
  };
  return new MailComposer(options).compile().build();
}

/** Joins header lines and a body into a raw message, for shapes MailComposer does not write (reports, broken mail). */
export function rawMail(headers: string[], body: string): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`, 'utf8');
}
