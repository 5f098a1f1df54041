import type { Job } from 'bullmq';
import { giveAddress } from '../contacts/awaiting.ts';
import { AWAITING_ANSWER } from '../contacts/lifecycle.ts';
import { allowedNote, decideRequest, knownReason, resolveAddress, type Resolution, type ResolutionInput } from '../contacts/resolve.ts';
import { normaliseName } from '../text/names.ts';
import { type Contact, type ContactEvent, type Flag, FLAGS, NO_DETAILS } from '../vocabulary/contact.ts';
import { addressDedupeKey, messageDedupeKey } from '../contacts/store.ts';
import { readAnswer } from '../detect/answer.ts';
import { DEFAULT_ABSENCE_MS } from '../detect/auto-reply.ts';
import { classify } from '../detect/classify.ts';
import type { Classification } from '../detect/types.ts';
import { MAX_SOURCE_BYTES, parseMessage, type Message } from '../mail/message.ts';
import type { FetchedSource, MessageFetcher } from '../mail/fetcher.ts';
import { MailboxGoneError } from '../mailboxes/connections.ts';
import { readScriptMessageId, scriptMessageId } from '../mail/message-id.ts';
import { topAuthservId } from '../detect/authentication.ts';
import { cancelDeadline, deadlineWakeAt, pausedDeadline, scheduleDeadline } from '../queues/deadlines.ts';
import { ensureScriptJob, type InboundOutcome, type QueuePayloads } from '../queues/queues.ts';
import type { WorkerContext } from './context.ts';
import { createPlatformMessageReader, type PlatformAnswer } from './platform-message.ts';
import { createMailLog } from './mail-log.ts';
import { countAnswer, countRequest } from '../metrics/counts.ts';
import { createSourceBudget } from './intake.ts';

/** Whom a mail answers, and whether it may change their record (and why not). */
type Answerer = { contact: Contact; counts: true } | { contact: Contact; counts: false; why: string };

/** Most bytes of mail fetched, parsed and checked at once, whatever the worker's concurrency. */
const SOURCE_BYTES_IN_HAND = 6 * 1024 * 1024;
/** What a job whose message's size the server did not give is counted as, in the budget above. */
const UNKNOWN_SIZE = 64 * 1024;

/** Runs of a request whose authentication met a DNS failure before it is decided as it stands. */
const DNS_RETRIES = 3;

/**
 * Reads one new message: a connection request becomes a person (and a script to send, unless a
 * rule or setting says otherwise), an answer moves its person on, anything else is ignored with
 * its reason.
 */
