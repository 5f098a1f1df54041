import { DelayedError, type Job } from 'bullmq';
import { formatDuration } from '../config/duration.ts';
import type { Contact } from '../vocabulary/contact.ts';
import { platformLabelOf } from '../detect/platform.ts';
import { classifyDeliveryError } from '../mail/delivery-error.ts';
import { reminderMessageId, scriptMessageId } from '../mail/message-id.ts';
import { jobId, type QueuePayloads } from '../queues/queues.ts';
import { personVariables } from '../script/render.ts';
import { inQuietHours, localDay, nextSendTime, quietHoursEnd } from '../settings/send-window.ts';
import type { Settings } from '../settings/settings.ts';
import type { WorkerContext } from './context.ts';
import { createMailLog } from './mail-log.ts';

/** How long a run's claim on the reminder holds off other runs; as for the script (workers/send.ts). */
const REMINDER_CLAIM_MS = 90_000;
/** How long the reminder waits when SMTP is unreachable or refuses our session. */
const SERVER_TROUBLE_RETRY_MS = 60_000;
/** While sending is paused (the circuit breaker), a held reminder looks again this often. */
const PAUSED_RECHECK_MS = 30 * 60_000;

export type DeadlineOutcome =
  | { kind: 'no_response' }
  /** The person is no longer asked (they answered, bounced, were sent again and so on). */
  | { kind: 'nothing'; status: string };

/** When the single reminder is due for this person, or null when there is none to send. */
export function reminderDueAt(contact: Pick<Contact, 'askedAt' | 'deadlineAt'>, settings: Pick<Settings, 'reminderAfterMs'>): number | null {
  if (settings.reminderAfterMs === null || contact.askedAt === null || contact.deadlineAt === null) return null;
  const at = contact.askedAt + settings.reminderAfterMs;
  return at < contact.deadlineAt ? at : null;
}

/**
 * A person's deadline, and the single optional reminder before it. The job trusts the person, not
 * itself: when it fires early (the deadline moved, a "send again", an out-of-office pause) it
 * waits again until the person's own time; when the person is no longer asked, it does nothing.
 */
