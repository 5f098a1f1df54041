import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { classifyDeliveryError } from '../mail/delivery-error.ts';
import { personVariables } from '../script/render.ts';
import { jobId, scheduleDeadline, type QueuePayloads } from '../queues/queues.ts';
import { scriptMessageId } from '../mail/message-id.ts';
import { breakerNotice } from '../mail/notices.ts';
import { inQuietHours, localDay, localTime, nextSendTime, quietHoursEnd } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import type { WorkerContext } from './context.ts';
import { reminderDueAt } from './deadline.ts';
import { createMailLog } from './mail-log.ts';
import { countScriptSent } from '../metrics/counts.ts';

/** How long a script waits before trying again when the SMTP settings are wrong or the server is unreachable. */
const SERVER_TROUBLE_RETRY_MS = 60_000;

/**
 * Longest single wait for the send window: a script waiting for the morning or the next day looks
 * again at least this often, so changed settings reach it even when nothing wakes it sooner.
 */
const MAX_WINDOW_WAIT_MS = 30 * 60_000;

/**
 * How long a run's claim on a send holds off other runs: longer than the job lock (15 s) plus the
 * SMTP socket timeout (60 s), so a run that is merely slow is never overtaken.
 */
const SEND_CLAIM_MS = 90_000;

export type SendOutcome = { kind: 'sent'; messageId: string } | { kind: 'already_sent'; messageId: string } | { kind: 'not_queued'; status: string };

/**
 * Which script of the person a send job is for, read from its id (jobId.send): 1 for the first,
 * n for the n-th "send again"; null when the id is not one of ours.
 */
export function sendAttemptOf(id: string | undefined, mailbox: string, contactId: string): number | null {
  const first = jobId.send(mailbox, contactId, 1);
  if (id === first) return 1;
  if (!id?.startsWith(`${first}-`)) return null;
  const attempt = Number(id.slice(first.length + 1));
  return Number.isSafeInteger(attempt) && attempt > 1 ? attempt : null;
}

/**
 * Sends one person their script number n. The send ledger of that script makes a second run of
 * the same job a no-op: once the SMTP server has accepted it, every later run only finishes the
 * bookkeeping. The send window (quiet hours, daily cap) holds the job back until it opens.
 */
