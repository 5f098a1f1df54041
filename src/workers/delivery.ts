import { DelayedError, type Job } from 'bullmq';
import type { LedgerMail } from '../contacts/store.ts';
import type { Contact } from '../vocabulary/contact.ts';
import { classifyDeliveryError } from '../mail/delivery-error.ts';
import { breakerNotice } from '../mail/notices.ts';
import { jobId } from '../queues/queues.ts';
import { personVariables } from '../script/render.ts';
import { inQuietHours, localTime, nextSendTime, quietHoursEnd } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import { MailboxGoneError } from '../mailboxes/connections.ts';
import { signInNeededIn } from '../mailboxes/oauth-tokens.ts';
import { PRIMARY_MAILBOX } from '../mailboxes/records.ts';
import type { WorkerContext } from './context.ts';

/**
 * How long a run's claim on a send holds off other runs: longer than the job lock (15 s) plus the
 * SMTP socket timeout (60 s), so a run that is merely slow is never overtaken.
 */
export const SEND_CLAIM_MS = 90_000;
/** How long a mail waits before trying again when the SMTP settings are wrong or the server is unreachable. */
export const SERVER_TROUBLE_RETRY_MS = 60_000;
/**
 * Longest single wait for the send window or a pause of sending: a mail waiting for the morning,
 * the next day or the user's resume looks again at least this often, so changed settings reach it
 * even when nothing wakes it sooner.
 */
export const MAX_WINDOW_WAIT_MS = 30 * 60_000;

/**
 * What holds a mail back before it may go, and until when. `kind` is also the mark a script's
 * ledger keeps so that its timeline says why it waits once, not on every run.
 */
export interface Hold {
  kind: 'send_window' | 'paused' | 'daily_cap' | 'domain_cap';
  until: number;
  /** Why, in the user's words (the timeline's). */
  detail: string;
}

/** One mail of a person's script number `attempt`: the script itself, or the reminder that follows it. */
export interface Delivery {
  mail: LedgerMail;
  contact: Contact;
  attempt: number;
  to: string;
  /** The Message-ID to use when the ledger has none yet (a retry keeps the first one). */
  messageId: string;
  /** The thread the mail joins. */
  inReplyTo: string | null;
  references: string[];
  /** The name it counts under against the volume limits, on local day `day` (see takeSendSlot). */
  slot: { day: string; name: string };
}

export type DeliveryResult =
  /** Accepted by the SMTP server now; `recordSent` has run. */
  | { kind: 'sent'; messageId: string }
  /** Accepted in an earlier run: only its bookkeeping may be missing (`recordSent` has run again). */
  | { kind: 'already_sent'; messageId: string }
  /** The person was erased meanwhile. */
  | { kind: 'missing' }
  /** Refused for good (or out of retries): recorded on the ledger; what it means for the person is the caller's. */
  | { kind: 'failed'; reason: string };

/**
 * How one mail to a person goes out, for the script and its reminder alike: the send window and the
 * volume limits, a claim on the send ledger so that a second run of the same job is a no-op, the
 * SMTP send, what a failure means, and the copy for the Sent folder. What differs between the two
 * is in the Delivery (which ledger, which template, which thread) and in the caller's hands: what
 * a hold, a success and a failure mean for the person.
 */
