import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { scriptMessageId } from '../mail/message-id.ts';
import { deadlineWakeAt, scheduleDeadline } from '../queues/deadlines.ts';
import { jobId, type QueuePayloads } from '../queues/queues.ts';
import { localDay } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import type { WorkerContext } from './context.ts';
import { createDelivery, MAX_WINDOW_WAIT_MS, type Hold } from './delivery.ts';
import { createMailLog } from './mail-log.ts';
import { countScriptSent } from '../metrics/counts.ts';

/** The timeline's words for a script whose bookkeeping an earlier run did not finish. */
const RECORDED_AFTER_RESTART = 'script sent (recorded after a restart)';

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
 * Sends one person their script number n (src/workers/delivery.ts). The send ledger of that script
 * makes a second run of the same job a no-op: once the SMTP server has accepted it, every later run
 * only finishes the bookkeeping. The send window (quiet hours, daily cap) holds the job back until
 * it opens, with the reason on the person's timeline.
 */
export function createSendProcessor(context: WorkerContext) {
  const { store, queues, logger } = context;
  const mailLog = createMailLog(logger);
  const delivery = createDelivery(context);

  /**
   * After acceptance: the person is asked with this script's number, their deadline set from the
   * settings in force now; safe to run more than once, and never undoes a later script.
   */
  async function recordAsked(contactId: string, attempt: number, messageId: string, detail: string, settings: Settings) {
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
    const wakeAt = deadlineWakeAt(person, settings, now);
    if (person.status === 'asked' && Math.max(1, person.attempts) === attempt && wakeAt !== null) {
      await scheduleDeadline(queues, person, wakeAt, now);
    }
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
      await recordAsked(contactId, attempt, messageId, RECORDED_AFTER_RESTART, settings);
      return { kind: 'already_sent', messageId };
    };
    /** Holds the job back until the hold ends, noting why on the timeline once per script. */
    const waitFor = async (hold: Hold): Promise<never> => {
      if (!token) throw new Error(`${hold.detail}, and this run cannot wait without its lock token`);
      if (await store.markLedgerOnce(contactId, attempt, hold.kind, context.now())) {
        await store.note(contactId, { at: context.now(), type: 'queued', detail: hold.detail });
      }
      log.info({ until: new Date(hold.until).toISOString() }, hold.detail);
      await job.moveToDelayed(Date.now() + Math.min(Math.max(0, hold.until - context.now()), MAX_WINDOW_WAIT_MS), token);
      // Lifted while this run was on its way to waiting (the user resumed just then): the wake-up
      // that came with it found no waiting job, so this one wakes itself. Promote refuses only a job
      // that is no longer delayed: one that the wake-up moved on after all, which is what we want.
      if (hold.kind === 'paused' && (await store.sendingPause()) === null) await job.promote().catch((error: unknown) => log.debug({ err: error }, 'woken already'));
      throw new DelayedError();
    };

    const ledger = await store.readLedger(contactId, attempt);
    if (ledger.state === 'sent' && ledger.messageId) return alreadySent(ledger.messageId);
    if (!contact || contact.status !== 'queued' || !contact.email || contact.attempts >= attempt) {
      return { kind: 'not_queued', status: contact?.status ?? 'missing' };
    }

    const now = context.now();
    const slot = { day: localDay(now, settings.timeZone), name: `${contactId}:${attempt}` };
    const hold = await delivery.holdOf({ slot, to: contact.email }, settings, now);
    if (hold) return waitFor(hold);

    const result = await delivery.deliver(
      job,
      token,
      {
        mail: 'script',
        contact,
        attempt,
        to: contact.email,
        messageId: scriptMessageId(contact.id, attempt, await context.mailboxes.messageIdDomain(contact.mailbox), context.secret),
        inReplyTo: contact.requestMessageId,
        references: contact.requestMessageId ? [contact.requestMessageId] : [],
        slot,
      },
      async (messageId, again) => {
        if (again) return recordAsked(contactId, attempt, messageId, RECORDED_AFTER_RESTART, settings);
        void countScriptSent(context, contact, attempt);
        await recordAsked(contactId, attempt, messageId, attempt === 1 ? `script sent to ${contact.email}` : `script ${attempt} sent to ${contact.email}`, settings);
        mailLog.scriptSent(contact, attempt, settings.deadlineMs);
      },
    );
    switch (result.kind) {
      case 'missing':
        return { kind: 'not_queued', status: 'missing' };
      case 'failed':
        // Only a refusal of this very message, permanent or repeated, fails the person.
        await store.transition(contactId, 'failed', { reason: result.reason }, { at: context.now(), detail: result.reason });
        mailLog.sendFailed(contact, result.reason);
        throw new UnrecoverableError(result.reason);
      default:
        return result;
    }
  };
}
