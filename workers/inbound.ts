import type { Job } from 'bullmq';
import { giveAddress } from '../src/contacts/awaiting.ts';
import { AWAITING_ANSWER } from '../src/contacts/lifecycle.ts';
import { allowedNote, decideRequest, knownReason, normaliseName, resolveAddress, type Resolution, type ResolutionInput } from '../src/contacts/resolve.ts';
import { FLAGS } from '../src/detect/types.ts';
import { NO_DETAILS, type Contact, type ContactEvent } from '../src/contacts/types.ts';
import { readAnswer } from '../src/detect/answer.ts';
import { DEFAULT_ABSENCE_MS } from '../src/detect/auto-reply.ts';
import { classify } from '../src/detect/classify.ts';
import type { Classification, Flag } from '../src/detect/types.ts';
import { parseMessage, type Message } from '../src/mail/message.ts';
import { scriptMessageId } from '../src/mail/message-id.ts';
import { jobId, type QueuePayloads } from '../src/queues/queues.ts';
import type { WorkerContext } from './context.ts';
import { scheduleDeadline } from './deadline.ts';
import { createPlatformMessageReader, type PlatformAnswer } from './platform-message.ts';

export type InboundOutcome =
  | { kind: 'request'; contactId: string; created: boolean }
  | { kind: 'answer'; contactId: string; status: Contact['status'] }
  | { kind: 'auto_reply' | 'bounce'; contactId: string | null }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unreadable'; reason: string };

/**
 * Reads one new message: a connection request becomes a person (and a script to send, unless a
 * rule or setting says otherwise), an answer moves its person on, anything else is ignored with
 * its reason.
 */
