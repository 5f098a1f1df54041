import { DelayedError, type Job } from 'bullmq';
import { formatDuration } from '../config/duration.ts';
import type { Contact } from '../vocabulary/contact.ts';
import { platformLabelOf } from '../detect/platform.ts';
import { reminderMessageId, scriptMessageId } from '../mail/message-id.ts';
import { reminderDueAt } from '../queues/deadlines.ts';
import type { QueuePayloads } from '../queues/queues.ts';
import { localDay } from '../settings/send-window.ts';
import type { WorkerContext } from './context.ts';
import { createDelivery } from './delivery.ts';
import { createMailLog } from './mail-log.ts';

export type DeadlineOutcome =
  | { kind: 'no_response' }
  /** The person is no longer asked (they answered, bounced, were sent again and so on). */
  | { kind: 'nothing'; status: string };

/**
 * A person's deadline, and the single optional reminder before it (src/queues/deadlines.ts). The
 * job trusts the person, not itself: when it fires early (the deadline moved, a "send again", an
 * out-of-office pause) it waits again until the person's own time; when the person is no longer
 * asked, it does nothing. The reminder goes out as the script does (src/workers/delivery.ts); a
 * reminder that cannot go before the deadline is simply not sent, and one that fails for good
 * leaves the person asked: the script reached them, only the reminder did not.
 */
export function createDeadlineProcessor(context: WorkerContext) {
  const { store, logger } = context;
  const mailLog = createMailLog(logger);
  const delivery = createDelivery(context);

  return async function processDeadline(job: Job<QueuePayloads['deadline']>, token?: string): Promise<DeadlineOutcome> {
    const { contactId } = job.data;

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
        await noteReminded(contact, attempt, ledger.messageId ?? reminderMessageId(contactId, attempt, await context.mailboxes.messageIdDomain(contact.mailbox), context.secret));
      } else if (ledger.state !== 'failed') {
        if (now < remindAt) return waitUntil(remindAt);
        await sendReminder(contact, attempt, contact.email);
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

    /**
     * Sends the reminder for script `n` once, through its own ledger. The send window and the
     * volume limits hold it as they hold scripts, but never past the deadline: the job then wakes
     * for the deadline, and a reminder due after it is not sent.
     */
    async function sendReminder(person: Contact, n: number, to: string): Promise<void> {
      const slot = { day: localDay(now, settings.timeZone), name: `${person.id}:${n}:reminder` };
      const hold = await delivery.holdOf({ slot, to }, settings, now);
      if (hold) return waitUntil(Math.min(hold.until, deadlineAt));
      const domain = await context.mailboxes.messageIdDomain(person.mailbox);
      const script = person.scriptMessageId ?? scriptMessageId(person.id, n, domain, context.secret);
      const result = await delivery.deliver(
        job,
        token,
        {
          mail: 'reminder',
          contact: person,
          attempt: n,
          to,
          messageId: reminderMessageId(person.id, n, domain, context.secret),
          // A reply in the thread of our script, so the person sees both together.
          inReplyTo: script,
          references: [...(person.requestMessageId ? [person.requestMessageId] : []), script],
          slot,
        },
        (messageId) => noteReminded(person, n, messageId),
      );
      if (result.kind === 'failed') {
        await store.note(person.id, { at: context.now(), type: 'reminded', detail: `the reminder could not be delivered: ${result.reason}` });
        logger.warn({ mailbox: person.mailbox, contact: person.id, job: job.id, reason: result.reason }, 'reminder could not be delivered');
      }
    }
  };
}
