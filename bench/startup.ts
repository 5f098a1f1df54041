/**
 * npm run bench:startup [-- --runs 10]
 *
 * How long `winnow start` takes from the moment the process is spawned until it serves: "listening"
 * is the log line "Winnow is running" (the dashboard accepts connections, queues and workers are
 * up), "ready" is the first 200 from GET /readyz (Redis answers and the mailbox watcher is logged
 * in and idling on the sandbox's Dovecot). Then SIGTERM, and the time to a clean exit. Each run is
 * a fresh process, as a restart or a new container would be, against the same private Redis,
 * Dovecot and SMTP peer (test/support/sandbox.ts). A bare `node -e ""` is timed too, as the floor
 * that Node itself sets on this machine. Target (design.md): start → ready ≤ 1 s.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox } from '../test/support/sandbox.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'winnow.js');
const ME = 'me@example.test';

interface Run {
  listening: number;
  ready: number;
  exit: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function untilReady(port: number, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('not ready within 30 s');
}

async function once(env: NodeJS.ProcessEnv, port: number, serial: number): Promise<Run> {
  // An empty working folder, so no .env file can add settings.
  const cwd = mkdtempSync(path.join(tmpdir(), 'winnow-startup-'));
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd,
    env: { ...env, PORT: String(port), REDIS_PREFIX: `bench-startup-${serial}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Winnow is running')) resolve(performance.now() - started);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`winnow exited with code ${code} before it ran:\n${output}`)));
  });
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  try {
    const listeningAfter = await listening;
    await untilReady(port, started + 30_000);
    const ready = performance.now() - started;
    const stopAt = performance.now();
    child.kill('SIGTERM');
    const exit = (await exited) - stopAt;
    return { listening: listeningAfter, ready, exit };
  } finally {
    child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  }
}

const sandbox = await startSandbox({ users: [ME] });
try {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    // NODE_DISABLE_COMPILE_CACHE=1 npm run bench:startup shows what the compile cache saves.
    ...(process.env.NODE_DISABLE_COMPILE_CACHE ? { NODE_DISABLE_COMPILE_CACHE: process.env.NODE_DISABLE_COMPILE_CACHE } : {}),
    ...sandbox.env(),
    MAIL_FROM: `Morgan Example <${ME}>`,
    DASHBOARD_PASSWORD: 'startup-benchmark-password',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  const port = 39_000 + (process.pid % 1000);

  const bare: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    bare.push(performance.now() - t);
  }

  await once(env, port, 0); // warm the file-system cache; not counted
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i += 1) runs.push(await once(env, port, i));

  const row = (label: string, figures: number[]) =>
    console.log(`| ${label} | ${figures.length} | ${percentile(figures, 50).toFixed(0)} ms | ${percentile(figures, 90).toFixed(0)} ms | ${Math.max(...figures).toFixed(0)} ms |`);
  console.log(`\nNode ${process.version}, ${RUNS} runs of \`winnow start\` against the sandbox\n`);
  console.log('| what | n | p50 | p90 | max |');
  console.log('|---|---|---|---|---|');
  row('bare `node -e ""`', bare);
  row('spawn → listening ("Winnow is running")', runs.map((r) => r.listening));
  row('spawn → ready (/readyz 200: Redis and mailbox)', runs.map((r) => r.ready));
  row('SIGTERM → exit', runs.map((r) => r.exit));
} finally {
  await sandbox.stop();
}