export function createSendProcessor(context: WorkerContext) {
  const { store, queues, sender, config, logger } = context;
  const domain = context.classifyContext.messageIdDomain;
  const mailLog = createMailLog(logger);

  /**
   * After acceptance: the person is asked with this script's number, their deadline set from the
   * settings in force now; safe to run more than once, and never undoes a later script.
   */
  async function recordAsked(contactId: string, mailbox: string, attempt: number, messageId: string, detail: string, settings: Settings) {
    const now = context.now();
    await store.rememberScriptMessageId(contactId, messageId);
    let person = await store.get(contactId);
    if (!person) return;
    if (person.attempts < attempt) {
      // Sent again while an out-of-office says the person is away: their time starts when they are back.
      const away = person.pausedUntil !== null && person.pausedUntil > now ? person.pausedUntil : null;
      const deadlineAt = (away ?? now) + settings.deadlineMs;
      const words = away === null ? detail : `${detail}; they are away until ${new Date(away).toISOString().slice(0, 10)}, so the deadline counts from then`;
      // Only from queued: the other ways into asked are the user's own (sent on the platform).
      const moved = await store.transition(contactId, 'asked', { scriptMessageId: messageId, askedAt: now, deadlineAt, attempts: attempt, channel: 'email' }, { at: now, detail: words, messageId }, ['queued']);
      if (moved.moved) person = { ...person, status: 'asked', scriptMessageId: messageId, askedAt: now, deadlineAt, attempts: attempt };
    }
    // Also when an earlier run moved the person but stopped before this step. The deadline
    // counts from the recorded ask, not from this run.
    // People asked before scripts were numbered have 0 attempts: theirs was the first.
    if (person.status === 'asked' && Math.max(1, person.attempts) === attempt && person.deadlineAt !== null) {
      const wakeAt = reminderDueAt(person, settings) ?? person.deadlineAt;
      await scheduleDeadline(queues, mailbox, contactId, wakeAt, now);
    }
  }

  /** "paused" on the person's timeline: why their script waits, and what ends the wait. */
  const pausedDetail = (limit: number | null) =>
    `sending is paused: more than ${limit ?? 'the allowed number of'} scripts were due within an hour (the circuit breaker); waiting until you resume sending on the dashboard`;

  /**
   * The one mail of a trip to the user (claimed by one run only). A failure is recorded beside the
   * pause (the banner shows it), never thrown: the banner still tells the user, and the script must
   * still wait. Returns the pause's limit.
   */
  async function tellUserOfPause(settings: Settings): Promise<number | null> {
    const pause = await store.sendingPause();
    if (!pause || !(await store.claimPauseNotice())) return pause?.limit ?? null;
    try {
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

  return async function processSend(job: Job<QueuePayloads['send']>, token?: string): Promise<SendOutcome> {
    const { contactId, mailbox } = job.data;
    const log = logger.child({ mailbox, contact: contactId, job: job.id });
    const contact = await store.get(contactId);
    // A job whose id names no script is for the next one of a queued person, else for their last.
    const attempt = sendAttemptOf(job.id, mailbox, contactId) ?? (contact?.status === 'queued' ? contact.attempts + 1 : Math.max(1, contact?.attempts ?? 0));
    const settings = await context.settings.get();

    /** The script went out in an earlier run: only its bookkeeping may be missing. */
    const alreadySent = async (messageId: string): Promise<SendOutcome> => {
      await recordAsked(contactId, mailbox, attempt, messageId, 'script sent (recorded after a restart)', settings);
      return { kind: 'already_sent', messageId };
    };
    /** Holds the job back until `at`, noting why on the timeline once per script. */
    const waitUntil = async (at: number, mark: string, detail: string, stillHeld?: () => Promise<boolean>): Promise<never> => {
      if (!token) throw new Error(`${detail}, and this run cannot wait without its lock token`);
      if (await store.markLedgerOnce(contactId, attempt, mark, context.now())) {
        await store.note(contactId, { at: context.now(), type: 'queued', detail });
      }
      log.info({ until: new Date(at).toISOString() }, detail);
      await job.moveToDelayed(Date.now() + Math.min(Math.max(0, at - context.now()), MAX_WINDOW_WAIT_MS), token);
      // Lifted while this run was on its way to waiting (the user resumed just then): the wake-up
      // that came with it found no waiting job, so this one wakes itself. Promote refuses only a job
      // that is no longer delayed: one that the wake-up moved on after all, which is what we want.
      if (stillHeld && !(await stillHeld())) await job.promote().catch((error: unknown) => log.debug({ err: error }, 'woken already'));
      throw new DelayedError();
    };

    const ledger = await store.readLedger(contactId, attempt);
    if (ledger.state === 'sent' && ledger.messageId) return alreadySent(ledger.messageId);
    if (!contact || contact.status !== 'queued' || !contact.email || contact.attempts >= attempt) {
      return { kind: 'not_queued', status: contact?.status ?? 'missing' };
    }

    const now = context.now();
    const window = { quietHours: settings.quietHours, timeZone: settings.timeZone };
    if (inQuietHours(now, window)) {
      const opens = quietHoursEnd(now, window);
      await waitUntil(opens, 'send_window', `waiting for the send window (quiet hours until ${clock(opens, settings.timeZone)})`);
    }
    // Counted across every process (per local day, per recipient domain and hour, and for the
    // circuit breaker): a script counts once however often its job runs. Held, never dropped.
    const day = localDay(now, settings.timeZone);
    const script = `${contactId}:${attempt}`;
    const slot = await store.takeSendSlot(day, script, contact.email, settings, now);
    if (slot.outcome === 'tripped' || slot.outcome === 'paused') {
      // The run that tripped it tells the user; should it have stopped first, the next one does.
      // Lifting it is the user's (resume): a pause that ended by itself would not have told them much.
      const limit = await tellUserOfPause(settings);
      await waitUntil(now + MAX_WINDOW_WAIT_MS, 'paused', pausedDetail(limit), async () => (await store.sendingPause()) !== null);
    }
    if (slot.outcome === 'daily') {
      await waitUntil(nextSendTime(now, window, true), 'daily_cap', `daily cap reached (${settings.dailyCap} a day); waiting for the next day`);
    }
    if (slot.outcome === 'domain') {
      const domain = contact.email.slice(contact.email.lastIndexOf('@') + 1).toLowerCase();
      await waitUntil(slot.until, 'domain_cap', `${settings.domainHourlyCap} scripts went to ${domain} in the last hour (the per-domain cap); waiting until ${clock(slot.until, settings.timeZone)}`);
    }
    const releaseSlot = () => store.releaseSendSlot(day, script, contact.email!);

    // One run at a time: if BullMQ ever hands this job to a second worker while the first is
    // still talking to SMTP (its lock lapsed), the second waits for the first claim to expire.
    // The Message-ID does not change between attempts: if a crash hides whether an attempt
    // went through, the retry carries the same id and mail clients show it once.
    const claim = await store.claimSend(contactId, attempt, token ?? String(job.id), scriptMessageId(contact.id, attempt, domain, context.secret), now, SEND_CLAIM_MS);
    if (claim.outcome === 'sent') return alreadySent(claim.messageId);
    if (claim.outcome === 'missing') {
      await releaseSlot();
      return { kind: 'not_queued', status: 'missing' };
    }
    if (claim.outcome === 'busy') {
      if (!token) throw new Error('another run is sending this script');
      log.warn('another run is sending this script; trying again once its claim has expired');
      await job.moveToDelayed(Date.now() + SEND_CLAIM_MS, token);
      throw new DelayedError();
    }
    const messageId = claim.messageId;
    // The template in force now; it compiled when it was saved, so rendering cannot fail on syntax.
    const { compiled, version } = await context.templates.current('script');
    const rendered = compiled.render(personVariables(contact, config.mailFrom.name));
    let raw: Buffer;
    let response: string;
    try {
      ({ raw, response } = await sender.send({
        from: config.mailFrom,
        to: contact.email,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        inReplyTo: contact.requestMessageId,
        references: contact.requestMessageId ? [contact.requestMessageId] : [],
      }));
    } catch (error) {
      // Not sent: the day's count goes back, and a retry counts again on the day it runs.
      await releaseSlot();
      const verdict = classifyDeliveryError(error);
      const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
      // Wrong SMTP settings, or a server we cannot reach at all, fail every script alike: the
      // script waits it out (without using up attempts for settings) and is never marked failed
      // for it. Only a refusal of this very message, permanent or repeated, fails the person.
      const serverTrouble = verdict.kind === 'settings' || (verdict.kind === 'transient' && verdict.code === null && attemptsLeft <= 0);
      if (serverTrouble && token) {
        await store.writeLedger(contactId, attempt, { state: 'waiting', reason: verdict.reason });
        log.error({ reason: verdict.reason }, 'SMTP is unreachable or refuses our session; the script waits and is tried again');
        await job.moveToDelayed(Date.now() + SERVER_TROUBLE_RETRY_MS, token);
        throw new DelayedError();
      }
      if (verdict.permanent || attemptsLeft <= 0) {
        await store.writeLedger(contactId, attempt, { state: 'failed', reason: verdict.reason });
        await store.transition(contactId, 'failed', { reason: verdict.reason }, { at: context.now(), detail: verdict.reason });
        mailLog.sendFailed(contact, verdict.reason);
        throw new UnrecoverableError(verdict.reason);
      }
      await store.writeLedger(contactId, attempt, { state: 'waiting', reason: verdict.reason });
      log.info({ reason: verdict.reason, attempt: job.attemptsMade + 1 }, 'sending failed for now; will retry');
      throw error;
    }
    await store.writeLedger(contactId, attempt, { state: 'sent', sentAt: String(context.now()), response, template: String(version ?? 'default') });
    void countScriptSent(context, contact, attempt);
    const detail = attempt === 1 ? `script sent to ${contact.email}` : `script ${attempt} sent to ${contact.email}`;
    await recordAsked(contactId, mailbox, attempt, messageId, detail, settings);
    mailLog.scriptSent(contact, attempt, settings.deadlineMs);
    // Erased while the script was on its way: nothing of them is kept, not even the Sent copy.
    if (!(await store.get(contactId))) {
      log.info('the person was erased while their script was being sent; nothing of them is kept');
      return { kind: 'sent', messageId };
    }

    // The copy in Sent is filed by its own queue: the script has gone out whatever becomes of it.
    await queues['sent-copy'].add('sent-copy', { mailbox, contactId, source: raw.toString('base64') }, { jobId: jobId['sent-copy'](mailbox, messageId) });
    return { kind: 'sent', messageId };
  };
}

/** "07:00" in the user's zone, for the timeline. */
function clock(at: number, timeZone: string): string {
  const { hour, minute } = localTime(at, timeZone);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
