import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { createContactStore } from '/work/main/src/contacts/store.ts';
import { createDirectory } from '/work/main/src/contacts/directory.ts';
import { NO_DETAILS } from '/work/main/src/contacts/types.ts';
import { startSandbox } from '/work/main/test/support/sandbox.ts';
const sandbox = await startSandbox({ imap: false, smtp: false });
const redis = new Redis(sandbox.redisUrl);
const store = createContactStore(redis, 'p', 'primary');
const FIRST = ['Ada', 'Zoë', 'Mia', 'Jonas', 'Björn'];
const N = 100000;
for (let i = 0; i < N; i += 1000) {
  await Promise.all(Array.from({ length: 1000 }, (_, j) => {
    const k = i + j;
    return store.create({ status: (['answered','asked','no_response','awaiting_address'] as const)[k % 4], platform: k % 3 ? 'linkedin' : 'email', name: `${FIRST[k % 5]} Müller ${k}`, firstName: 'x', email: `p${k}@example.org`, profileUrl: null, headline: `Founder at Crumb ${k % 13}`, invitationId: null, subject: 's', requestMessageId: `<${k}>`, scriptMessageId: null, answerText: 'hello there '.repeat(10), reason: null, requestedAt: 1e12 + k * 1000, askedAt: null, deadlineAt: null, answeredAt: k % 4 === 0 ? 1e12 + k * 1000 : null, ...NO_DETAILS, flags: k % 50 === 0 ? ['hostile'] : [] }, [`m:${k}`], 1e10, { at: 1e12 + k, type: 'requested', detail: 'x' });
  }));
}
const dir = createDirectory(redis, store);
let t = performance.now();
await dir.sync();
console.log('load', (performance.now() - t).toFixed(0));
const mu = process.memoryUsage(); console.log('heap', (mu.heapUsed/1e6).toFixed(0), 'rss', (mu.rss/1e6).toFixed(0));
for (const [name, q] of [['first', {}], ['status', { status: 'answered', platform: 'linkedin' }], ['flag', { flag: 'hostile' }], ['q none', { q: 'zzzz' }], ['q one', { q: 'p777@example.org' }], ['q many', { q: 'müller' }], ['name', { sort: 'name' }]] as const) {
  for (let k = 0; k < 10; k++) await dir.query(q as never);
  const s: number[] = [];
  for (let k = 0; k < 50; k++) { const t0 = performance.now(); await dir.query(q as never); s.push(performance.now() - t0); }
  s.sort((a, b) => a - b);
  console.log(name, s[25].toFixed(2), s[49].toFixed(2));
}
t = performance.now(); for (let k = 0; k < 20; k++) await dir.rows(); console.log('rows()', ((performance.now() - t) / 20).toFixed(2));
await redis.quit(); await sandbox.stop();
