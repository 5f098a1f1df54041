import type { ClassifyContext } from '../../../src/detect/types.ts';
import type { Flag, Language, Requester } from '../../../src/vocabulary/contact.ts';
import type { Platform } from '../../../src/vocabulary/platforms.ts';
import { escapeHtml as escape } from '../../../src/text/html.ts';
import { buildMail, type MailFields } from '../../support/mail.ts';

/**
 * The shape of a constructed detection case, shared by test/detect/corpus.test.ts and
 * scripts/eval-detect.ts. Every case here is constructed (built with the project's own mail
 * helpers, not a real sample); its name says so. Shapes follow what the platforms send (see the
 * comment at the top of each src/detect/platforms/*.ts file).
 */
export interface DetectionCase {
  /** Starts with "constructed:". */
  name: string;
  /** The platform the mail is from, or imitates, or 'email' for personal mail. */
  platform: Platform;
  /** The language it is written in, when it matters to the case. */
  language: Language | null;
  expect: 'request' | 'not-request';
  /** For requests: what the requester must show (a subset). */
  requester?: Partial<Requester>;
  /** Where the script may go; requests only (a not-request never has one). Default null. */
  replyTo?: string | null;
  /** Flags the classification must carry, exactly. */
  flags?: Flag[];
  /** A pattern the reason must match. */
  reason?: RegExp;
  /** Changes to the default context (an authserv-id, the unverified-mail policy). */
  context?: Partial<ClassifyContext>;
  build(): Promise<Buffer>;
}

export const ME = 'morgan@example.test';
export const ME_NAME = 'Morgan Example';
/** The authserv-id of the user's own receiving server in these cases. */
export const SERVER = 'mx.example.test';

export const CONTEXT: ClassifyContext = { ownAddresses: [ME], messageIdDomain: 'example.test', authservId: SERVER, unverifiedMail: 'accept' };

/** Authentication-Results of the user's server: DKIM and DMARC passed for `domain`. */
export function passed(domain: string, dkimDomain = domain): string {
  return `${SERVER}; dkim=pass (2048-bit key) header.d=${dkimDomain} header.i=@${dkimDomain} header.s=s2048; spf=pass (${SERVER}: domain of bounce@${domain} designates 192.0.2.10 as permitted sender) smtp.mailfrom=bounce.${domain}; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=${domain}`;
}

/** Authentication-Results of the user's server: DKIM failed, DMARC failed for `domain`. */
export function failed(domain: string): string {
  return `${SERVER}; dkim=fail (signature did not verify) header.d=${domain} header.i=@${domain}; spf=softfail smtp.mailfrom=${domain}; dmarc=fail (p=REJECT) header.from=${domain}`;
}

export function mail(fields: MailFields): () => Promise<Buffer> {
  return () => buildMail({ to: { name: ME_NAME, address: ME }, ...fields });
}

export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'German', fr: 'French', es: 'Spanish', pt: 'Portuguese', it: 'Italian', nl: 'Dutch' };

/** A minimal HTML notification: a header link to the recipient, the requester's photo and lines, buttons. */
export function notificationHtml(parts: {
  recipientLink?: string;
  photoLink?: string;
  photo?: string;
  name: string;
  lines: string[];
  buttons: Array<[string, string]>;
}): string {
  return [
    '<!DOCTYPE html><html><head><style>td{font-family:sans-serif}</style></head><body><table><tr><td>',
    parts.recipientLink ? `<a href="${escape(parts.recipientLink)}"><img src="https://static.example.invalid/you.png" alt="${escape(ME_NAME)}"> ${escape(ME_NAME)}</a>` : '',
    '</td></tr><tr><td>',
    parts.photo && parts.photoLink ? `<a href="${escape(parts.photoLink)}"><img src="${escape(parts.photo)}" alt="" width="70" height="70"></a>` : '',
    ...parts.lines.map((line) => `<p>${escape(line)}</p>`),
    ...parts.buttons.map(([label, href]) => `<a href="${escape(href)}">${escape(label)}</a>`),
    '</td></tr></table></body></html>',
  ].join('\n');
}
