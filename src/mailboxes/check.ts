import { PROVIDER_LABELS } from './oauth-providers.ts';
import { mailAdvice, type Advice, type MailEndpoint } from '../config/advice.ts';
import { createImapClient } from '../mail/imap.ts';
import { createSender, type SenderOptions, type SmtpSettings } from '../mail/sender.ts';
import { imapAccountOf, smtpSettingsOf, type MailboxConnectionsOptions, type MailboxImap, type MailboxSignIn } from './connections.ts';
import type { MailboxAccess } from './records.ts';

/**
 * Logs in to a mailbox's IMAP and SMTP servers now and says what it found, for `winnow doctor` and
 * the Mailboxes page's Test button: the same checks and the same advice in both places.
 */

/** What one check found: `skipped` when it could not run (the reason says why), never `ok`. */
export type Outcome =
  | { state: 'ok'; summary: string }
  | { state: 'warn'; summary: string; fix: string }
  | { state: 'fail'; advice: Advice }
  | { state: 'skipped'; reason: string };

export interface CheckOptions {
  /**
   * How long a mail server may take to send its greeting. A port that expects TLS from the first
   * byte, spoken to in plain text, stays silent until then; that is what the wait is for.
   */
  greetingTimeoutMs?: number;
  /** Where the user changes the settings, for the advice's words (see MailEndpoint). */
  settings?: MailEndpoint['settings'];
}

export function transportSecurity(account: { secure: boolean; requireTls: boolean }): string {
  if (account.secure) return 'over TLS';
  if (account.requireTls) return 'after STARTTLS';
  return 'with TLS optional (ALLOW_PLAINTEXT)';
}

/** Logs in and opens the folder: how many messages it holds, and whether IDLE works. */
export async function checkImap(imap: MailboxImap, options: CheckOptions = {}): Promise<Outcome> {
  const endpoint: MailEndpoint = { service: 'IMAP', host: imap.host, port: imap.port, secure: imap.secure, requireTls: imap.requireTls, user: imap.user, settings: options.settings };
  const client = createImapClient(imap, options.greetingTimeoutMs ? { greetingTimeout: options.greetingTimeoutMs } : {});
  // connect() rejects with the same error; the listener keeps it from being unhandled.
  client.on('error', () => undefined);
  try {
    try {
      await client.connect();
    } catch (error) {
      return { state: 'fail', advice: mailAdvice(error, endpoint) };
    }
    let messages: number | undefined;
    try {
      const status = await client.status(imap.folder, { messages: true });
      messages = status ? status.messages : undefined;
    } catch (error) {
      const said = (error as { responseText?: string }).responseText ?? (error instanceof Error ? error.message : String(error));
      return { state: 'fail', advice: mailAdvice(Object.assign(new Error(`logged in, but could not open the folder "${imap.folder}": ${said}`), { folder: imap.folder }), endpoint) };
    }
    const idle = client.capabilities.has('IDLE') ? 'IDLE supported' : 'IDLE NOT supported (mail will be noticed late)';
    return { state: 'ok', summary: `logged in ${transportSecurity(imap)}; ${imap.folder} holds ${messages ?? '?'} messages; ${idle}` };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Connects and, with a login, logs in. */
export async function checkSmtp(smtp: SmtpSettings, options: CheckOptions & Pick<SenderOptions, 'accessToken'> = {}): Promise<Outcome> {
  const endpoint: MailEndpoint = { service: 'SMTP', host: smtp.host, port: smtp.port, secure: smtp.secure, requireTls: smtp.requireTls, user: smtp.user, settings: options.settings };
  const sender = createSender(smtp, { greetingTimeoutMs: options.greetingTimeoutMs, accessToken: options.accessToken });
  try {
    // With credentials, verify() logs in; without, it only connects and greets.
    await sender.verify();
  } catch (error) {
    return { state: 'fail', advice: mailAdvice(error, endpoint) };
  } finally {
    sender.close();
  }
  if (!smtp.user) {
    return {
      state: 'warn',
      summary: `connected ${transportSecurity(smtp)} without logging in: ${options.settings === 'record' ? 'smtp.user and smtp.pass are' : 'SMTP_USER and SMTP_PASS are'} not set`,
      fix: `Scripts will go out without a login. Most providers refuse that (set ${options.settings === 'record' ? 'smtp.user and smtp.pass' : 'SMTP_USER and SMTP_PASS'}); a relay on this machine or your network may accept it.`,
    };
  }
  return { state: 'ok', summary: `connected ${transportSecurity(smtp)} and logged in as ${smtp.user}` };
}

/**
 * Both checks of one mailbox: with its password, or, for one that signs in with Google or
 * Microsoft, with a current access token from `signIn` (which may refresh it).
 */
export async function checkMailbox(access: MailboxAccess, config: MailboxConnectionsOptions['config'], signIn: MailboxSignIn | undefined, options: CheckOptions = {}): Promise<{ imap: Outcome; smtp: Outcome }> {
  const checks: CheckOptions = { ...options, settings: access.source === 'added' ? 'record' : 'environment' };
  let accessToken: string | undefined;
  if (access.auth !== 'password') {
    const provider = PROVIDER_LABELS[access.auth];
    if (!signIn) {
      const skipped: Outcome = { state: 'skipped', reason: `this mailbox signs in with ${provider}, which needs WINNOW_SECRET to open its tokens` };
      return { imap: skipped, smtp: skipped };
    }
    try {
      accessToken = await signIn.accessToken(access);
    } catch (error) {
      const failed: Outcome = { state: 'fail', advice: { kind: 'other', problem: `no access token from ${provider}: ${error instanceof Error ? error.message : String(error)}`, fix: 'Sign in again on the Mailboxes page.' } };
      return { imap: failed, smtp: failed };
    }
  }
  const token = accessToken;
  const [imap, smtp] = await Promise.all([
    checkImap({ ...imapAccountOf(access, config), ...(token ? { accessToken: token } : {}) }, checks),
    checkSmtp(smtpSettingsOf(access, config), { ...checks, ...(token ? { accessToken: async () => token } : {}) }),
  ]);
  return { imap, smtp };
}
