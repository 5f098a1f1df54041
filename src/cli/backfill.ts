import type { Config } from '../config/env.ts';
import { mailboxKeys } from '../store/keys.ts';
import type { Logger } from '../log.ts';
import { backlogBar, backlogLine, readBacklog, type BacklogProgress } from '../mailbox/backlog.ts';
import { connectRedis, waitForRedis } from '../redis.ts';
import { PRIMARY_MAILBOX, startRuntime, type RuntimeServices } from '../runtime.ts';

export interface BackfillOutput {
  /** Writes text as it is (the caller adds no newline). */
  write(text: string): void;
  /** A terminal: one bar redrawn in place. Otherwise one plain line per step, for logs and pipes. */
  tty: boolean;
}

export interface BackfillOptions {
  logger: Logger;
  /** How often the figures are read (ms). */
  pollMs?: number;
  /** Shortest time between two plain lines (ms); a terminal's bar is redrawn at every poll. */
  lineEveryMs?: number;
  services?: RuntimeServices;
  /** Resolves to end early (Ctrl-C): the cursor stays where the last whole batch left it. */
  interrupted?: Promise<void>;
}

/**
 * `winnow backfill --days N`: the worker role until the mail waiting in the box is read and the
 * scripts it calls for are sent, with progress. The figures are the watcher's own, from the
 * mailbox health in Redis, the same the dashboard's health page shows. `days` applies to a first
 * start only: once Winnow has read the box, it reads what came since, and never a mail twice.
 */
export async function backfill(config: Readonly<Config>, output: BackfillOutput, options: BackfillOptions): Promise<number> {
  const pollMs = options.pollMs ?? 250;
  const lineEveryMs = options.lineEveryMs ?? 1_000;
  const line = (text: string) => output.write(`${text}\n`);
  const keys = mailboxKeys(config.redis.prefix, PRIMARY_MAILBOX);
  // Asked before this process starts watching, so the lease found can only be another's.
  const look = connectRedis(config.redis.url, 'producer', 'backfill', (error) => options.logger.debug({ err: error }, 'Redis trouble'));
  let cursor: string | null;
  try {
    await waitForRedis(look, (error) => options.logger.warn({ err: error }, 'waiting for Redis'));
    const leaseTtl = await look.pttl(keys.lease);
    if (leaseTtl > 0) {
      line('Another Winnow process reads this mailbox now (winnow start or winnow worker): it reads the backlog itself, and its dashboard shows the progress on the Health page. Stop it first to backfill from here.');
      return 1;
    }
    cursor = await look.hget(keys.cursor, 'lastUid');
  } finally {
    await look.quit().catch(() => look.disconnect());
  }
  const startedAt = Date.now();
  const runtime = await startRuntime(config, { worker: true, web: false }, options.logger, Date.now, options.services);
  let interrupted = false;
  void options.interrupted?.then(() => (interrupted = true));
  try {
    line(
      cursor === null
        ? `Reading the last ${config.backfillDays} days of mail in ${config.imap.mailbox} and answering the requests among it.`
        : `Winnow has read this mailbox before: reading the mail that came since (--days counts on a first start only).`,
    );
    let lastLineAt = 0;
    let lastDone = -1;
    let shown: BacklogProgress | null = null;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      if (interrupted) {
        if (output.tty && shown) output.write('\n');
        line('Stopped. The next start goes on from the last batch read; nothing is read twice.');
        return 130;
      }
      const status = runtime.watcher?.status();
      const backlog = readBacklog(await runtime.redis.hgetall(keys.health));
      const current = backlog && backlog.startedAt >= startedAt ? backlog : null;
      if (current) {
        shown = current;
        const now = Date.now();
        if (output.tty) output.write(`\r${backlogBar(current)}\u001b[K`);
        else if (current.done !== lastDone && (now - lastLineAt >= lineEveryMs || current.done === current.total)) {
          line(backlogLine(current));
          lastLineAt = now;
          lastDone = current.done;
        }
      } else if (status && !status.connected && status.lastError && Date.now() - lastLineAt >= lineEveryMs * 5) {
        line(`The mailbox cannot be read yet: ${status.lastError}. Still trying.`);
        lastLineAt = Date.now();
      }
      const caughtUp = status?.caughtUpAt !== null && status?.caughtUpAt !== undefined && status.caughtUpAt >= startedAt;
      if (!caughtUp) continue;
      const [inbound, send] = await Promise.all([runtime.queues.inbound.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized'), runtime.queues.send.getJobCountByTypes('waiting', 'active', 'prioritized')]);
      if (inbound > 0 || send > 0) continue;
      // The last figures (a backlog of one batch or less has none: the watcher read it in one go).
      const last = readBacklog(await runtime.redis.hgetall(keys.health));
      if (last && last.startedAt >= startedAt) {
        if (output.tty) output.write(`\r${backlogBar(last)}\u001b[K\n`);
        else if (last.done !== lastDone) line(backlogLine(last));
      }
      const waiting = await runtime.queues.send.getJobCountByTypes('delayed');
      line(`Done: every mail is read${waiting > 0 ? `; ${waiting} ${waiting === 1 ? 'script waits' : 'scripts wait'} for the send window or a daily cap and go out with winnow start` : ' and every script it called for is sent'}.`);
      return 0;
    }
  } finally {
    await runtime.close();
  }
}
