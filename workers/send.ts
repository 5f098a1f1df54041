import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { classifyDeliveryError } from '../src/mail/delivery-error.ts';
import { scriptVariables } from '../src/script/render.ts';
import { jobId, type QueuePayloads } from '../src/queues/queues.ts';
import { scriptMessageId } from '../src/mail/message-id.ts';
import type { WorkerContext } from './context.ts';

/** How long a script waits before trying again when the SMTP settings are wrong or the server is unreachable. */
const SERVER_TROUBLE_RETRY_MS = 60_000;

/**
 * How long a run's claim on a send holds off other runs: longer than the job lock (15 s) plus the
 * SMTP socket timeout (60 s), so a run that is merely slow is never overtaken.
 */
const SEND_CLAIM_MS = 90_000;

export type SendOutcome = { kind: 'sent'; messageId: string } | { kind: 'already_sent'; messageId: string } | { kind: 'not_queued'; status: string };

/**
 * Sends one person their script. The send ledger makes a second run of the same job a no-op:
 * once the SMTP server has accepted the script, every later run only finishes the bookkeeping.
 */
export function createSendProcessor(context: WorkerContext) {
  const { store, queues, sender, config, logger } = context;
  const domain = context.classifyContext.messageIdDomain;

  /** After acceptance: the person is asked, their deadline set; safe to run more than once. */
  async function recordAsked(contactId: string, mailbox: string, messageId: string, detail: string) {
    const now = context.now();
    const deadlineAt = now + config.responseDeadlineMs;
    await store.rememberScriptMessageId(contactId, messageId);
    const moved = await store.transition(contactId, 'asked', { scriptMessageId: messageId, askedAt: now, deadlineAt }, { at: now, detail, messageId });
    // Also when an earlier run moved the person but stopped before this step; the job id makes a
    // second add a no-op. The deadline counts from the recorded ask, not from this run.
    const asked = moved.moved ? { askedAt: now, deadlineAt } : moved.status === 'asked' ? await store.get(contactId) : null;
    if (asked?.deadlineAt) {
      const delay = Math.max(0, asked.deadlineAt - now);
      await queues.deadline.add('deadline', { mailbox, contactId }, { jobId: jobId.deadline(mailbox, contactId), delay });
    }
  }

  return async function processSend(job: Job<QueuePayloads['send']>, token?: string): Promise<SendOutcome> {
    const { contactId, mailbox } = job.data;
    const log = logger.child({ mailbox, contact: contactId, job: job.id });
    /** The script went out in an earlier run: only its bookkeeping may be missing. */
    const alreadySent = async (messageId: string): Promise<SendOutcome> => {
      await recordAsked(contactId, mailbox, messageId, 'script sent (recorded after a restart)');
      return { kind: 'already_sent', messageId };
    };
    const ledger = await store.readLedger(contactId);
    if (ledger.state === 'sent' && ledger.messageId) return alreadySent(ledger.messageId);
    const contact = await store.get(contactId);
    if (!contact || contact.status !== 'queued' || !contact.email) {
      return { kind: 'not_queued', status: contact?.status ?? 'missing' };
    }

    // One run at a time: if BullMQ ever hands this job to a second worker while the first is
    // still talking to SMTP (its lock lapsed), the second waits for the first claim to expire.
    // The Message-ID does not change between attempts: if a crash hides whether an attempt
    // went through, the retry carries the same id and mail clients show it once.
    const claim = await store.claimSend(contactId, token ?? String(job.id), scriptMessageId(contact.id, 1, domain), context.now(), SEND_CLAIM_MS);
    if (claim.outcome === 'sent') return alreadySent(claim.messageId);
    if (claim.outcome === 'busy') {
      if (!token) throw new Error('another run is sending this script');
      log.warn('another run is sending this script; trying again once its claim has expired');
      await job.moveToDelayed(context.now() + SEND_CLAIM_MS, token);
      throw new DelayedError();
    }
    const messageId = claim.messageId;
    const rendered = context.script().render(
      scriptVariables({
        name: contact.name,
        firstName: contact.firstName,
        platform: contact.platform,
        userName: config.mailFrom.name,
        originalSubject: contact.subject,
      }),
    );
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
      const verdict = classifyDeliveryError(error);
      const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
      // Wrong SMTP settings, or a server we cannot reach at all, fail every script alike: the
      // script waits it out (without using up attempts for settings) and is never marked failed
      // for it. Only a refusal of this very message, permanent or repeated, fails the person.
      const serverTrouble = verdict.kind === 'settings' || (verdict.kind === 'transient' && verdict.code === null && attemptsLeft <= 0);
      if (serverTrouble && token) {
        await store.writeLedger(contactId, { state: 'waiting', reason: verdict.reason });
        log.error({ reason: verdict.reason }, 'SMTP is unreachable or refuses our session; the script waits and is tried again');
        await job.moveToDelayed(context.now() + SERVER_TROUBLE_RETRY_MS, token);
        throw new DelayedError();
      }
      if (verdict.permanent || attemptsLeft <= 0) {
        await store.writeLedger(contactId, { state: 'failed', reason: verdict.reason });
        await store.transition(contactId, 'failed', { reason: verdict.reason }, { at: context.now(), detail: verdict.reason });
        log.warn({ reason: verdict.reason }, 'script could not be delivered');
        throw new UnrecoverableError(verdict.reason);
      }
      await store.writeLedger(contactId, { state: 'waiting', reason: verdict.reason });
      log.info({ reason: verdict.reason, attempt: job.attemptsMade + 1 }, 'sending failed for now; will retry');
      throw error;
    }
    await store.writeLedger(contactId, { state: 'sent', sentAt: String(context.now()), response });
    await recordAsked(contactId, mailbox, messageId, `script sent to ${contact.email}`);

    // The copy in Sent is filed by its own queue: the script has gone out whatever becomes of it.
    await queues['sent-copy'].add('sent-copy', { mailbox, contactId, source: raw.toString('base64') }, { jobId: jobId['sent-copy'](mailbox, messageId) });
    return { kind: 'sent', messageId };
  };
}
