// Process and port helpers for the test sandbox: finding binaries, free ports, spawning server
// processes that cannot outlive this process, waiting for them to answer, and stopping them with
// every process they started.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, closeSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Finds an executable on PATH, also looking in the sbin folders a non-root PATH often lacks. */
export function findExecutable(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder; keep looking
    }
  }
  return null;
}

/** A port that was free a moment ago on 127.0.0.1 (the kernel picks it; we release it at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe listener'));
      });
    });
  });
}

/** The last lines of a log file, for error messages; empty when the file cannot be read. */
export function tailOfFile(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup when this process ends without calling stop(): a test that throws before its afterAll,
// a benchmark that calls process.exit(). Signals that kill Node outright are covered by
// PR_SET_PDEATHSIG (setpriv below), which makes the kernel send SIGTERM to the server processes.

interface ExitCleanup {
  /** Signals the server processes; must be synchronous (it runs in process.on('exit')). */
  kill: () => void;
  dirs: string[];
}
const exitCleanups = new Set<ExitCleanup>();
let exitHookInstalled = false;

export function registerExitCleanup(cleanup: ExitCleanup): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const entry of exitCleanups) {
        try {
          entry.kill();
          for (const dir of entry.dirs) rmSync(dir, { recursive: true, force: true });
        } catch {
          // Best effort while the process ends; a throw here would replace its exit code.
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

// ---------------------------------------------------------------------------------------------

const setpriv = findExecutable('setpriv');

export interface ServerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /**
   * Resolves once the process and its descendants are gone. Gracefully: SIGTERM, then SIGKILL
   * after graceMs. Hard: freeze the process, then SIGKILL it with every process it started.
   */
  stop(options?: { hard?: boolean; graceMs?: number }): Promise<void>;
}

/**
 * Starts a server process whose output goes to a log file (never to a pipe: Dovecot and Redis
 * must not block on a pipe nobody reads). Through `setpriv --pdeathsig` the kernel sends SIGTERM
 * to the process when this Node process dies, even by SIGKILL.
 */
export function spawnServer(command: string, args: string[], logFile: string): ServerProcess {
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', command, ...args]] : [command, args];
    // A process group of its own: a hard stop then kills every process the server started,
    // including one forked at that very moment, which a walk of /proc could miss. An orphaned
    // Dovecot login process would keep the listening socket and hang every new client.
    child = spawn(file, argv, { stdio: ['ignore', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitState = { code, signal };
      resolve(exitState);
    });
    // A spawn error (ENOENT, EACCES) comes without an exit event.
    child.once('error', () => {
      exitState ??= { code: -1, signal: null };
      resolve(exitState);
    });
  });
  const pid = child.pid ?? -1;
  let stopping: Promise<void> | null = null;
  const server: ServerProcess = {
    pid,
    child,
    exited,
    hasExited: () => exitState !== null,
    stop({ hard = false, graceMs = 5_000 } = {}) {
      stopping ??= (async () => {
        if (exitState || pid < 0) return;
        if (hard) {
          // Frozen, the process cannot start new children while we collect the ones it has.
          signal(pid, 'SIGSTOP');
          const descendants = descendantsOf(pid);
          signal(-pid, 'SIGKILL');
          for (const descendant of descendants) signal(descendant, 'SIGKILL');
          signal(pid, 'SIGKILL');
          await exited;
          await waitForExit(descendants, graceMs);
          return;
        }
        // Remember the processes it started, to wait for them too and kill any that would
        // outlive it.
        const descendants = descendantsOf(pid);
        signal(pid, 'SIGTERM');
        const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        await waitForExit(descendants, graceMs);
        // Whatever of the group outlived its leader goes too.
        signal(-pid, 'SIGKILL');
      })();
      return stopping;
    },
  };
  return server;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** All processes below `root` in the process tree (Linux /proc). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we were reading
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

async function waitForExit(pids: number[], graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(5);
    alive = alive.filter(isAlive);
  }
  for (const pid of alive) signal(pid, 'SIGKILL');
}

/**
 * Connects to 127.0.0.1:port until the server answers with a line that `ready` accepts, after
 * optionally sending `greeting`. Fails early when `exited()` says the server process died.
 */
export async function waitForServer(options: {
  port: number;
  send?: string;
  ready: (firstLine: string) => boolean;
  timeoutMs: number;
  exited: () => boolean;
  describe: () => string;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    if (options.exited()) throw new Error(`the server process exited during startup\n${options.describe()}`);
    const line = await probe(options.port, options.send, Math.max(50, deadline - Date.now())).catch((error: Error) => {
      lastProblem = error.message;
      return null;
    });
    if (line !== null) {
      if (options.ready(line)) return;
      lastProblem = `answered ${JSON.stringify(line)}`;
    }
    await sleep(5);
  }
  throw new Error(`the server did not become ready within ${options.timeoutMs} ms (${lastProblem})\n${options.describe()}`);
}

function probe(port: number, send: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffer = '';
    const finish = (error: Error | null, line?: string) => {
      socket.destroy();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => finish(new Error('timed out waiting for a reply')), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed before a reply')));
    socket.on('connect', () => {
      if (send) socket.write(send);
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end >= 0) finish(null, buffer.slice(0, end).replace(/\r$/, ''));
    });
  });
}

/**
 * Runs steps one after another, so that start/stop/restart called concurrently cannot leave two
 * servers fighting over one port; a failed step does not block the ones after it.
 */
export function serialiser(): (step: () => Promise<void>) => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return (step) => {
    const next = chain.then(step);
    chain = next.catch(() => {});
    return next;
  };
}
