import type { Logger } from '../log.ts';
import type { MailboxWatcher } from '../mailbox/watcher.ts';
import type { Mailbox, MailboxStore } from '../mailboxes/records.ts';

/**
 * One watcher per mailbox that is not paused and does not need sign-in, started and stopped as mailboxes are added, changed,
 * paused and removed, without a restart. It looks at the records' version number every `pollMs`
 * (one GET); a watcher that stops gives its lease back, so a removed mailbox is let go within a
 * poll, and in any case within the lease. Each watcher holds its own lease: with several worker
 * processes, each mailbox is watched by one of them.
 */

export interface MailboxSupervisorOptions {
  store: Pick<MailboxStore, 'version' | 'list'>;
  /** A watcher for one mailbox, not started. */
  watcherFor(mailbox: Mailbox): MailboxWatcher;
  /**
   * After the watcher of a removed mailbox stopped: forget what it kept (its cursor and health),
   * which it may have written again between the removal and its stop.
   */
  forget?(mailbox: string): Promise<void>;
  /** After the set of mailboxes changed: every mailbox's From and login, for telling the user's own mail apart. */
  onChange?(mailboxes: Mailbox[]): void;
  logger: Logger;
  pollMs?: number;
}

interface Running {
  watcher: MailboxWatcher;
  /** The record as the watcher was started with it: a change of settings restarts it. */
  updatedAt: number;
}

export function superviseMailboxes(options: MailboxSupervisorOptions) {
  const { store, logger } = options;
  const pollMs = options.pollMs ?? 2000;
  const running = new Map<string, Running>();
  let seenVersion: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  // One look at a time: a slow Redis must not start the same watcher twice.
  let looking: Promise<void> = Promise.resolve();

  async function look(): Promise<void> {
    const version = await store.version();
    if (version === seenVersion) return;
    const mailboxes = await store.list();
    options.onChange?.(mailboxes);
    // A mailbox whose provider refused its sign-in is not watched: its watcher would only ask the
    // provider again and again. Signing in again bumps the version, and it is watched again.
    const wanted = new Map(mailboxes.filter((mailbox) => !mailbox.paused && !mailbox.needsSignIn).map((mailbox) => [mailbox.id, mailbox]));
    // Every watcher to let go stops at once: one slow to stop holds up no other.
    const leaving = [...running].filter(([id, current]) => wanted.get(id)?.updatedAt !== current.updatedAt);
    const outcomes = await Promise.allSettled(
      leaving.map(async ([id, current]) => {
        running.delete(id);
        const mailbox = wanted.get(id);
        const removed = !mailboxes.some((one) => one.id === id);
        logger.info({ mailbox: id }, mailbox ? 'mailbox settings changed: watching it again with them' : removed ? 'mailbox removed: no longer watching it' : 'mailbox paused or waiting for a sign-in: no longer watching it');
        await current.watcher.stop();
        if (removed) await options.forget?.(id);
      }),
    );
    for (const [id, mailbox] of wanted) {
      if (running.has(id) || stopped) continue;
      const watcher = options.watcherFor(mailbox);
      running.set(id, { watcher, updatedAt: mailbox.updatedAt });
      watcher.start();
    }
    // Only a change carried out in full is done with; otherwise the next look tries again.
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    seenVersion = version;
  }

  // Said once when looking starts to fail (Redis away, say) and once when it works again, not every poll.
  let failing = false;
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      looking = look()
        .then(() => {
          if (failing) logger.info('the mailboxes can be read again');
          failing = false;
        })
        .catch((error: unknown) => {
          if (!failing) logger.warn({ err: error }, 'could not read the mailboxes; the watchers keep running as they are, and Winnow tries again shortly');
          failing = true;
        })
        .finally(schedule);
    }, pollMs);
    timer.unref();
  }

  return {
    /** Starts the watchers of the mailboxes as they are now, then keeps them in step. */
    async start(): Promise<void> {
      looking = look();
      await looking;
      schedule();
    },
    /** The running watchers by mailbox id. */
    watchers(): ReadonlyMap<string, MailboxWatcher> {
      return new Map([...running].map(([id, entry]) => [id, entry.watcher]));
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await looking.catch(() => undefined);
      await Promise.all([...running.values()].map((entry) => entry.watcher.stop()));
      running.clear();
    },
  };
}

export type MailboxSupervisor = ReturnType<typeof superviseMailboxes>;
