import { z } from 'zod';
import { MAILBOX_ID } from '../../mailboxes/records.ts';
import { errorAnswer, formBody, formField, notFound, timeOrNull } from './common.ts';

/**
 * The mailboxes' requests and answers. The settings of a new or changed mailbox are checked by the
 * mailbox store (src/mailboxes/records.ts), which names every problem at once; the body schemas
 * here describe them for the OpenAPI document (see `storeChecksBody` in routes/mailboxes.ts).
 */

// ---- Requests ---------------------------------------------------------------------------------

export const mailboxParams = z.object({
  id: z.string({ error: 'is not a mailbox id' }).regex(MAILBOX_ID, 'is not a mailbox id').describe('The mailbox\'s id, as the list gives it ("primary" for the one the environment describes).'),
});

/**
 * The pages' forms take any id and answer 404 for one that is no mailbox's: a form's CSRF token is
 * checked after its parameters, and a forged form must meet the token check (403) whatever it names.
 */
export const mailboxPageParams = z.object({ id: z.string().max(100) });

const host = z.string().describe('The server\'s host name or IP address, such as imap.example.com.');
const serverFields = (tlsPort: number, plainPort: number) => ({
  host,
  port: z.number().int().min(1).max(65535).optional().describe(`The port; ${tlsPort} with TLS from the first byte, ${plainPort} with STARTTLS, when left out.`),
  secure: z.boolean().optional().describe(`true: TLS from the first byte; false: STARTTLS (required unless ALLOW_PLAINTEXT=true). Left out: true, unless the port is ${plainPort}.`),
  user: z.string().describe('The login, usually the address.'),
  pass: z.string().describe('The password (an app password where the provider has them). Kept only encrypted, never shown again.'),
});

const imapBody = z.object({ ...serverFields(993, 143), folder: z.string().optional().describe('The folder to watch; INBOX when left out.') }).describe('Where requests arrive.');
const smtpBody = z.object(serverFields(465, 587)).describe('Where scripts go out from.');
const mailboxName = z.string().describe('What you call the mailbox, such as "Work".');
const fromAddress = z.string().describe('The address scripts from this mailbox come from, display name allowed: "Ada Lovelace <ada@example.com>".');

export const newMailboxBody = z.object({ name: mailboxName, from: fromAddress, imap: imapBody, smtp: smtpBody }).describe('A mailbox that logs in with a password. An unreachable server is no error here: the mailbox is added, and its state says why it does not connect.');

export const mailboxPatch = z
  .object({
    name: mailboxName.optional(),
    from: fromAddress.optional(),
    imap: imapBody.partial().optional().describe('Any of the IMAP settings; a password left out stays.'),
    smtp: smtpBody.partial().optional().describe('Any of the SMTP settings; a password left out stays.'),
  })
  .describe('Any of an added mailbox\'s settings; those left out keep their values. The main mailbox is changed in the environment.');

/** A POST that takes nothing: an empty JSON object, or no body at all. */
export const noBody = z.preprocess((body) => body ?? {}, z.object({})).describe('Nothing: an empty object or no body.');

// ---- Forms of the Mailboxes page -------------------------------------------------------------

/** The add and edit form: every field as typed; the store checks them. Passwords left empty on the edit form stay. */
export const mailboxForm = formBody({
  name: formField(200),
  from: formField(500),
  imapHost: formField(300),
  imapPort: formField(20),
  imapSecurity: formField(20),
  imapUser: formField(400),
  imapPass: formField(2000),
  imapFolder: formField(300),
  smtpHost: formField(300),
  smtpPort: formField(20),
  smtpSecurity: formField(20),
  smtpUser: formField(400),
  smtpPass: formField(2000),
});
export type MailboxFormBody = z.output<typeof mailboxForm>;

export const mailboxActionForm = formBody({});
export const removeForm = formBody({ confirm: formField(10) });

// ---- Answers ----------------------------------------------------------------------------------

const server = {
  host: z.string().describe('The server.'),
  port: z.number().int().describe('Its port.'),
  secure: z.boolean().describe('TLS from the first byte (true) or STARTTLS (false).'),
  user: z.string().describe('The login; empty when the server is used without one.'),
};

export const MAILBOX_STATES = ['connected', 'connecting', 'failing', 'paused', 'needs_sign_in'] as const;

export const mailboxAnswer = z
  .object({
    id: z.string().describe('The mailbox\'s id; "primary" for the one the environment describes.'),
    name: z.string().describe('What you call it.'),
    from: z.string().describe('The address scripts from it come from, with the display name.'),
    state: z
      .enum(MAILBOX_STATES)
      .describe('connected: watched now; connecting: not yet connected, no error so far; failing: the last try failed (lastError says why); paused: not watched, by your choice; needs_sign_in: the provider\'s grant is gone, sign in again.'),
    connectedSince: timeOrNull.describe('Since when it is connected; null unless connected.'),
    lastError: z.string().nullable().describe('The last error as advice: what is wrong and what to change; null when there is none or it is connected.'),
    lastErrorAt: timeOrNull.describe('When that error happened.'),
    lastMailAt: timeOrNull.describe('When new mail was last seen in it.'),
    paused: z.boolean().describe('Whether you paused it.'),
    auth: z.enum(['password', 'google', 'microsoft']).describe('How Winnow logs in: a password, or a Google or Microsoft sign-in.'),
    source: z.enum(['env', 'added']).describe('env: set in the environment (IMAP_*, SMTP_*, MAIL_FROM), changed there, never removed here; added: added on the Mailboxes page or through the API.'),
    imap: z.object({ ...server, folder: z.string().describe('The folder watched.') }).describe('Where requests arrive; never the password.'),
    smtp: z.object(server).describe('Where scripts go out from; never the password.'),
  })
  .describe('A mailbox and where it stands; never a password or token.');

export const mailboxesAnswer = z.object({ mailboxes: z.array(mailboxAnswer).describe('Every mailbox: the environment\'s first, then the added ones, oldest first.') }).describe('The user\'s mailboxes.');

export const createdAnswer = z.object({ id: z.string().describe('The new mailbox\'s id.') }).describe('Added: it is watched from now on; its state says whether it connects.');
export const removedAnswer = z.object({ id: z.string().describe('The mailbox removed. The people whose requests came to it stay.') }).describe('The mailbox is gone and no longer watched.');

const side = z.object({ ok: z.boolean().describe('Whether it worked.'), detail: z.string().describe('What was done, or what is wrong and what to change.') });
export const testAnswer = z
  .object({ imap: side.describe('Logging in to IMAP and opening the folder.'), smtp: side.describe('Connecting to SMTP and logging in.') })
  .describe('How the mailbox\'s servers answered just now.');

export const mailboxNotFound = notFound.describe('No such mailbox.');
export const mailboxRefused = errorAnswer.describe('Not done: a setting is wrong (the message names every problem).');
export const mailboxConflict = errorAnswer.describe('Not possible: the main mailbox is set in the environment (change it there, or pause it), or WINNOW_SECRET is not set, so no password can be kept (the message says what to do).');