export function createInboundProcessor(context: WorkerContext, reader: Pick<MessageFetcher, 'fetch'>) {
  const { store, queues, logger, addressBook, history } = context;
  const mailLog = createMailLog(logger);
  // Requests are classified as if unverified mail were accepted; the setting in force is applied
  // below (decideRequest), so that a change on the settings page counts from the next mail on.
  const classifyContext = { ...context.classifyContext, unverifiedMail: 'accept' as const };

  async function unreadable(job: QueuePayloads['inbound'], reason: string): Promise<InboundOutcome> {
    await store.recordSkippedMail({ at: context.now(), uid: job.uid, messageId: null, reason });
    logger.warn({ mailbox: job.mailbox, uid: job.uid, reason }, 'skipped a message');
    return { kind: 'unreadable', reason };
  }

  /**
   * The person an incoming mail answers, if any, and whether it may change their record (see docs/SECURITY.md:
   * records only the person can change). It counts when it replies to a script of ours whose
   * sealed Message-ID only the person received, from the person's own address; or when it is
   * authenticated (DMARC, or DKIM aligned with its From) from the person's address. Anything else
   * in their name (a reply from elsewhere, a Message-ID that is not ours, an old unsealed id, an
   * unauthenticated From) is at most a note on their timeline.
   */
  async function answeredContact(message: Message, classification: Classification): Promise<Answerer | null> {
    const from = message.from?.address.toLowerCase() ?? '';
    const authenticated = classification.authentication.verified;
    const threaded = classification.answersMessageId;
    if (threaded) {
      const reading = readScriptMessageId(threaded, context.secret);
      const contact = reading ? await store.findByScriptMessageId(threaded) : null;
      if (contact && reading && contact.id === reading.contactId) {
        const fromPerson = from !== '' && from === contact.email?.toLowerCase();
        if (fromPerson && (reading.sealed || authenticated)) return { contact, counts: true };
        if (!fromPerson) return { contact, counts: false, why: `a reply to the script from ${from || 'no address'}, not from ${contact.email ?? 'their address'}` };
        return { contact, counts: false, why: `a reply to a script sent before Message-IDs were sealed, from ${from}, which is not authenticated (${classification.authentication.detail})` };
      }
      // A Message-ID of ours that we never wrote (a forged seal, an unsealed guess): it proves nothing.
    }
    if (!from) return null;
    const contact = await store.findByAddress(from);
    // The request itself, delivered again, is not an answer.
    if (!contact || (message.messageId !== null && message.messageId === contact.requestMessageId)) return null;
    if (!AWAITING_ANSWER.includes(contact.status)) return null;
    if (authenticated) return { contact, counts: true };
    const how = threaded ? 'names a script Message-ID Winnow never wrote' : 'is no reply to the script';
    return { contact, counts: false, why: `mail from ${from} that ${how} and is not authenticated (${classification.authentication.detail})` };
  }

  /** Mail in a person's name that may not change their record: one note, their status stays. */
  async function notTaken(answerer: Extract<Answerer, { counts: false }>, message: Message, what: string): Promise<InboundOutcome> {
    await noteOnce(answerer.contact.id, { at: context.now(), type: 'not_taken', detail: `${what} not taken: ${answerer.why}; nothing changes`, messageId: message.messageId ?? undefined });
    return { kind: 'not_taken', contactId: answerer.contact.id, reason: answerer.why };
  }

  /**
   * Remembers which authserv-id tops each recent mail (or none), so that `winnow doctor` and the
   * settings page can offer the user's receiving server for AUTHSERV_ID. Only offered, never
   * believed: the user must say it is theirs.
   */
  async function noteAuthservId(message: Message): Promise<void> {
    if (context.classifyContext.authservId) return;
    await store.noteAuthservId(topAuthservId(message));
  }

  /**
   * Notes a mail on the timeline once (a job run again adds nothing); mail of the same kind in a
   * row is one counted entry. Reads the timeline's last entry, never all of it.
   */
  async function noteOnce(contactId: string, event: ContactEvent, options: { repeatedRequest?: boolean } = {}): Promise<void> {
    await store.noteMail(contactId, event, options);
  }

  /** `notice`: the answer came as a platform's message notice, read already; where it was written and what to keep of it. */
  async function takeAnswer(contact: Contact, message: Message, answers: string | null, notice?: PlatformAnswer): Promise<InboundOutcome> {
    // Only a reply to our Message-ID finds a queued person. A reply to the script being sent right
    // now overtook its bookkeeping (the sender records "asked" just after the SMTP server accepts,
    // or after a restart): the job is retried with backoff, by which time the person is asked;
    // dropping it would lose the answer. A reply to an earlier script, while "send again" waits
    // (for the send window, the daily cap), is simply the answer: taken now, the waiting script
    // then finds the person answered and does not go.
    if (contact.status === 'queued' && (contact.attempts === 0 || answers === null || sameId(answers, scriptMessageId(contact.id, contact.attempts + 1, await context.mailboxes.messageIdDomain(contact.mailbox), context.secret)))) {
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
      await cancelDeadline(queues, contact);
      void countAnswer(context, answer.kind);
      mailLog.answer(contact, answer.kind, notice ? `${notice.where}: ${answer.reason.replace(/^(answered|declined): /, '')}` : answer.reason, flags);
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

  async function takeRequest(message: Message, classification: Classification, mailbox: string): Promise<InboundOutcome> {
    const requester = classification.requester;
    const platform = classification.platform;
    if (!requester || !platform) return { kind: 'ignored', reason: 'request without a requester' };
    const settings = await context.settings.get();
    const resolved = await resolve(message, classification);
    const resolution = resolved.resolution;
    const address = resolution.address;
    const checked = address ? await knownAddress(address, resolved.historyCurrent) : { known: null, trouble: null };
    const known = checked.known;
    const decision = decideRequest({
      platform,
      address,
      noAddressReason: resolution.detail,
      known,
      unverified: classification.authentication.verified ? null : classification.authentication.detail,
      source: resolution.source,
      settings,
    });
    if (decision.status === 'ignored') {
      mailLog.notRecorded(requester.name, decision.reason);
      return { kind: 'ignored', reason: decision.reason };
    }

    const now = context.now();
    const dedupeKeys = [
      ...(requester.invitationId ? [`invitation:${platform}:${requester.invitationId}`] : []),
      ...(address ? [addressDedupeKey(address)] : []),
    ];
    // Without an invitation id or address, the request mail itself is the identity.
    if (dedupeKeys.length === 0) dedupeKeys.push(messageDedupeKey(message.messageId ?? `${message.date?.getTime() ?? now}:${message.subject}`));
    const detail = [
      classification.reason,
      // Whether the sender is authenticated, and by whom (or why not), in words.
      classification.authentication.detail,
      address ? resolution.detail : null,
      // (Trouble while looking the name up is in the resolution's own words.)
      checked.trouble ? `whether you wrote to ${address} before was checked against the mailbox history as it stood (${checked.trouble})` : null,
      'allowed' in decision && decision.allowed ? allowedNote(decision.allowed) : null,
    ].filter((part): part is string => part !== null);
    const created = await store.create(
      {
        status: decision.status,
        mailbox,
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
    if (created.forgotten) {
      const reason = 'a request from a person you erased; it is not recorded again';
      mailLog.notRecorded(requester.name, reason);
      return { kind: 'ignored', reason };
    }
    const { id } = created;
    let contact = await store.get(id);
    if (contact && created.created) mailLog.request(contact);
    if (created.created) void countRequest(context, platform);
    else if (contact && contact.requestMessageId !== message.messageId) mailLog.requestAgain(contact);
    if (!created.created && contact && contact.requestMessageId !== message.messageId) {
      // Counted on the person, not a new entry each time: a sender repeating a request a thousand
      // times costs one timeline entry and one counter.
      await noteOnce(id, { at: now, type: 'requested_again', detail: `asked again: ${classification.reason}`, messageId: message.messageId ?? undefined }, { repeatedRequest: true });
      // Asked again while still waiting for an address, and one is found now (an address book
      // imported since, say): the person moves on as a new request would.
      if (contact.status === 'awaiting_address' && address && decision.status !== 'awaiting_address') {
        const event = { at: now, detail: detail.slice(1).join('; ') || `address ${address}`, messageId: message.messageId ?? undefined };
        await giveAddress({ store, queues }, contact, address, decision, settings.dedupeWindowMs, event);
        contact = await store.get(id);
      }
    }
    // Also on a replayed job: the person may have been stored by a run that stopped before this step.
    if (contact?.status === 'queued') await ensureScriptJob(queues, contact);
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
    // This very mail already paused the deadline (a job run again): its entry is the newest.
    const applied = message.messageId !== null && (await store.lastNotedMessageId(contact.id)) === message.messageId;
    const paused = applied ? null : pausedDeadline(contact, returnsAt, now);
    if (paused) {
      const { deadlineAt } = paused;
      await store.update(
        contact.id,
        paused,
        {
          at: now,
          type: 'paused',
          detail: `out of office until ${day(returnsAt)}${stated === null ? ` (no return date given; ${DEFAULT_ABSENCE_MS / 86_400_000} days assumed)` : ''}: the deadline waits, now ${day(deadlineAt)}`,
          messageId: message.messageId ?? undefined,
        },
      );
      mailLog.outOfOffice(contact, day(returnsAt));
    } else {
      await noteOnce(contact.id, { at: now, type: 'auto_reply', detail: classification.reason, messageId: message.messageId ?? undefined });
    }
    // Also on a replayed job: the deadline job follows the person, whatever ran before. It wakes
    // when they are back, then waits for the reminder or the deadline as the person says.
    const current = await store.get(contact.id);
    const wakeAt = current?.status === 'asked' ? deadlineWakeAt(current, await context.settings.get(), now) : null;
    if (current && wakeAt !== null) await scheduleDeadline(queues, current, wakeAt, now);
  }

  const takePlatformMessage = createPlatformMessageReader(context, { takeAnswer, noteOnce });
  const sources = createSourceBudget(SOURCE_BYTES_IN_HAND);

  /**
   * A delivery report counts only when it returns the sealed Message-ID of a script of ours: only
   * a server that had the script in hand knows it. A report that merely names the person's
   * address (anyone can write one) is a note on their timeline at most.
   */
  async function takeBounce(message: Message, classification: Classification): Promise<InboundOutcome> {
    const returned = classification.answersMessageId;
    const reading = returned ? readScriptMessageId(returned, context.secret) : null;
    const found = returned && reading?.sealed ? await store.findByScriptMessageId(returned) : null;
    const contact = found && found.id === reading?.contactId ? found : null;
    if (!contact) {
      const named = classification.bouncedRecipient ? await store.findByAddress(classification.bouncedRecipient) : null;
      if (!named) return { kind: 'bounce', contactId: null };
      const why = returned ? `it names a script Message-ID Winnow never wrote (${returned.slice(0, 120)})` : 'it does not return the Message-ID of a script of ours';
      return notTaken({ contact: named, counts: false, why }, message, `a delivery report naming ${classification.bouncedRecipient}`);
    }
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
    const moved = await store.transition(contact.id, 'bounced', { reason }, { at: now, detail: reason, messageId: message.messageId ?? undefined });
    if (moved.moved) mailLog.bounce(contact, what || classification.reason);
    await cancelDeadline(queues, contact);
    return { kind: 'bounce', contactId: contact.id };
  }

  /**
   * The message of a job, by one path whatever the job's shape: the source it carries (small live
   * mail, jobs queued by older versions) or the one read by UID from the mailbox. Fetching,
   * parsing and checking a mail takes several times its size, so the jobs in hand share a budget
   * of bytes, taken before the fetch (a backlog with 2 MB attachments must not hold eight of them
   * at once). The caller releases it.
   */
  async function sourceOf(data: QueuePayloads['inbound']): Promise<{ source: FetchedSource; release(): void }> {
    const carried = data.source;
    // Base64 holds three bytes in four characters.
    const bytes = carried !== undefined ? Math.floor((carried.length * 3) / 4) : Math.min(data.size || UNKNOWN_SIZE, MAX_SOURCE_BYTES);
    const release = await sources.take(bytes);
    try {
      const source: FetchedSource =
        carried !== undefined ? { raw: Buffer.from(carried, 'base64'), truncated: data.truncated === true } : await reader.fetch({ mailbox: data.mailbox, uidValidity: data.uidValidity, uid: data.uid, size: data.size });
      return { source, release };
    } catch (error) {
      release();
      // A mailbox removed meanwhile: nothing is left to read the message from, so it is skipped, not retried.
      if (error instanceof MailboxGoneError) return { source: { gone: `the mailbox ${data.mailbox} was removed before the message was read` }, release: () => undefined };
      throw error;
    }
  }

  return async function processInbound(job: Job<QueuePayloads['inbound']>): Promise<InboundOutcome> {
    const data = job.data;
    const { source, release } = await sourceOf(data);
    let message: Message;
    let verification: Awaited<ReturnType<typeof context.verifier.verify>>;
    try {
      // Gone from the folder before it was read (deleted, moved, the folder renumbered): recorded
      // as skipped mail with the reason, not retried; there is nothing left to read.
      if ('gone' in source) return await unreadable(data, source.gone);
      try {
        message = await parseMessage(source.raw, { truncated: source.truncated });
      } catch (error) {
        return await unreadable(data, `could not parse the message: ${error instanceof Error ? error.message : String(error)}`);
      }
      // Winnow's own DKIM/SPF/DMARC check, before classification, which stays pure.
      verification = await context.verifier.verify(source.raw, message);
    } finally {
      release();
    }
    const classification = classify(message, { ...classifyContext, verification });
    // A DNS lookup that failed for now may turn an unverified request into a verified one: a few
    // more runs (with the queue's backoff) before it is decided as it stands.
    if (classification.verdict === 'connection_request' && !classification.authentication.verified && verification.temporary && job.attemptsMade < DNS_RETRIES - 1) {
      throw new Error(`DNS trouble while authenticating a request (${classification.authentication.detail}); trying again`);
    }
    await noteAuthservId(message);
    const log = logger.child({ mailbox: data.mailbox, uid: data.uid, job: job.id });
    log.debug({ verdict: classification.verdict, reason: classification.reason }, 'classified');
    // A platform's notice of a message: the answer of someone asked there, or nothing at all.
    if (classification.platformMessage) return takePlatformMessage(data, message, classification.platformMessage, classification.reason);

    switch (classification.verdict) {
      case 'bounce':
        return takeBounce(message, classification);
      case 'auto_reply': {
        // An out-of-office is not an answer: the person stays asked, and their deadline waits.
        const answerer = await answeredContact(message, classification);
        if (!answerer) return { kind: 'auto_reply', contactId: null };
        if (!answerer.counts) return notTaken(answerer, message, 'an automatic reply');
        const contact = answerer.contact;
        // A stated return date says the person is away even where the note's wording did not.
        if (contact.status === 'asked' && (classification.outOfOffice || classification.returnsAt !== null)) {
          await pauseDeadline(contact, message, classification);
        } else {
          await noteOnce(contact.id, { at: context.now(), type: 'auto_reply', detail: classification.reason, messageId: message.messageId ?? undefined });
        }
        return { kind: 'auto_reply', contactId: contact.id };
      }
      case 'answer': {
        const answerer = await answeredContact(message, classification);
        if (answerer?.counts) return takeAnswer(answerer.contact, message, classification.answersMessageId ?? null);
        if (answerer) return notTaken(answerer, message, 'an answer');
        return { kind: 'ignored', reason: 'answers a script of ours that no person here is waiting on' };
      }
      case 'connection_request':
        // Requests never thread to our scripts (classify reads threaded mail as answers first);
        // an unthreaded one from a person already here is a repeated request, which dedupe absorbs.
        return takeRequest(message, classification, data.mailbox);
      case 'ignored': {
        // Mail from a person we asked counts as their answer even without threading headers when
        // it is authenticated from their address, unless it is list or robot mail.
        if (!classification.suppressed) {
          const answerer = await answeredContact(message, classification);
          if (answerer?.counts) return takeAnswer(answerer.contact, message, classification.answersMessageId ?? null);
          if (answerer) return notTaken(answerer, message, 'mail');
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
