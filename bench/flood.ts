/**
 * npm run bench:flood [-- --count 1000 --subject 100000 --spoofed 0]
 *
 * Floods a watched mailbox through the sandbox's real Dovecot with forged LinkedIn invitations
 * (each from an invented person, with a subject of --subject characters), one genuine request in
 * the middle, and optionally --spoofed personal requests whose forged From names a third party.
 * Prints Redis's growth (INFO used_memory after the queues drained, less before), per mail, how
 * long the genuine request waited for its script, and how many scripts went to third parties.
 * Winnow runs with the default settings (daily cap, per-domain cap, circuit breaker).
 */
import { parseArgs } from 'node:util';
import { megabytes } from '../src/redis.ts';
import { forgedInvitation, runFlood } from '../test/support/flood.ts';
import { startSandbox } from '../test/support/sandbox.ts';
import { startWinnow } from '../test/support/winnow.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, subject: { type: 'string', default: '100000' }, spoofed: { type: 'string', default: '0' } } });
const count = Number(values.count);
const subjectBytes = Number(values.subject);
const spoofed = Number(values.spoofed);

const sandbox = await startSandbox({ users: ['me'] });
const winnow = await startWinnow(sandbox, { user: 'me' });
try {
  // Warm up: Winnow's and BullMQ's scripts loaded into Redis are not the flood's doing.
  const { uid } = await sandbox.deliver(winnow.user.address, await forgedInvitation(1_000_000, winnow.user.address, 100));
  await winnow.settle(uid);

  console.log(`Winnow flood: ${count} forged invitations${spoofed > 0 ? ` and ${spoofed} spoofed personal requests` : ''} with ${subjectBytes.toLocaleString('en')}-character subjects, one genuine request in the middle`);
  const started = Date.now();
  const figures = await runFlood(sandbox, winnow, {
    count,
    spoofed,
    subjectBytes,
    progress: (delivered) => console.log(`  delivered ${delivered} after ${((Date.now() - started) / 1000).toFixed(1)} s`),
  });
  const counts = await winnow.store.counts();
  const pause = await winnow.store.sendingPause();
  console.log(`mails delivered           ${figures.mails} (${megabytes(figures.bytesDelivered)})`);
  console.log(`delivered and drained in  ${(figures.drainMs / 1000).toFixed(1)} s`);
  console.log(`Redis used_memory         ${megabytes(figures.usedBefore)} before, ${megabytes(figures.usedAfter)} after`);
  console.log(`growth                    ${megabytes(figures.growth)} (${(figures.growth / figures.mails / 1024).toFixed(2)} KB a mail)`);
  console.log(`genuine request answered  ${figures.genuineAnsweredMs === null ? 'NO (no script within 10 s of the drain)' : `${Math.round(figures.genuineAnsweredMs)} ms after its delivery`}`);
  console.log(`scripts to third parties  ${figures.thirdPartyScripts}`);
  console.log(`people by status          ${Object.entries(counts).filter(([, n]) => n > 0).map(([status, n]) => `${status} ${n}`).join(', ')}`);
  console.log(`circuit breaker           ${pause ? `tripped (more than ${pause.limit} in an hour); sending paused` : 'not tripped'}`);
} finally {
  await winnow.stop();
  await sandbox.stop();
}