export function createDeadlineProcessor(context: WorkerContext) {
  const { store, queues, sender, config, logger } = context;
  const domain = context.classifyContext.messageIdDomain;
  const mailLog = createMailLog(logger);

  return async function processDeadline(job: Job<QueuePayloads['deadline']>, token?: string): Promise<DeadlineOutcome> {
    const { contactId, mailbox } = job.data;
    const log = logger.child({ mailbox, contact: contactId, job: job.id });

    const waitUntil = async (at: number): Promise<never> => {
      if (!token) throw new Error('the deadline job cannot wait without its lock token');
      await job.moveToDelayed(Date.now() + Math.max(0, at - context.now()), token);
      throw new DelayedError();
    };

    const contact = await store.get(contactId);
    if (!contact || contact.status !== 'asked') return { kind: 'nothing', status: contact?.status ?? 'missing' };
    const now = context.now();
    // An out-of-office said the person is away: nothing moves until they are back.
    if (contact.pausedUntil !== null && contact.pausedUntil > now) return waitUntil(contact.pausedUntil);

    const deadlineAt = contact.deadlineAt ?? now;
    const settings = await context.settings.get();
    const attempt = Math.max(1, contact.attempts);
    const remindAt = reminderDueAt(contact, settings);
    // A reminder past the deadline would be noise: the deadline decides then.
    if (contact.channel === 'platform') {
      // Asked on the platform: Winnow never writes to the person there, nor by mail; the reminder
      // is a notice to the user, on the timeline (and in the digest), that it is time.
      if (remindAt !== null && now < deadlineAt) {
        if (now < remindAt) return waitUntil(remindAt);
        if (await store.markLedgerOnce(contactId, attempt, 'platform-reminder', now)) {
          const platform = platformLabelOf(contact.platform) ?? contact.platform;
          await store.note(contactId, { at: now, type: 'reminded', detail: `time for a reminder: ${contact.name || 'they'} has not answered on ${platform} yet; if you want to remind them, write to them there (Winnow does not)` });
        }
      }
    } else if (remindAt !== null && now < deadlineAt && contact.email) {
      const ledger = await store.readLedger(contactId, attempt, 'reminder');
      if (ledger.state === 'sent') {
        await noteReminded(contact, attempt, ledger.messageId ?? reminderMessageId(contactId, attempt, domain, context.secret));
      } else if (ledger.state !== 'failed') {
        if (now < remindAt) return waitUntil(remindAt);
        const window = { quietHours: settings.quietHours, timeZone: settings.timeZone };
        if (!inQuietHours(now, window)) {
          // Reminders count against the volume limits like scripts, and wait while sending is
          // paused; a reminder held past the deadline is simply not sent.
          const heldUntil = await reminderHeld(contact, attempt, contact.email, settings, now);
          if (heldUntil !== null) return waitUntil(Math.min(heldUntil, deadlineAt));
          await sendReminder(contact, attempt, contact.email);
        } else {
          const opens = quietHoursEnd(now, window);
          if (opens < deadlineAt) return waitUntil(opens);
          // The quiet hours last past the deadline: no reminder this time.
        }
      }
    }
    if (deadlineAt > now) return waitUntil(deadlineAt);

    const allowed = contact.askedAt === null ? null : deadlineAt - contact.askedAt;
    const result = await store.transition(
      contactId,
      'no_response',
      {},
      { at: now, detail: allowed !== null && allowed > 0 ? `no answer within ${formatDuration(allowed)}` : 'no answer by the deadline' },
    );
    // An answer that came first already moved the person on; then there is nothing to do.
    if (result.moved) mailLog.noResponse(contact, allowed);
    return result.moved ? { kind: 'no_response' } : { kind: 'nothing', status: result.status };

    /** The note on the timeline, once per script even when a run repeats. */
    async function noteReminded(person: Contact, n: number, messageId: string): Promise<void> {
      if (await store.markLedgerOnce(person.id, n, 'reminded', context.now())) {
        await store.note(person.id, { at: context.now(), type: 'reminded', detail: `reminder sent to ${person.email}`, messageId });
        mailLog.reminderSent(person);
      }
    }

    /** Sends the reminder for script `n` once, through its own ledger; a failure never stops the deadline. */
    /** Until when the volume limits (or a pause of sending) hold the reminder; null when it may go now. */
    async function reminderHeld(person: Contact, n: number, to: string, settings: Settings, now: number): Promise<number | null> {
      if ((await store.sendingPause()) !== null) return now + PAUSED_RECHECK_MS;
      const window = { quietHours: settings.quietHours, timeZone: settings.timeZone };
      const slot = await store.takeSendSlot(localDay(now, settings.timeZone), `${person.id}:${n}:reminder`, to, settings, now);
      if (slot.outcome === 'tripped' || slot.outcome === 'paused') return now + PAUSED_RECHECK_MS;
      if (slot.outcome === 'daily') return nextSendTime(now, window, true);
      if (slot.outcome === 'domain') return slot.until;
      return null;
    }

    async function sendReminder(person: Contact, n: number, to: string): Promise<void> {
      const messageId = reminderMessageId(person.id, n, domain, context.secret);
      // Known before it leaves: an answer to it may come back at once.
      await store.rememberScriptMessageId(person.id, messageId);
      const claim = await store.claimSend(person.id, n, token ?? String(job.id), messageId, context.now(), REMINDER_CLAIM_MS, 'reminder');
      if (claim.outcome === 'sent') return noteReminded(person, n, claim.messageId);
      if (claim.outcome === 'missing') return;
      if (claim.outcome === 'busy') return waitUntil(context.now() + REMINDER_CLAIM_MS);

      const script = person.scriptMessageId ?? scriptMessageId(person.id, n, domain, context.secret);
      const { compiled, version } = await context.templates.current('reminder');
      const rendered = compiled.render(personVariables(person, config.mailFrom.name));
      let raw: Buffer;
      let response: string;
      try {
        ({ raw, response } = await sender.send({
          from: config.mailFrom,
          to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: claim.messageId,
          // A reply in the thread of our script, so the person sees both together.
          inReplyTo: script,
          references: [...(person.requestMessageId ? [person.requestMessageId] : []), script],
        }));
      } catch (error) {
        const verdict = classifyDeliveryError(error);
        const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
        if (verdict.kind === 'settings' && token) {
          await store.writeLedger(person.id, n, { state: 'waiting', reason: verdict.reason }, 'reminder');
          log.error({ reason: verdict.reason }, 'SMTP is unreachable or refuses our session; the reminder waits');
          return waitUntil(context.now() + SERVER_TROUBLE_RETRY_MS);
        }
        if (verdict.permanent || attemptsLeft <= 0) {
          // The person stays asked: the script reached them, only the reminder did not.
          await store.writeLedger(person.id, n, { state: 'failed', reason: verdict.reason }, 'reminder');
          await store.note(person.id, { at: context.now(), type: 'reminded', detail: `the reminder could not be delivered: ${verdict.reason}` });
          log.warn({ reason: verdict.reason }, 'reminder could not be delivered');
          return;
        }
        await store.writeLedger(person.id, n, { state: 'waiting', reason: verdict.reason }, 'reminder');
        log.info({ reason: verdict.reason }, 'sending the reminder failed for now; will retry');
        throw error;
      }
      await store.writeLedger(person.id, n, { state: 'sent', sentAt: String(context.now()), response, template: String(version ?? 'default') }, 'reminder');
      await noteReminded(person, n, claim.messageId);
      // Erased while the reminder was on its way: nothing of them is kept, not even the Sent copy.
      if (!(await store.get(person.id))) return;
      await queues['sent-copy'].add('sent-copy', { mailbox, contactId: person.id, source: raw.toString('base64') }, { jobId: jobId['sent-copy'](mailbox, claim.messageId) });
    }
  };
}
