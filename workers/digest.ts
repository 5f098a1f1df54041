import { buildDigest, latestSlot, MAX_ITEMS, type DigestPerson } from '../src/digest/digest.ts';
import type { Contact, Status } from '../src/contacts/types.ts';
import { personVariables } from '../src/script/render.ts';
import { inQuietHours, localDay } from '../src/settings/send-window.ts';
import type { WorkerContext } from './context.ts';

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
export function createDigestRunner(context: Pick<WorkerContext, 'store' | 'settings' | 'templates' | 'sender' | 'config' | 'classifyContext' | 'logger' | 'now'>) {
  const { store, config, logger } = context;

  async function people(statuses: readonly Status[], keep: (contact: Contact) => boolean): Promise<{ shown: Contact[]; total: number }> {
    const found: Contact[] = [];
    for (const status of statuses) {
      const ids = await store.idsWithStatus(status);
      for (let i = 0; i < ids.length; i += 500) {
        for (const contact of await store.getMany(ids.slice(i, i + 500))) if (contact && contact.status === status && keep(contact)) found.push(contact);
      }
    }
    found.sort((a, b) => b.updatedAt - a.updatedAt);
    return { shown: found.slice(0, MAX_ITEMS), total: found.length };
  }

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

    const onPlatform = (contact: Contact) => contact.platform !== 'email' && !contact.email;
    const [toSend, toDecide, toApprove] = await Promise.all([
      people(['awaiting_address', 'awaiting_approval'], onPlatform),
      people(['answered', 'declined'], () => true),
      people(['awaiting_approval'], (contact) => !onPlatform(contact)),
    ]);
    const { compiled } = await context.templates.current('script');
    const withScript = (contact: Contact): DigestPerson => {
      const rendered = compiled.render(personVariables(contact, config.mailFrom.name));
      return { contact, script: { subject: rendered.subject, text: rendered.text } };
    };
    const day = localDay(now, settings.timeZone);
    const since = state.lastSentAt ? Number(state.lastSentAt) : null;
    const mail = buildDigest({
      toSend: toSend.shown.map(withScript),
      toDecide: toDecide.shown.map((contact) => ({ contact })),
      toApprove: toApprove.shown.map((contact) => ({ contact })),
      totals: { toSend: toSend.total, toDecide: toDecide.total, toApprove: toApprove.total },
      since,
      dashboardUrl: config.dashboardUrl,
      day,
    });
    if (!mail) return { kind: 'nothing-new', slot };

    // Threaded per day: the day's first digest starts the thread, later ones answer it.
    const number = state.day === day ? Number(state.count ?? 0) + 1 : 1;
    const domain = context.classifyContext.messageIdDomain;
    const root = `winnow-digest.${day}.1@${domain}`;
    const messageId = `winnow-digest.${day}.${number}@${domain}`;
    try {
      await context.sender.send({
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