export function createDelivery(context: WorkerContext) {
  const { store, queues, config, logger } = context;

  /** "paused" on the person's timeline: why their mail waits, and what ends the wait. */
  const pausedDetail = (limit: number | null) =>
    `sending is paused: more than ${limit ?? 'the allowed number of'} scripts were due within an hour (the circuit breaker); waiting until you resume sending on the dashboard`;

  /**
   * The one mail of a trip to the user (claimed by one run only). A failure is recorded beside the
   * pause (the banner shows it), never thrown: the banner still tells the user, and the mail must
   * still wait. Returns the pause's limit.
   */
  async function tellUserOfPause(settings: Settings): Promise<number | null> {
    const pause = await store.sendingPause();
    if (!pause || !(await store.claimPauseNotice())) return pause?.limit ?? null;
    try {
      const sender = await context.mailboxes.sender(PRIMARY_MAILBOX);
      await sender.send(breakerNotice({ user: config.mailFrom, trippedAt: pause.trippedAt, limit: pause.limit, timeZone: settings.timeZone }));
      await store.notePauseNotice({ notifiedAt: context.now() });
      logger.warn({ limit: pause.limit }, 'circuit breaker tripped: sending is paused until the user resumes it; the user was mailed');
    } catch (error) {
      const reason = classifyDeliveryError(error).reason;
      await store.notePauseNotice({ notifyError: reason });
      logger.error({ limit: pause.limit, reason }, 'circuit breaker tripped: sending is paused, and the mail to the user could not be sent');
    }
    return pause.limit;
  }

  /**
   * Whether the send window and the volume limits let this mail go now; null when they do, and it
   * is then counted (across every process: per local day, per recipient domain and hour, and for
   * the circuit breaker), once however often its job runs. Held, never dropped.
   */
  async function holdOf(delivery: Pick<Delivery, 'slot' | 'to'>, settings: Settings, now: number): Promise<Hold | null> {
    const window = { quietHours: settings.quietHours, timeZone: settings.timeZone };
    if (inQuietHours(now, window)) {
      const opens = quietHoursEnd(now, window);
      return { kind: 'send_window', until: opens, detail: `waiting for the send window (quiet hours until ${clock(opens, settings.timeZone)})` };
    }
    const slot = await store.takeSendSlot(delivery.slot.day, delivery.slot.name, delivery.to, settings, now);
    switch (slot.outcome) {
      case 'ok':
        return null;
      case 'tripped':
      case 'paused':
        // The run that tripped it tells the user; should it have stopped first, the next one does.
        // Lifting it is the user's (resume): a pause that ended by itself would not have told them much.
        return { kind: 'paused', until: now + MAX_WINDOW_WAIT_MS, detail: pausedDetail(await tellUserOfPause(settings)) };
      case 'daily':
        return { kind: 'daily_cap', until: nextSendTime(now, window, true), detail: `daily cap reached (${settings.dailyCap} a day); waiting for the next day` };
      case 'domain': {
        const domain = delivery.to.slice(delivery.to.lastIndexOf('@') + 1).toLowerCase();
        return {
          kind: 'domain_cap',
          until: slot.until,
          detail: `${settings.domainHourlyCap} scripts went to ${domain} in the last hour (the per-domain cap); waiting until ${clock(slot.until, settings.timeZone)}`,
        };
      }
    }
  }

  /**
   * Sends the mail once, through its ledger. Waits (throws DelayedError after moving the job) while
   * another run holds the claim, and while the SMTP server cannot be reached or refuses our session:
   * that fails every mail alike, so none is marked failed for it, however many retries it takes.
   * Only a refusal of this very mail, permanent or repeated, is a failure. A failure for now is
   * thrown for the queue's backoff. `recordSent` does the caller's bookkeeping of a sent mail (also
   * when an earlier run sent it); after it, the copy for the Sent folder is queued.
   */
  async function deliver(job: Job, token: string | undefined, delivery: Delivery, recordSent: (messageId: string, again: boolean) => Promise<void>): Promise<DeliveryResult> {
    const { contact, attempt, mail, to } = delivery;
    const log = logger.child({ mailbox: contact.mailbox, contact: contact.id, job: job.id, mail });
    const releaseSlot = () => store.releaseSendSlot(delivery.slot.day, delivery.slot.name, to);
    /** Moves the job to wait `ms` and ends this run. */
    const wait = async (ms: number, why: string): Promise<never> => {
      if (!token) throw new Error(`${why}, and this run cannot wait without its lock token`);
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };

    // One run at a time: if BullMQ ever hands this job to a second worker while the first is
    // still talking to SMTP (its lock lapsed), the second waits for the first claim to expire.
    // The Message-ID does not change between attempts: if a crash hides whether an attempt
    // went through, the retry carries the same id and mail clients show it once.
    const claim = await store.claimSend(contact.id, attempt, token ?? String(job.id), delivery.messageId, context.now(), SEND_CLAIM_MS, mail);
    if (claim.outcome === 'sent') {
      await recordSent(claim.messageId, true);
      return { kind: 'already_sent', messageId: claim.messageId };
    }
    if (claim.outcome === 'missing') {
      await releaseSlot();
      return { kind: 'missing' };
    }
    if (claim.outcome === 'busy') {
      log.warn('another run is sending this mail; trying again once its claim has expired');
      return wait(SEND_CLAIM_MS, 'another run is sending this mail');
    }
    const messageId = claim.messageId;
    // Known before it leaves: an answer to it may come back at once.
    await store.rememberScriptMessageId(contact.id, messageId);
    // The template in force now; it compiled when it was saved, so rendering cannot fail on syntax.
    const { compiled, version } = await context.templates.current(mail);
    let raw: Buffer;
    let response: string;
    try {
      // From the mailbox the request came to, under the name it gives.
      const [from, sender] = await Promise.all([context.mailboxes.from(contact.mailbox), context.mailboxes.sender(contact.mailbox)]);
      const rendered = compiled.render(personVariables(contact, from.name || config.mailFrom.name));
      ({ raw, response } = await sender.send({
        from,
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        inReplyTo: delivery.inReplyTo,
        references: delivery.references,
      }));
    } catch (error) {
      // Not sent: the day's count goes back, and a retry counts again on the day it runs.
      await releaseSlot();
      if (error instanceof MailboxGoneError) {
        await store.writeLedger(contact.id, attempt, { state: 'failed', reason: error.message }, mail);
        return { kind: 'failed', reason: error.message };
      }
      // The mailbox's provider refused its sign-in: nothing is wrong with the person or the script,
      // which waits (as for server trouble) until the user signs in again, without using up attempts.
      const signIn = signInNeededIn(error);
      if (signIn && token) {
        await store.writeLedger(contact.id, attempt, { state: 'waiting', reason: signIn.message }, mail);
        log.warn({ reason: signIn.message }, `the ${mail} waits: its mailbox needs you to sign in again`);
        return wait(SERVER_TROUBLE_RETRY_MS, signIn.message);
      }
      const verdict = classifyDeliveryError(error);
      const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
      // Wrong SMTP settings (waited out without using up attempts), or a server we could not reach
      // through every retry: the trouble is ours, not the person's.
      const serverTrouble = verdict.kind === 'settings' || (verdict.kind === 'transient' && verdict.code === null && attemptsLeft <= 0);
      if (serverTrouble && token) {
        await store.writeLedger(contact.id, attempt, { state: 'waiting', reason: verdict.reason }, mail);
        log.error({ reason: verdict.reason }, `SMTP is unreachable or refuses our session; the ${mail} waits and is tried again`);
        return wait(SERVER_TROUBLE_RETRY_MS, verdict.reason);
      }
      if (verdict.permanent || attemptsLeft <= 0) {
        await store.writeLedger(contact.id, attempt, { state: 'failed', reason: verdict.reason }, mail);
        return { kind: 'failed', reason: verdict.reason };
      }
      await store.writeLedger(contact.id, attempt, { state: 'waiting', reason: verdict.reason }, mail);
      log.info({ reason: verdict.reason, attempt: job.attemptsMade + 1 }, `sending the ${mail} failed for now; will retry`);
      throw error;
    }
    await store.writeLedger(contact.id, attempt, { state: 'sent', sentAt: String(context.now()), response, template: String(version ?? 'default') }, mail);
    await recordSent(messageId, false);
    // Erased while the mail was on its way: nothing of them is kept, not even the Sent copy.
    if (!(await store.get(contact.id))) {
      log.info('the person was erased while their mail was being sent; nothing of them is kept');
      return { kind: 'sent', messageId };
    }
    // The copy in Sent is filed by its own queue: the mail has gone out whatever becomes of it.
    await queues['sent-copy'].add('sent-copy', { mailbox: contact.mailbox, contactId: contact.id, source: raw.toString('base64') }, { jobId: jobId['sent-copy'](contact.mailbox, messageId) });
    return { kind: 'sent', messageId };
  }

  return { holdOf, deliver };
}

/** "07:00" in the user's zone, for the timeline. */
function clock(at: number, timeZone: string): string {
  const { hour, minute } = localTime(at, timeZone);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
