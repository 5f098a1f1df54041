import { latestSlot } from '../digest/digest.ts';
import { composeDigest } from '../digest/gather.ts';
import { inQuietHours, localDay } from '../settings/send-window.ts';
import { PRIMARY_MAILBOX } from '../mailboxes/records.ts';
import type { WorkerContext } from './context.ts';
import { createMailboxStore } from '../mailboxes/records.ts';

/** How often the workers look whether a digest is due. */
export const DIGEST_CHECK_MS = 60_000;
/** How long a slot's claim is kept: longer than any slot, so no process takes it twice. */
const CLAIM_MS = 2 * 86_400_000;

export type DigestOutcome =
  | { kind: 'off' | 'not-due' | 'quiet' | 'taken' }
  | { kind: 'nothing-new'; slot: number }
  | { kind: 'sent'; slot: number; messageId: string; fresh: number };

/**
 * Sends the digest when its time has come: once per slot across every worker process (a claim in
 * Redis), outside the quiet hours (a slot that falls in them goes when they end), and only when
 * something is new since the last digest. To the user's own address; the inbound worker then
 * reads it as mail from the user's own address, which is never a request or an answer.
 */
export function createDigestRunner(context: Pick<WorkerContext, 'store' | 'settings' | 'templates' | 'mailboxes' | 'config' | 'classifyContext' | 'logger' | 'now' | 'redis'>) {
  const { store, config, logger } = context;

  return async function runDigest(): Promise<DigestOutcome> {
    const settings = await context.settings.get();
    const now = context.now();
    const slot = latestSlot(now, settings.digest, settings.timeZone);
    if (slot === null) return { kind: 'off' };
    const state = await store.digestState();
    if (Number(state.lastSlot ?? 0) >= slot) return { kind: 'not-due' };
    // A slot in the quiet hours waits for their end, then goes.
    if (inQuietHours(now, { quietHours: settings.quietHours, timeZone: settings.timeZone })) return { kind: 'quiet' };
    if (!(await store.claimDigestSlot(slot, now, CLAIM_MS))) return { kind: 'taken' };
    await store.writeDigestState({ lastSlot: String(slot) });

    const day = localDay(now, settings.timeZone);
    const since = state.lastSentAt ? Number(state.lastSentAt) : null;
    const mailboxes = createMailboxStore(context.redis, config.redis.prefix, { secrets: null, config });
    const mail = await composeDigest({ store, templates: context.templates, userName: config.mailFrom.name, dashboardUrl: config.dashboardUrl, mailboxes }, settings, now, since);
    if (!mail) return { kind: 'nothing-new', slot };

    // Threaded per day: the day's first digest starts the thread, later ones answer it.
    const number = state.day === day ? Number(state.count ?? 0) + 1 : 1;
    const domain = context.classifyContext.messageIdDomain;
    const root = `winnow-digest.${day}.1@${domain}`;
    const messageId = `winnow-digest.${day}.${number}@${domain}`;
    try {
      const sender = await context.mailboxes.sender(PRIMARY_MAILBOX);
      await sender.send({
        from: config.mailFrom,
        to: config.mailFrom.address,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        inReplyTo: number > 1 ? root : null,
        references: number > 1 ? [root] : [],
        autoSubmitted: 'auto-generated',
      });
    } catch (error) {
      // Given back, so the next look tries this slot again.
      await store.releaseDigestSlot(slot);
      await store.writeDigestState({ lastSlot: state.lastSlot ?? '0' });
      throw error;
    }
    await store.writeDigestState({ lastSentAt: String(now), day, count: String(number) });
    logger.info({ fresh: mail.fresh, messageId }, 'digest sent');
    return { kind: 'sent', slot, messageId, fresh: mail.fresh };
  };
}
