import type { Job } from 'bullmq';
import { AWAITING_ANSWER } from '../src/contacts/lifecycle.ts';
import { NO_DETAILS, type Contact, type ContactEvent } from '../src/contacts/types.ts';
import { readAnswer } from '../src/detect/answer.ts';
import { classify } from '../src/detect/classify.ts';
import type { Classification } from '../src/detect/types.ts';
import { parseMessage, type Message } from '../src/mail/message.ts';
import { jobId, type QueuePayloads } from '../src/queues/queues.ts';
import type { WorkerContext } from './context.ts';

export type InboundOutcome =
  | { kind: 'request'; contactId: string; created: boolean }
  | { kind: 'answer'; contactId: string; status: Contact['status'] }
  | { kind: 'auto_reply' | 'bounce'; contactId: string | null }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unreadable'; reason: string };

/**
 * Reads one new message: a connection request becomes a person (and a script to send),
 * an answer moves its person on, anything else is ignored with its reason.
 */
export function createInboundProcessor(context: WorkerContext) {
  const { store, queues, logger, config } = context;

  async function unreadable(job: QueuePayloads['inbound'], reason: string): Promise<InboundOutcome> {
    await store.recordSkippedMail({ at: context.now(), uid: job.uid, messageId: null, reason });
    logger.warn({ mailbox: job.mailbox, uid: job.uid, reason }, 'skipped a message');
    return { kind: 'unreadable', reason };
  }

  /** The person an incoming mail answers, if any: by our Message-ID first, then by address. */
  async function answeredContact(message: Message, classification: Classification): Promise<Contact | null> {
    if (classification.answersMessageId) {
      const contact = await store.findByScriptMessageId(classification.answersMessageId);
      if (contact) return contact;
    }
    const from = message.from?.address;
    if (!from) return null;
    const contact = await store.findByAddress(from);
    // The request itself, delivered again, is not an answer.
    if (!contact || (message.messageId !== null && message.messageId === contact.requestMessageId)) return null;
    return AWAITING_ANSWER.includes(contact.status) ? contact : null;
  }

  /** Adds a timeline entry for a mail, once: a job run again after a crash adds nothing. */
  async function noteOnce(contactId: string, event: ContactEvent): Promise<void> {
    if (event.messageId && (await store.timeline(contactId)).some((entry) => entry.messageId === event.messageId)) return;
    await store.note(contactId, event);
  }

  async function takeAnswer(contact: Contact, message: Message): Promise<InboundOutcome> {
    if (contact.status === 'queued') {
      // Only a reply to our Message-ID finds a queued person: the answer overtook the bookkeeping
      // of its own script (the sender records "asked" just after the SMTP server accepts, or after
      // a restart). The job is retried with backoff, by which time the person is asked; dropping
      // it here would lose the answer.
      throw new Error(`an answer from contact ${contact.id} came before their script was recorded as sent; trying again`);
    }
    const answer = readAnswer(message);
    const now = context.now();
    const moved = await store.transition(
      contact.id,
      answer.kind,
      { answerText: answer.text, answeredAt: now },
      { at: now, detail: answer.kind === 'declined' ? 'answered with a refusal' : 'answered the script', messageId: message.messageId ?? undefined },
    );
    if (moved.moved) {
      await queues.deadline.remove(jobId.deadline(contact.mailbox, contact.id));
      return { kind: 'answer', contactId: contact.id, status: answer.kind };
    }
    // A second answer, or one after the user decided: keep it on the timeline, change nothing.
    await noteOnce(contact.id, { at: now, type: 'answered', detail: 'wrote again', messageId: message.messageId ?? undefined });
    return { kind: 'answer', contactId: contact.id, status: contact.status };
  }

  async function takeRequest(message: Message, classification: Classification): Promise<InboundOutcome> {
    const requester = classification.requester;
    if (!requester || !classification.platform) return { kind: 'ignored', reason: 'request without a requester' };
    const now = context.now();
    const address = classification.replyTo;
    const dedupeKeys = [
      ...(requester.invitationId ? [`invitation:${classification.platform}:${requester.invitationId}`] : []),
      ...(address ? [`address:${address}`] : []),
    ];
    // Without an invitation id or address, the request mail itself is the identity.
    if (dedupeKeys.length === 0) dedupeKeys.push(`message:${message.messageId ?? `${message.date?.getTime() ?? now}:${message.subject}`}`);
    const status = address ? 'queued' : 'awaiting_address';
    const { created, id } = await store.create(
      {
        status,
        platform: classification.platform,
        name: requester.name,
        firstName: requester.firstName,
        email: address,
        profileUrl: requester.profileUrl,
        headline: requester.headline,
        invitationId: requester.invitationId,
        subject: message.subject,
        requestMessageId: message.messageId,
        scriptMessageId: null,
        answerText: null,
        reason: address ? null : 'the request carries no address of the person',
        requestedAt: now,
        askedAt: null,
        deadlineAt: null,
        answeredAt: null,
        ...NO_DETAILS,
        location: requester.location,
        note: requester.note,
        mutualConnections: requester.mutualConnections,
        connectionCount: requester.connectionCount,
        hasPhoto: requester.hasPhoto,
        flags: classification.flags,
        language: classification.language,
      },
      dedupeKeys,
      config.dedupeWindowMs,
      { at: now, type: 'requested', detail: classification.reason, messageId: message.messageId ?? undefined },
    );
    const contact = await store.get(id);
    if (!created && contact && contact.requestMessageId !== message.messageId) {
      await noteOnce(id, { at: now, type: 'requested_again', detail: `asked again: ${classification.reason}`, messageId: message.messageId ?? undefined });
    }
    // Also on a replayed job: the person may have been stored by a run that stopped before this step.
    if (contact?.status === 'queued') {
      await queues.send.add('send', { mailbox: contact.mailbox, contactId: id }, { jobId: jobId.send(contact.mailbox, id) });
    }
    return { kind: 'request', contactId: id, created };
  }

  return async function processInbound(job: Job<QueuePayloads['inbound']>): Promise<InboundOutcome> {
    const data = job.data;
    let message: Message;
    try {
      message = await parseMessage(Buffer.from(data.source, 'base64'), { truncated: data.truncated });
    } catch (error) {
      return unreadable(data, `could not parse the message: ${error instanceof Error ? error.message : String(error)}`);
    }
    const classification = classify(message, context.classifyContext);
    const log = logger.child({ mailbox: data.mailbox, uid: data.uid, job: job.id });
    log.debug({ verdict: classification.verdict, reason: classification.reason }, 'classified');

    switch (classification.verdict) {
      case 'bounce': {
        const contact =
          (classification.answersMessageId && (await store.findByScriptMessageId(classification.answersMessageId))) ||
          (classification.bouncedRecipient && (await store.findByAddress(classification.bouncedRecipient))) ||
          null;
        if (contact) {
          await store.transition(contact.id, 'bounced', { reason: classification.reason }, { at: context.now(), detail: classification.reason, messageId: message.messageId ?? undefined });
          await queues.deadline.remove(jobId.deadline(contact.mailbox, contact.id));
        }
        return { kind: 'bounce', contactId: contact?.id ?? null };
      }
      case 'auto_reply': {
        // An out-of-office is not an answer: the person stays asked.
        const contact = await answeredContact(message, classification);
        if (contact) await noteOnce(contact.id, { at: context.now(), type: 'auto_reply', detail: classification.reason, messageId: message.messageId ?? undefined });
        return { kind: 'auto_reply', contactId: contact?.id ?? null };
      }
      case 'answer': {
        const contact = await answeredContact(message, classification);
        if (contact) return takeAnswer(contact, message);
        return { kind: 'ignored', reason: 'answers a script of ours that no person here is waiting on' };
      }
      case 'connection_request': {
        // A threaded reply to our script that reads like a request is still an answer; an
        // unthreaded one from the same person is a repeated request, which dedupe absorbs.
        const asked = classification.answersMessageId ? await store.findByScriptMessageId(classification.answersMessageId) : null;
        if (asked) return takeAnswer(asked, message);
        return takeRequest(message, classification);
      }
      case 'ignored': {
        // Mail from a person we asked counts as their answer even without threading headers,
        // unless it is list or robot mail.
        if (!classification.reason.startsWith('suppressed')) {
          const contact = await answeredContact(message, classification);
          if (contact) return takeAnswer(contact, message);
        }
        return { kind: 'ignored', reason: classification.reason };
      }
    }
  };
}
