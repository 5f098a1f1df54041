import { createEndpointStore } from '../webhooks/endpoints.ts';
import { sealerOf } from '../config/sealed.ts';
import { createContactActions } from '../contacts/actions.ts';
import type { Status } from '../vocabulary/contact.ts';
import { messageIdDomain } from '../mail/message-id.ts';
import type { WorkerContext } from './context.ts';

/**
 * People nobody acted on: skipped, or still waiting for an address or for the user's approval.
 * Anyone can make Winnow record one of these by sending a mail, so they must not pile up for ever.
 * Everyone else was sent a script or decided on by the user, and is the user's record.
 */
export const EXPIRING_STATUSES: readonly Status[] = ['skipped', 'awaiting_address', 'awaiting_approval'];

/** People erased per status in one round, so one sweep never holds Redis long. */
const BATCH = 200;

export interface ExpiryOutcome {
  /** People erased, by the status they had. */
  erased: Partial<Record<Status, number>>;
  /** Skipped-mail entries dropped. */
  skippedMail: number;
}

/**
 * Erases people who have been skipped or waiting longer than the `expireAfterMs` setting, and
 * drops skipped-mail entries as old.
 *
 * A sweep, not Redis TTLs: a TTL on the record would leave its status sets, address and dedupe
 * indexes and change log naming someone who is gone (and the directory would show a ghost); it
 * cannot be made conditional on the person still waiting (an approval would have to find and lift
 * it on every key); and the time each person entered their status is in the status set's score
 * already, so finding the expired is one range read. Each person goes through the one erase that
 * the dashboard uses (no marker kept: a new request later is answered like anyone's), on the
 * condition, checked in the same atomic step, that they are still in that status since before the
 * cut-off.
 */
export function createExpirySweep(context: Pick<WorkerContext, 'store' | 'queues' | 'redis' | 'settings' | 'logger' | 'now' | 'config' | 'secret'> & Partial<Pick<WorkerContext, 'mailboxes'>>) {
  const { store, logger } = context;
  const actions = createContactActions({ store, queues: context.queues, redis: context.redis, settings: context.settings, now: context.now, messageIdDomain: context.mailboxes ? (mailbox) => context.mailboxes!.messageIdDomain(mailbox) : messageIdDomain(context.config.mailFrom.address), messageIdSecret: context.secret, webhookEvents: createEndpointStore(context.redis, context.config.redis.prefix, store.mailbox, { allowPrivate: context.config.webhook.allowPrivate, sealer: sealerOf(context.config.secret) }) });

  return async function expire(): Promise<ExpiryOutcome> {
    const settings = await context.settings.get();
    const cutoff = context.now() - settings.expireAfterMs;
    const outcome: ExpiryOutcome = { erased: {}, skippedMail: 0 };
    for (const status of EXPIRING_STATUSES) {
      for (;;) {
        const ids = await store.idsInStatusSince(status, cutoff, BATCH);
        let erased = 0;
        for (const id of ids) {
          const result = await actions.erase(id, { forget: false, onlyIf: { status, enteredBefore: cutoff } });
          if (result.ok) erased += 1;
        }
        outcome.erased[status] = (outcome.erased[status] ?? 0) + erased;
        // A full batch of which some moved on meanwhile: the next round reads the rest.
        if (ids.length < BATCH || erased === 0) break;
      }
    }
    outcome.skippedMail = await store.dropSkippedMailBefore(cutoff);
    const total = Object.values(outcome.erased).reduce((sum, n) => sum + n, 0);
    if (total + outcome.skippedMail > 0) {
      logger.info({ ...outcome.erased, skippedMail: outcome.skippedMail, days: settings.expireAfterMs / 86_400_000 }, 'forgot requests nobody acted on within the expiry setting');
    }
    return outcome;
  };
}
