/**
 * npm run demo: Winnow on its embedded defaults, with nothing to configure.
 *
 * Starts a private Redis, a private Dovecot IMAP server and an SMTP peer (the same sandbox the
 * tests use), runs Winnow's worker and dashboard against them, and plays the demo's people
 * (scripts/demo-seed.ts): their requests arrive, scripts go out, answers come back over the first
 * minutes and the short deadline passes for those who stay silent, each event a line in the log.
 * Stop it with Ctrl-C; it leaves nothing behind (servers stopped, temporary folder removed).
 *
 * Settings: PORT (3000), RESPONSE_DEADLINE (2m), DASHBOARD_PASSWORD (made up at each start),
 * LOG_LEVEL (info), LOG_FORMAT (pretty; json for a log collector), DEMO_PACE (1; 0 plays the
 * answers at once, 2 twice as slowly).
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../src/log.ts';
import { RECEIVING_SERVER } from '../test/support/requests.ts';
import { startSandbox, type Sandbox } from '../test/support/sandbox.ts';
import { startWinnow, type TestWinnow } from '../test/support/winnow.ts';
import { DEMO_PEOPLE, seedDemo } from './demo-seed.ts';

const port = Number(process.env.PORT ?? 3000);
const deadline = process.env.RESPONSE_DEADLINE ?? '2m';
// At least 12 characters, as the dashboard asks of any password; new at each start.
const password = process.env.DASHBOARD_PASSWORD ?? `demo-${randomBytes(6).toString('hex')}`;
const pace = Number(process.env.DEMO_PACE ?? 1);
const logger = createLogger(process.env.LOG_LEVEL ?? 'info', { format: process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty' });
const say = (line: string) => logger.info(line);

let sandbox: Sandbox | null = null;
let winnow: TestWinnow | null = null;
const seeding = new AbortController();

let stopping: Promise<void> | null = null;
function stop(signal: string): Promise<void> {
  if (stopping) {
    say('still stopping; a moment');
    return stopping;
  }
  stopping = (async () => {
    say(`${signal}: stopping the demo`);
    seeding.abort();
    // A hung connection must not keep the terminal: the sandbox's exit hook still kills its servers.
    setTimeout(() => {
      logger.error('stopping took longer than 15 s; exiting anyway');
      process.exit(1);
    }, 15_000).unref();
    const folder = sandbox?.dir;
    try {
      await winnow?.stop();
      await sandbox?.stop();
    } catch (error) {
      logger.error({ err: error }, 'the demo did not stop cleanly');
      process.exit(1);
    }
    say(`goodbye: Winnow stopped, the demo's Redis, Dovecot and SMTP peer are stopped${folder ? ` and ${folder} is removed` : ''}`);
    process.exit(0);
  })();
  return stopping;
}
// A second Ctrl-C while stopping changes nothing: the servers and the folder must still go.
process.on('SIGINT', () => void stop('Ctrl-C'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  say(`starting the demo: a private Redis, Dovecot (IMAP) and SMTP peer, then Winnow with a ${deadline} deadline (RESPONSE_DEADLINE)`);
  sandbox = await startSandbox({ users: ['me'] });
  winnow = await startWinnow(sandbox, {
    user: 'me',
    roles: { worker: true, web: true },
    deadline,
    logger,
    // The sandbox's Dovecot plays the user's receiving server; the demo's mail carries its verdicts.
    env: { PORT: String(port), AUTHSERV_ID: RECEIVING_SERVER, DASHBOARD_PASSWORD: password },
  });
  try {
    await winnow.runtime.app!.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use; run PORT=${port + 1} npm run demo`, { cause: error });
    throw error;
  }
  say(`Winnow is running with ${DEMO_PEOPLE.length} made-up people about to write; scripts go to the SMTP peer, answers come back by mail`);

  const seed = seedDemo(sandbox, winnow, { pace, say, signal: seeding.signal });
  seed.finished.then(
    () => {
      if (!seeding.signal.aborted) say(`every answer and bounce of the demo is in; people who stayed silent show "no response" once their ${deadline} deadline passes`);
    },
    (error: unknown) => logger.warn({ err: error }, 'part of the demo mail could not be played; the dashboard shows what arrived'),
  );
  // The address and password come last, after the first burst of requests and scripts, so they
  // stay on screen while the answers trickle in.
  await winnow.settle(await seed.requested, 60_000);

  const me = winnow.user;
  say('the demo is ready:');
  say(`  dashboard  http://127.0.0.1:${port}/   password: ${password}`);
  say(`  API        curl -H 'Authorization: Bearer ${winnow.config.web.apiToken}' http://127.0.0.1:${port}/api/contacts`);
  say(`  IMAP       127.0.0.1:${sandbox.imap.port}, user ${me.address}, password ${me.pass} (deliver more mail here)`);
  say(`  deadline   ${deadline}: who has not answered by then shows "no response" (RESPONSE_DEADLINE=10m npm run demo for longer)`);
  say('  Ctrl-C stops the demo and removes everything it started');
} catch (error) {
  logger.error(`the demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (/dovecot|redis-server|ENOENT/i.test(String(error))) logger.error('are the servers installed? bash scripts/install-servers.sh');
  await winnow?.stop().catch(() => undefined);
  await sandbox?.stop().catch(() => undefined);
  process.exit(1);
}
