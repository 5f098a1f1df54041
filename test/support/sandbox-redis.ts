// A private redis-server for the test sandbox: AOF on (so data survives restart()), no RDB
// snapshots, noeviction, bound to 127.0.0.1 on a free port.
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable, freePort, serialiser, spawnServer, tailOfFile, waitForServer, type ServerProcess } from './sandbox-process.ts';

export interface RedisControl {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface SandboxRedis {
  url: string;
  control: RedisControl;
  /** Process ids currently running for this Redis (for leak checks). */
  pids(): number[];
  /** Stops the server for good; idempotent. */
  shutdown(): Promise<void>;
}

/** Uses the Redis named by REDIS_URL; start/stop/restart are not ours to do there. */
export function externalRedis(url: string): SandboxRedis {
  const port = Number(new URL(url).port || 6379);
  const refuse = async () => {
    throw new Error(`the sandbox uses the external Redis from REDIS_URL (${url}); it cannot stop, start or restart it. Unset REDIS_URL to get a private redis-server.`);
  };
  return {
    url,
    control: { port, stop: refuse, start: refuse, restart: refuse },
    pids: () => [],
    shutdown: async () => {},
  };
}

export async function startRedis(dir: string): Promise<SandboxRedis> {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error('redis-server was not found on PATH: install the Debian package `redis-server` (apt-get install redis-server).');
  mkdirSync(dir, { recursive: true });
  let port = await freePort();
  const logFile = path.join(dir, 'redis.log');
  const args = () => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--daemonize', 'no',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    // As docker-compose.yml sets it: Winnow warns above 80 % (src/redis.ts).
    '--maxmemory', '512mb',
    '--logfile', logFile,
  ];

  let server: ServerProcess | null = null;
  let closed = false;
  const serial = serialiser();

  const startNow = async () => {
    if (closed) throw new Error('the sandbox Redis has been shut down');
    if (server && !server.hasExited()) return;
    const started = spawnServer(binary, args(), logFile);
    server = started;
    try {
      await waitForServer({
        port,
        send: 'PING\r\n',
        // "-LOADING" while the AOF is replayed after a restart.
        ready: (line) => line === '+PONG',
        timeoutMs: 10_000,
        exited: () => started.hasExited(),
        describe: () => `redis-server log (${logFile}):\n${tailOfFile(logFile)}`,
      });
    } catch (error) {
      await started.stop();
      throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${(error as Error).message}`, { cause: error });
    }
  };
  // SHUTDOWN fsyncs the AOF before Redis exits, so nothing written before stop() is lost. It acts
  // at once, where SIGTERM waits for the next cron tick (up to 100 ms); SIGTERM stays the fallback.
  const stopNow = async () => {
    const running = server;
    if (!running || running.hasExited()) return;
    await sendCommand(port, 'SHUTDOWN\r\n').catch(() => {});
    const exitedInTime = await Promise.race([running.exited.then(() => true), sleep(2_000).then(() => false)]);
    if (!exitedInTime) await running.stop();
  };

  // The port was free when we asked; another process may have bound it since. Try a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      await serial(startNow);
      break;
    } catch (error) {
      if (attempt >= 3 || !/address already in use/i.test((error as Error).message)) throw error;
      port = await freePort();
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    control: {
      port,
      start: () => serial(startNow),
      stop: () => serial(stopNow),
      restart: () => serial(async () => {
        await stopNow();
        await startNow();
      }),
    },
    pids: () => (server && !server.hasExited() ? [server.pid] : []),
    shutdown: () => serial(async () => {
      closed = true;
      await stopNow();
    }),
  };
}

/** Sends one inline command and resolves when Redis answers or closes the connection. */
function sendCommand(port: number, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from Redis to ${command.trim()}`)), 2_000);
    socket.on('connect', () => socket.write(command));
    socket.on('data', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
