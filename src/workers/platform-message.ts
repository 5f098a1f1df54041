import { giveAddress } from '../contacts/awaiting.ts';
import { awaitsAddressOnPlatform, matchNotice, waitingOnPlatform } from '../contacts/platform-answers.ts';
import { decideRequest, relayAsAddress } from '../contacts/resolve.ts';
import type { Contact, ContactEvent, Flag } from '../vocabulary/contact.ts';
import { readAnswerText } from '../detect/answer.ts';
import { platformLabelOf } from '../detect/platform.ts';
import type { AnswerReading, PlatformMessage } from '../detect/types.ts';
import type { Message } from '../mail/message.ts';
import type { InboundOutcome, QueuePayloads } from '../queues/queues.ts';
import type { WorkerContext } from './context.ts';

/** An answer that came as a platform's message notice, read from the notice. */
export interface PlatformAnswer {
  answer: AnswerReading;
  /** What the person keeps of the notice: the conversation link, a relay. */
  patch: Partial<Contact>;
  /** Where the answer was written, for the timeline ("on LinkedIn"). */
  where: string;
}

interface AnswerPath {
  takeAnswer(contact: Contact, message: Message, answers: string | null, notice?: PlatformAnswer): Promise<InboundOutcome>;
  noteOnce(contactId: string, event: ContactEvent): Promise<void>;
}

/**
 * A platform's notice of a message ("Jane Doe sent you a message"): once the user sent the script
 * to Jane on that platform, it is her answer, taken exactly as a mail answer is. It counts only
 * when the platform's DKIM or DMARC passed for its domain (Winnow's own check or the user's
 * server), as for an invitation, and only for someone Winnow is waiting for there. A notice that
 * did not pass counts for nothing, and is turned away before anyone is read. Nothing
 * checked it at all (no own check: never in the workers) counts only unless "Unverified senders"
 * is ignore; the person is then flagged unverified.
 */
export function createPlatformMessageReader(context: WorkerContext, path: AnswerPath) {
  const { store, logger } = context;

  /**
   * A notice from someone still waiting for an address, with a relay that reaches them (InMail):
   * the relay is kept and shown on their page. It is not their own address, so the script goes
   * there only when the user allowed relays in the settings (relayAsAddress decides); the person
   * then moves on as a request with that address would (queued, or waiting for approval).
   */
  async function keepRelay(notice: PlatformMessage, message: Message, platform: string): Promise<void> {
    const match = matchNotice(notice, await waitingOnPlatform(store, notice.platform, ['awaiting_address']), awaitsAddressOnPlatform);
    if (match.kind !== 'matched') return;
    const settings = await context.settings.get();
    const relay = relayAsAddress({ relay: notice.relay, authentication: notice.authentication, sendToRelays: settings.sendToRelays, context: context.classifyContext });
    const messageId = message.messageId ?? undefined;
    if (match.contact.relayAddress !== notice.relay) {
      const use = relay.address ? 'Relays are allowed in Settings, so the script goes there.' : 'Winnow does not write to relays unless Settings allow it; you may give it as their address.';
      await store.update(
        match.contact.id,
        { relayAddress: notice.relay },
        { at: context.now(), type: 'platform_message', detail: `${platform} message from them, with a relay address that forwards to them: ${notice.relay}. ${use}`, messageId },
      );
    }
    if (relay.address === null) return;
    const decision = decideRequest({ platform: notice.platform, address: relay.address, noAddressReason: relay.detail, known: null, unverified: null, source: relay.source, settings });
    if (decision.status === 'ignored' || decision.status === 'awaiting_address') return;
    await giveAddress({ store, queues: context.queues }, match.contact, relay.address, decision, settings.dedupeWindowMs, { at: context.now(), detail: relay.detail, messageId });
  }

  return async function takePlatformMessage(job: QueuePayloads['inbound'], message: Message, notice: PlatformMessage, reason: string): Promise<InboundOutcome> {
    const platform = platformLabelOf(notice.platform) ?? notice.platform;
    const unverified = notice.authentication === 'unverified';
    const refused = notice.authentication === 'fail' || notice.authentication === 'none' || (unverified && (await context.settings.get()).unverifiedMail === 'ignore');
    // Before anyone is read: a notice that did not pass costs one look at its headers, however
    // many people wait and however many forged notices come.
    if (refused) return { kind: 'ignored', reason: `${reason}; ${platform}'s authentication did not pass (${notice.authenticationDetail}), so it is nobody's answer` };
    const match = matchNotice(notice, await waitingOnPlatform(store, notice.platform));
    const now = context.now();
    const messageId = message.messageId ?? undefined;
    if (match.kind === 'none') {
      if (notice.relay && notice.authentication === 'pass') await keepRelay(notice, message, platform);
      return { kind: 'ignored', reason: `${reason}; from no one you sent the script to on ${platform}` };
    }
    if (match.kind === 'ambiguous') {
      const why = `a ${platform} message from "${notice.name}" came, but ${match.contacts.length} people you asked on ${platform} have that name and the notice does not tell which; it was taken for none of them. Read it on ${platform} and decide by hand.`;
      // A job run again after a crash finds its note and records the mail once.
      const seen = messageId !== undefined && (await store.timeline(match.contacts[0]!.id)).some((entry) => entry.messageId === messageId);
      for (const contact of match.contacts) await path.noteOnce(contact.id, { at: now, type: 'platform_message', detail: why, messageId });
      if (!seen) await store.recordSkippedMail({ at: now, uid: job.uid, messageId: message.messageId, reason: why });
      logger.warn({ mailbox: job.mailbox, uid: job.uid, people: match.contacts.map((contact) => contact.id) }, 'a platform message matched several people by name');
      return { kind: 'ignored', reason: why };
    }

    const answer = notice.text === '' ? { ...readAnswerText(''), reason: `answered: the notice shows none of the message; read it on ${platform}` } : readAnswerText(notice.text);
    const flags: Flag[] = unverified && !answer.flags.includes('unverified') ? [...answer.flags, 'unverified'] : answer.flags;
    return path.takeAnswer(match.contact, message, null, {
      answer: { ...answer, flags },
      patch: { conversationUrl: notice.conversationUrl, ...(notice.relay ? { relayAddress: notice.relay } : {}) },
      where: `on ${platform}, matched by ${match.how}`,
    });
  };
}