export function createInboundProcessor(context: WorkerContext) {
  const { store, queues, logger, addressBook, history } = context;
  // Requests are classified as if unverified mail were accepted; the setting is applied below, so
  // that an allow-listed person is answered whatever it says.
  const classifyContext = { ...context.classifyContext, unverifiedMail: 'accept' as const };

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

  async function alreadyNoted(contactId: string, messageId: string | null): Promise<boolean> {
    return messageId !== null && (await store.timeline(contactId)).some((entry) => entry.messageId === messageId);
  }

  /** Adds a timeline entry for a mail, once: a job run again after a crash adds nothing. */
  async function noteOnce(contactId: string, event: ContactEvent): Promise<void> {
    if (await alreadyNoted(contactId, event.messageId ?? null)) return;
    await store.note(contactId, event);
  }

  /** `notice`: the answer came as a platform's message notice, read already; where it was written and what to keep of it. */
  async function takeAnswer(contact: Contact, message: Message, answers: string | null, notice?: PlatformAnswer): Promise<InboundOutcome> {
    // Only a reply to our Message-ID finds a queued person. A reply to the script being sent right
    // now overtook its bookkeeping (the sender records "asked" just after the SMTP server accepts,
    // or after a restart): the job is retried with backoff, by which time the person is asked;
    // dropping it would lose the answer. A reply to an earlier script, while "send again" waits
    // (for the send window, the daily cap), is simply the answer: taken now, the waiting script
    // then finds the person answered and does not go.
    if (contact.status === 'queued' && (contact.attempts === 0 || answers === null || sameId(answers, scriptMessageId(contact.id, contact.attempts + 1, context.classifyContext.messageIdDomain)))) {
      throw new Error(`an answer from contact ${contact.id} came before their script was recorded as sent; trying again`);
    }
    const answer = notice?.answer ?? readAnswer(message);
    const now = context.now();
    // Flags from the request stay; the answer's join them, in the one order the dashboard shows.
    const flags: Flag[] = FLAGS.filter((flag) => contact.flags.includes(flag) || answer.flags.includes(flag));
    const moved = await store.transition(
      contact.id,
      answer.kind,
      {
        answerText: answer.text,
        answerFullText: answer.fullText,
        score: answer.score,
        flags,
        language: answer.language ?? contact.language,
        answeredAt: now,
        pausedUntil: null,
        ...notice?.patch,
      },
      {
        at: now,
        // The timeline shows the status beside this, so the reading's own "answered: " goes.
        detail: `${notice ? `${notice.where}: ` : ''}${answer.reason.replace(/^(answered|declined): /, '') || (answer.kind === 'declined' ? 'a refusal' : 'the script')}`,
        messageId: message.messageId ?? undefined,
      },
    );
    if (moved.moved) {
      await queues.deadline.remove(jobId.deadline(contact.mailbox, contact.id));
      return { kind: 'answer', contactId: contact.id, status: answer.kind };
    }
    // A second answer, or one after the user decided: keep it on the timeline, change nothing.
    await noteOnce(contact.id, { at: now, type: 'answered', detail: notice ? `wrote again (${notice.where})` : 'wrote again', messageId: message.messageId ?? undefined });
    return { kind: 'answer', contactId: contact.id, status: contact.status };
  }

  /**
   * Where the script would go: the request itself, then the address book, then mailbox history.
   * The INBOX part of the history is brought up to date only when it is needed (neither the
   * request nor the address book gives an address): that costs IMAP round trips on every request.
   */
  async function resolve(message: Message, classification: Classification): Promise<{ resolution: Resolution; historyCurrent: boolean }> {
    const name = classification.requester!.name;
    const input: ResolutionInput = { name, requestAddress: classification.replyTo, fromAddress: message.from?.address ?? null, addressBook: [], history: null, context: context.classifyContext };
    const inMail = resolveAddress(input);
    if (inMail.address !== null) return { resolution: inMail, historyCurrent: false };
    input.addressBook = await addressBook.addressesFor(name);
    const inBook = resolveAddress(input);
    if (inBook.address !== null || normaliseName(name) === '') return { resolution: inBook, historyCurrent: false };
    const historyTrouble = await history.catchUp('all');
    input.history = { addresses: await history.addressesFor(name), trouble: historyTrouble };
    return { resolution: resolveAddress(input), historyCurrent: true };
  }

  /**
   * Whether the user has written to this address: then the person is known, not a stranger. Once
   * in the index, always so; only a "no" needs Sent brought up to date first, since a mail the user
   * sent a minute ago counts.
   */
  async function knownAddress(address: string, historyCurrent: boolean): Promise<{ known: string | null; trouble: string | null }> {
    const written = await history.wroteTo(address);
    if (written || historyCurrent) return { known: knownReason(address, written), trouble: null };
    const trouble = await history.catchUp('sent');
    return { known: knownReason(address, await history.wroteTo(address)), trouble };
  }

  async function takeRequest(message: Message, classification: Classification): Promise<InboundOutcome> {
    const requester = classification.requester;
    const platform = classification.platform;
    if (!requester || !platform) return { kind: 'ignored', reason: 'request without a requester' };
    const settings = await context.settings.get();
    const resolved = await resolve(message, classification);
    const resolution = resolved.resolution;
    const address = resolution.address;
    const checked = address ? await knownAddress(address, resolved.historyCurrent) : { known: null, trouble: null };
    const known = checked.known;
    const unverified = classification.flags.includes('unverified') && context.classifyContext.unverifiedMail === 'ignore';
    const decision = decideRequest({
      platform,
      address,
      noAddressReason: resolution.detail,
      known,
      unverifiedIgnored: unverified ? `ignored: unverified ${platform} mail (no Authentication-Results to check) and UNVERIFIED_MAIL is ignore` : null,
      settings,
    });
    if (decision.status === 'ignored') return { kind: 'ignored', reason: decision.reason };

    const now = context.now();
    const dedupeKeys = [
      ...(requester.invitationId ? [`invitation:${platform}:${requester.invitationId}`] : []),
      ...(address ? [`address:${address}`] : []),
    ];
    // Without an invitation id or address, the request mail itself is the identity.
    if (dedupeKeys.length === 0) dedupeKeys.push(`message:${message.messageId ?? `${message.date?.getTime() ?? now}:${message.subject}`}`);
    const detail = [
      classification.reason,
      address ? resolution.detail : null,
      // (Trouble while looking the name up is in the resolution's own words.)
      checked.trouble ? `whether you wrote to ${address} before was checked against the mailbox history as it stood (${checked.trouble})` : null,
      'allowed' in decision && decision.allowed ? allowedNote(decision.allowed) : null,
    ].filter((part): part is string => part !== null);
    const created = await store.create(
      {
        status: decision.status,
        platform,
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
        reason: decision.reason,
        requestedAt: now,
        askedAt: null,
        deadlineAt: null,
        answeredAt: null,
        ...NO_DETAILS,
        acceptUrl: requester.acceptUrl,
        location: requester.location,
        note: requester.note,
        mutualConnections: requester.mutualConnections,
        connectionCount: requester.connectionCount,
        hasPhoto: requester.hasPhoto,
        flags: classification.flags,
        language: classification.language,
      },
      dedupeKeys,
      settings.dedupeWindowMs,
      { at: now, type: 'requested', detail: detail.join('; '), messageId: message.messageId ?? undefined },
    );
    if (created.forgotten) return { kind: 'ignored', reason: 'a request from a person you erased; it is not recorded again' };
    const { id } = created;
    let contact = await store.get(id);
    if (!created.created && contact && contact.requestMessageId !== message.messageId) {
      await noteOnce(id, { at: now, type: 'requested_again', detail: `asked again: ${classification.reason}`, messageId: message.messageId ?? undefined });
      // Asked again while still waiting for an address, and one is found now (an address book
      // imported since, say): the person moves on as a new request would.
      if (contact.status === 'awaiting_address' && address && decision.status !== 'awaiting_address') {
        const event = { at: now, detail: detail.slice(1).join('; ') || `address ${address}`, messageId: message.messageId ?? undefined };
        await giveAddress({ store, queues }, contact, address, decision, settings.dedupeWindowMs, event);
        contact = await store.get(id);
      }
    }
    // Also on a replayed job: the person may have been stored by a run that stopped before this step.
    if (contact?.status === 'queued') {
      await queues.send.add('send', { mailbox: contact.mailbox, contactId: id }, { jobId: jobId.send(contact.mailbox, id, contact.attempts + 1) });
    }
    return { kind: 'request', contactId: id, created: created.created };
  }

  /**
   * An out-of-office from an asked person pauses their deadline until the stated return date (or
   * a default): the time they had left starts again when they are back.
   */
  async function pauseDeadline(contact: Contact, message: Message, classification: Classification): Promise<void> {
    const now = context.now();
    const stated = classification.returnsAt;
    const returnsAt = stated ?? now + DEFAULT_ABSENCE_MS;
    if (!(await alreadyNoted(contact.id, message.messageId)) && returnsAt > now && contact.deadlineAt !== null) {
      // While already paused, the time left is what remains after the earlier return date.
      const remaining = Math.max(0, contact.deadlineAt - Math.max(now, contact.pausedUntil ?? now));
      const deadlineAt = returnsAt + remaining;
      await store.update(
        contact.id,
        { pausedUntil: returnsAt, deadlineAt },
        {
          at: now,
          type: 'paused',
          detail: `out of office until ${day(returnsAt)}${stated === null ? ` (no return date given; ${DEFAULT_ABSENCE_MS / 86_400_000} days assumed)` : ''}: the deadline waits, now ${day(deadlineAt)}`,
          messageId: message.messageId ?? undefined,
        },
      );
    } else {
      await noteOnce(contact.id, { at: now, type: 'auto_reply', detail: classification.reason, messageId: message.messageId ?? undefined });
    }
    // Also on a replayed job: the deadline job follows the person, whatever ran before. It wakes
    // when they are back, then waits for the reminder or the deadline as the person says.
    const current = await store.get(contact.id);
    if (current?.status === 'asked' && current.deadlineAt !== null) {
      const wakeAt = current.pausedUntil !== null && current.pausedUntil > now ? current.pausedUntil : current.deadlineAt;
      await scheduleDeadline(queues, current.mailbox, current.id, wakeAt, now);
    }
  }

  const takePlatformMessage = createPlatformMessageReader(context, { takeAnswer, noteOnce });

  async function takeBounce(message: Message, classification: Classification): Promise<InboundOutcome> {
    const contact =
      (classification.answersMessageId && (await store.findByScriptMessageId(classification.answersMessageId))) ||
      (classification.bouncedRecipient && (await store.findByAddress(classification.bouncedRecipient))) ||
      null;
    if (!contact) return { kind: 'bounce', contactId: null };
    const bounce = classification.bounce;
    const now = context.now();
    const what = bounce ? [bounce.status, bounce.diagnostic].filter((part) => part).join(': ') : '';
    if (bounce && !bounce.permanent) {
      // A temporary failure may still be delivered: the person stays where they are.
      await noteOnce(contact.id, {
        at: now,
        type: 'auto_reply',
        detail: `temporary delivery trouble${what ? ` (${what})` : ''}; the script may still arrive, nothing changes`,
        messageId: message.messageId ?? undefined,
      });
      return { kind: 'bounce', contactId: contact.id };
    }
    const reason = what ? `bounced: ${what}` : classification.reason;
    await store.transition(contact.id, 'bounced', { reason }, { at: now, detail: reason, messageId: message.messageId ?? undefined });
    await queues.deadline.remove(jobId.deadline(contact.mailbox, contact.id));
    return { kind: 'bounce', contactId: contact.id };
  }

  return async function processInbound(job: Job<QueuePayloads['inbound']>): Promise<InboundOutcome> {
    const data = job.data;
    let message: Message;
    try {
      message = await parseMessage(Buffer.from(data.source, 'base64'), { truncated: data.truncated });
    } catch (error) {
      return unreadable(data, `could not parse the message: ${error instanceof Error ? error.message : String(error)}`);
    }
    const classification = classify(message, classifyContext);
    const log = logger.child({ mailbox: data.mailbox, uid: data.uid, job: job.id });
    log.debug({ verdict: classification.verdict, reason: classification.reason }, 'classified');
    // A platform's notice of a message: the answer of someone asked there, or nothing at all.
    if (classification.platformMessage) return takePlatformMessage(data, message, classification.platformMessage, classification.reason);

    switch (classification.verdict) {
      case 'bounce':
        return takeBounce(message, classification);
      case 'auto_reply': {
        // An out-of-office is not an answer: the person stays asked, and their deadline waits.
        const contact = await answeredContact(message, classification);
        if (!contact) return { kind: 'auto_reply', contactId: null };
        // A stated return date says the person is away even where the note's wording did not.
        if (contact.status === 'asked' && (classification.outOfOffice || classification.returnsAt !== null)) {
          await pauseDeadline(contact, message, classification);
        } else {
          await noteOnce(contact.id, { at: context.now(), type: 'auto_reply', detail: classification.reason, messageId: message.messageId ?? undefined });
        }
        return { kind: 'auto_reply', contactId: contact.id };
      }
      case 'answer': {
        const contact = await answeredContact(message, classification);
        if (contact) return takeAnswer(contact, message, classification.answersMessageId ?? null);
        return { kind: 'ignored', reason: 'answers a script of ours that no person here is waiting on' };
      }
      case 'connection_request': {
        // A threaded reply to our script that reads like a request is still an answer; an
        // unthreaded one from the same person is a repeated request, which dedupe absorbs.
        const asked = classification.answersMessageId ? await store.findByScriptMessageId(classification.answersMessageId) : null;
        if (asked) return takeAnswer(asked, message, classification.answersMessageId ?? null);
        return takeRequest(message, classification);
      }
      case 'ignored': {
        // Mail from a person we asked counts as their answer even without threading headers,
        // unless it is list or robot mail.
        if (!classification.reason.startsWith('suppressed')) {
          const contact = await answeredContact(message, classification);
          if (contact) return takeAnswer(contact, message, classification.answersMessageId ?? null);
        }
        return { kind: 'ignored', reason: classification.reason };
      }
    }
  };
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
