import type { Job, JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type Queues } from './queues.ts';

/**
 * Erasing a person takes out every job that names them, in every queue and every state: waiting,
 * delayed, finished or failed. A job names them when its id, its data (an incoming mail's headers
 * included), its result or its failure mentions their id, one of their addresses or one of the
 * Message-IDs of their mail. The queues' event streams (BullMQ keeps the latest events of each
 * queue, with job ids and results) lose their entries that name them too.
 *
 * What names a person is looked for in text, so `namesPerson` is careful about edges: an address
 * or Message-ID counts only where it stands on its own ("bob@x.org" is not in "jimbob@x.org").
 */

export interface PersonMarks {
  /** The person's id (in job ids and results); matched anywhere. */
  id: string;
  /** Addresses and Message-IDs; matched case-insensitively, standing on their own. */
  names: string[];
}

/** Characters that continue an address or a Message-ID: a mark next to one is part of something longer. */
const CONTINUES = /[A-Za-z0-9._%+\-=!#$&'*/?^`{|}~]/;

/** Whether `text` mentions the person. */
export function namesPerson(text: string, marks: PersonMarks): boolean {
  if (marks.id !== '' && text.includes(marks.id)) return true;
  const lower = text.toLowerCase();
  for (const name of marks.names) {
    const needle = name.toLowerCase();
    if (needle === '') continue;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
      const before = at === 0 ? '' : lower.charAt(at - 1);
      const after = lower.charAt(at + needle.length);
      if (!CONTINUES.test(before) && !CONTINUES.test(after)) return true;
    }
  }
  return false;
}

/** Every state a job can be in; finished ones included, since they keep their data and result. */
const STATES: readonly JobType[] = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'active', 'completed', 'failed'];
/** Jobs read per round trip; small, since an incoming mail's job carries the whole message. */
const PAGE = 100;

/** Longest header block of a mail read; real ones are a few KB. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The header block of a job's mail (base64), decoded. Addresses and Message-IDs that name a
 * person stand in the headers; a body may carry them encoded anyway, and decoding every body of
 * every kept job would make an erasure cost seconds.
 */
function headersOf(base64: string): string {
  const head = Buffer.from(base64.slice(0, Math.ceil((MAX_HEADER_BYTES * 4) / 3 / 4) * 4), 'base64').toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return end < 0 ? head : head.slice(0, end);
}

/** The text of a job as it is kept: id, name, data (an incoming mail's headers decoded), result, failure. */
function jobText(job: Job): string {
  const { source, ...data } = (job.data ?? {}) as Record<string, unknown>;
  const mail = typeof source === 'string' ? headersOf(source) : '';
  return [job.id ?? '', job.name, JSON.stringify(data), mail, JSON.stringify(job.returnvalue ?? null), job.failedReason ?? '', ...(job.stacktrace ?? [])].join('\n');
}

/**
 * Removes every job naming the person, and their queues' event entries. Returns how many jobs
 * were removed, and how many could not be (a job running right now is locked; it finds no one
 * and ends, and the next erasure of the same marks would take it).
 */
export async function removeJobsNaming(queues: Queues, redis: Redis, marks: PersonMarks): Promise<{ removed: number; left: number }> {
  let removed = 0;
  let left = 0;
  for (const name of QUEUE_NAMES) {
    const queue = queues[name];
    const doomed: Job[] = [];
    for (const state of STATES) {
      for (let start = 0; ; start += PAGE) {
        const jobs = (await queue.getJobs([state], start, start + PAGE - 1, true)) as unknown as Job[];
        for (const job of jobs) if (job && namesPerson(jobText(job), marks)) doomed.push(job);
        if (jobs.length < PAGE) break;
      }
    }
    for (const job of doomed) {
      try {
        if ((await queue.remove(job.id!)) === 1) removed += 1;
        else left += 1;
      } catch {
        left += 1;
      }
    }
    const events = queue.keys.events;
    if (events) await dropEvents(redis, events, marks);
  }
  return { removed, left };
}

/** Deletes the entries of one event stream that name the person (removals just made included). */
async function dropEvents(redis: Redis, stream: string, marks: PersonMarks): Promise<void> {
  let from = '-';
  for (;;) {
    const entries = await redis.xrange(stream, from, '+', 'COUNT', 1000);
    const doomed = entries.filter(([, fields]) => namesPerson(fields.join('\n'), marks)).map(([entryId]) => entryId);
    if (doomed.length > 0) await redis.xdel(stream, ...doomed);
    if (entries.length < 1000) return;
    from = `(${entries[entries.length - 1]![0]}`;
  }
}
