/**
 * npm run bench:latency [-- --count N --burst B]
 *
 * Delivers invitations into the sandbox's Dovecot, one at a time and then in bursts, and prints
 * p50/p99 of "delivered to the mailbox → script accepted by the SMTP peer" and of the time Winnow
 * itself adds ("IMAP server's notice → SMTP acceptance"). Targets are in design.md.
 */
import { parseArgs } from 'node:util';
import { oldLinkedInInvitation } from '../test/support/requests.ts';
import { startSandbox, type ReceivedMail } from '../test/support/sandbox.ts';
import { liftVolumeLimits, startWinnow } from '../test/support/winnow.ts';
import { jobId } from '../src/queues/queues.ts';
import { Queue } from 'bullmq';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '100' }, burst: { type: 'string', default: '20' }, bursts: { type: 'string', default: '5' } },
});
const count = Number(values.count);
const burstSize = Number(values.burst);
const burstCount = Number(values.bursts);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (n: number) => `${n.toFixed(1).padStart(7)} ms`;
  return `${label.padEnd(44)} n=${String(sorted.length).padStart(4)}  p50 ${fmt(percentile(sorted, 50))}  p99 ${fmt(percentile(sorted, 99))}  max ${fmt(sorted.at(-1) ?? NaN)}`;
}

const sandbox = await startSandbox({ users: ['me'] });
const winnow = await startWinnow(sandbox, { user: 'me' });
// Hundreds of scripts in minutes: far beyond the volume limits a user has by default.
await liftVolumeLimits(winnow.runtime.redis, winnow.config.redis.prefix);
const inbound = new Queue(
  'inbound',
  { connection: { url: sandbox.redisUrl }, prefix: `${winnow.config.redis.prefix}:q` },
);
const me = winnow.user.address;
let serial = 0;

async function invitation() {
  serial += 1;
  const name = `Bench Person${serial}`;
  const address = `bench${serial}@example.org`;
  const raw = await oldLinkedInInvitation({ name, address }, me, `<bench-${serial}@linkedin.example>`);
  return { address, raw };
}

interface Sample {
  delivered: number;
  winnowAdds: number;
}

async function measure(deliveries: Array<{ address: string; uid: number; deliveredAt: number }>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const uidValidity = await winnow.runtime.redis.hget(winnow.store.keys.cursor, 'uidValidity');
  for (const delivery of deliveries) {
    const script: ReceivedMail = await sandbox.smtp.waitFor((mail) => mail.recipients.includes(delivery.address), 30_000);
    const job = await inbound.getJob(jobId.inbound('primary', uidValidity!, delivery.uid));
    const seenAt = (job?.data as { seenAt?: number } | undefined)?.seenAt ?? Number.NaN;
    samples.push({ delivered: script.acceptedAt - delivery.deliveredAt, winnowAdds: script.acceptedAt - seenAt });
  }
  return samples;
}

// Warm up the pooled SMTP connection and the IMAP session, as a running service would be.
for (let i = 0; i < 3; i++) {
  const mail = await invitation();
  const { uid, deliveredAt } = await sandbox.deliver(me, mail.raw);
  await measure([{ address: mail.address, uid, deliveredAt }]);
}

const single: Sample[] = [];
for (let i = 0; i < count; i++) {
  const mail = await invitation();
  const { uid, deliveredAt } = await sandbox.deliver(me, mail.raw);
  single.push(...(await measure([{ address: mail.address, uid, deliveredAt }])));
}

const burst: Sample[] = [];
for (let b = 0; b < burstCount; b++) {
  const mails = await Promise.all(Array.from({ length: burstSize }, () => invitation()));
  const deliveries = [];
  for (const mail of mails) deliveries.push({ address: mail.address, ...(await sandbox.deliver(me, mail.raw)) });
  burst.push(...(await measure(deliveries)));
}

console.log(`Winnow latency, sandbox on loopback (${count} single deliveries; ${burstCount} bursts of ${burstSize})`);
console.log(summary('one at a time: delivered → SMTP accepted', single.map((s) => s.delivered)));
console.log(summary('one at a time: IMAP notice → SMTP accepted', single.map((s) => s.winnowAdds)));
console.log(summary('bursts: delivered → SMTP accepted', burst.map((s) => s.delivered)));
console.log(summary('bursts: IMAP notice → SMTP accepted', burst.map((s) => s.winnowAdds)));

await breakdown();
await inbound.close();
await winnow.stop();
await sandbox.stop();
/** Where Winnow's own time goes, read from the BullMQ jobs' timestamps (p50/p95 over all deliveries). */
async function breakdown() {
  const send = new Queue('send', { connection: { url: sandbox.redisUrl }, prefix: `${winnow.config.redis.prefix}:q` });
  const ib = await inbound.getJobs(['completed'], 0, 200);
  const sj = await send.getJobs(['completed'], 0, 200);
  const byContact = new Map(sj.map((j) => [j.data.contactId, j]));
  const rows: number[][] = [];
  for (const j of ib) {
    const rv = j.returnvalue as { contactId?: string };
    const s = rv?.contactId ? byContact.get(rv.contactId) : undefined;
    if (!s) continue;
    rows.push([j.timestamp - j.data.seenAt, j.processedOn! - j.timestamp, j.finishedOn! - j.processedOn!, s.timestamp - j.processedOn!, s.processedOn! - s.timestamp, s.finishedOn! - s.processedOn!]);
  }
  rows.sort((a, b) => a[0]! - b[0]!);
  const med = (k: number) => {
    const v = rows.map((r) => r[k]!).sort((a, b) => a - b);
    return `${v[Math.floor(v.length / 2)]}/${v[Math.floor(v.length * 0.95)]}`;
  };
  const stages = ['IMAP notice → enqueued', 'waiting in inbound', 'reading the mail', 'inbound start → send job added', 'waiting in send', 'sending (to SMTP acceptance and bookkeeping)'];
  console.log('\nwhere the time goes, p50/p95 in ms:');
  stages.forEach((stage, k) => console.log(`  ${stage.padEnd(46)} ${med(k)}`));
  await send.close();
}
