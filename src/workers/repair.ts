import { hasLiveDeadline, scheduleDeadline } from '../queues/deadlines.ts';
import { ensureScriptJob } from '../queues/queues.ts';
import type { WorkerContext } from './context.ts';

/** How often the sweep looks again while the workers run. */
export const REPAIR_INTERVAL_MS = 10 * 60_000;

export interface RepairOutcome {
  /** Queued people whose send job was missing and is added again. */
  sends: number;
  /** Asked people whose deadline job was missing and is added again. */
  deadlines: number;
}

/**
 * Puts back the jobs that a process died too early to add: a person moved to `queued` whose send
 * job was never added, or `asked` with no deadline job. Every step that moves a person adds its job
 * right after, and a replayed job adds it again, but a process killed between the two leaves the
 * person waiting for nothing. Runs when the workers start and every ten minutes. Adding is safe
 * whatever else runs: job ids are fixed, a job that exists is left alone, and a deadline job that
 * fires early reads the person and waits until their own time (reminder, return date, deadline).
 */
export function createJobRepair(context: Pick<WorkerContext, 'store' | 'queues' | 'logger' | 'now'>) {
  const { store, queues, logger } = context;

  async function people(status: 'queued' | 'asked') {
    const ids = await store.idsWithStatus(status);
    const found = [];
    // In slices, so a large status does not make one huge MGET.
    for (let i = 0; i < ids.length; i += 500) {
      for (const contact of await store.getMany(ids.slice(i, i + 500))) if (contact?.status === status) found.push(contact);
    }
    return found;
  }

  return async function repairJobs(): Promise<RepairOutcome> {
    const outcome: RepairOutcome = { sends: 0, deadlines: 0 };
    for (const contact of await people('queued')) {
      if (await ensureScriptJob(queues, contact)) outcome.sends += 1;
    }
    for (const contact of await people('asked')) {
      // Only a missing job is added: a waiting one may be timed for the reminder, not the deadline.
      if (await hasLiveDeadline(queues, contact)) continue;
      await scheduleDeadline(queues, contact, context.now(), context.now());
      outcome.deadlines += 1;
    }
    if (outcome.sends + outcome.deadlines > 0) {
      logger.warn(outcome, 'put back jobs that a stopped process had not added (people waiting for nothing)');
    }
    return outcome;
  };
}
