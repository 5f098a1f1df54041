#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/env.ts';
import type { Roles } from '../runtime.ts';

// Each command loads what it needs when it runs (the service, the scanner, doctor): `winnow help`
// and a wrong configuration answer at once, before the service's modules are read.

const USAGE = `Usage: winnow <command>

  start                 watch the mailbox, send scripts and serve the dashboard (one process)
  worker                watch the mailbox and send scripts only
  web                   serve the dashboard and API only
  backfill --days N     on a first start, read the last N days of mail already in the box (on a
                        later one, the mail since the last), answer the requests, show progress, exit
  scan FILE|DIR... [--json] [--explain]
                        classify stored messages and print what Winnow would do, with all it read
                        of each requester; --explain shows which rules decided; sends nothing
  import-contacts FILE... [--replace]
                        add people from CSV or vCard exports (Google, Outlook, LinkedIn, .vcf) to the
                        address book that finds addresses of requests that carry none
  doctor                check the configuration, Redis, IMAP and SMTP, and say what is wrong
  rotate-secret [--force]
                        re-encrypt every secret Winnow keeps in Redis under a new WINNOW_SECRET:
                        stop Winnow, run WINNOW_SECRET=<current> WINNOW_NEW_SECRET=<new> winnow
                        rotate-secret, put the new one in .env as WINNOW_SECRET, start Winnow
                        (refused while Winnow runs; --force rotates anyway)
  check-config          check the settings alone (no connections); exits 1 with every problem
  help                  this text

Settings come from the environment or a .env file in the current folder (see README.md).`;

/** Stops within a deadline: a hung connection must not keep the process from exiting. */
const SHUTDOWN_DEADLINE_MS = 10_000;

function readConfig(): Readonly<Config> {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function serve(roles: Roles): Promise<void> {
  const config = readConfig();
  const [{ createLogger }, { startRuntime }] = await Promise.all([import('../log.ts'), import('../runtime.ts')]);
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  const runtime = await startRuntime(config, roles, logger);
  if (runtime.app) {
    await runtime.app.listen({ port: config.web.port, host: config.web.host });
  }
  const what = roles.worker && roles.web ? 'watching the mailbox and serving the dashboard' : roles.worker ? 'watching the mailbox (worker only)' : 'serving the dashboard (web only)';
  logger.info({ roles }, `Winnow is running: ${what}`);
  if (runtime.app) logger.info(`dashboard: ${dashboardUrl(config)} (log in with DASHBOARD_PASSWORD)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: stopping (finishing the jobs in hand)`);
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    timer.unref();
    runtime.close().then(
      () => {
        logger.info('stopped cleanly; goodbye');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Where a person opens the dashboard: a wildcard listen address is reached on this machine as 127.0.0.1. */
function dashboardUrl(config: Readonly<Config>): string {
  const host = config.web.host === '0.0.0.0' || config.web.host === '::' ? '127.0.0.1' : config.web.host.includes(':') ? `[${config.web.host}]` : config.web.host;
  return `http://${host}:${config.web.port}/`;
}

export async function main(argv: string[]): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      await serve({ worker: true, web: true });
      return -1;
    case 'worker':
      await serve({ worker: true, web: false });
      return -1;
    case 'web':
      await serve({ worker: false, web: true });
      return -1;
    case 'backfill': {
      const { values, positionals } = parseArgs({ args: rest, options: { days: { type: 'string' } }, allowPositionals: true, strict: false });
      const days = typeof values.days === 'string' ? values.days : undefined;
      if (days === undefined || positionals.length > 0 || Object.keys(values).some((name) => name !== 'days')) {
        console.error(`winnow backfill: say how many days of mail to read, as --days N\n\n${USAGE}`);
        return 2;
      }
      // The setting's own check (a whole number of days, within bounds) speaks for --days too.
      process.env.BACKFILL_DAYS = days;
      const config = readConfig();
      const [{ createLogger }, { backfill }] = await Promise.all([import('../log.ts'), import('./backfill.ts')]);
      // Progress on standard output; the service's own log (warnings and worse, unless LOG_LEVEL says otherwise) on standard error.
      const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', { format: config.logFormat, destination: process.stderr });
      const interrupted = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return backfill(config, { write: (text) => process.stdout.write(text), tty: process.stdout.isTTY === true }, { logger, interrupted });
    }
    case 'scan': {
      const json = rest.includes('--json');
      const explain = rest.includes('--explain');
      const unknown = rest.filter((arg) => arg.startsWith('--') && arg !== '--json' && arg !== '--explain');
      if (unknown.length > 0) {
        console.error(`winnow scan: unknown option ${unknown.join(', ')} (known: --json, --explain)`);
        return 2;
      }
      const paths = rest.filter((arg) => !arg.startsWith('--'));
      if (paths.length === 0) {
        console.error('winnow scan: name at least one file or folder of messages');
        return 2;
      }
      const [{ scan }, { classifyContextOf }, { loadReadingConfig }] = await Promise.all([import('./scan.ts'), import('../detect/classify.ts'), import('../config/env.ts')]);
      // scan needs no mailbox. MAIL_FROM, when set, tells it which addresses are the user's own;
      // AUTHSERV_ID and UNVERIFIED_MAIL judge platform mail as the running service would.
      const context = classifyContextOf(loadReadingConfig(process.env));
      // `winnow scan … | head` closes the pipe early: that is the reader being done, not an error.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        process.exit(0);
      });
      return scan(
        paths,
        { json, explain, context },
        (line) => process.stdout.write(`${line}\n`),
        (line) => process.stderr.write(`${line}\n`),
      );
    }
    case 'import-contacts': {
      const files = rest.filter((arg) => !arg.startsWith('--'));
      const unknown = rest.filter((arg) => arg.startsWith('--') && arg !== '--replace');
      if (files.length === 0 || unknown.length > 0) {
        console.error(`winnow import-contacts: ${unknown.length > 0 ? `unknown option ${unknown[0]}` : 'name at least one CSV or vCard file'}\n\n${USAGE}`);
        return 2;
      }
      const config = readConfig();
      const [{ importContacts }, { PRIMARY_MAILBOX, resolveAwaitingFor }] = await Promise.all([import('./import-contacts.ts'), import('../runtime.ts')]);
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      return importContacts(
        files,
        { redisUrl: config.redis.url, prefix: config.redis.prefix, mailbox: PRIMARY_MAILBOX, replace: rest.includes('--replace'), resolveAwaiting: (redis) => resolveAwaitingFor(redis, config) },
        write,
        warn,
      );
    }
    case 'rotate-secret': {
      const force = rest.includes('--force');
      if (rest.some((argument) => argument !== '--force')) {
        console.error(`winnow rotate-secret: takes only --force; the secrets come from WINNOW_SECRET and WINNOW_NEW_SECRET\n\n${USAGE}`);
        return 2;
      }
      const config = readConfig();
      const { rotateSecret } = await import('./rotate-secret.ts');
      return rotateSecret(
        { redisUrl: config.redis.url, prefix: config.redis.prefix, current: config.secret, next: process.env.WINNOW_NEW_SECRET, force },
        (line) => process.stdout.write(`${line}\n`),
        (line) => process.stderr.write(`${line}\n`),
      );
    }
    case 'check-config': {
      // For a container's start-up step: a wrong setting stops the deployment with its message
      // instead of a service restarting in a loop. Connections are doctor's job.
      const config = readConfig();
      console.log(`configuration ok for ${config.mailFrom.address} (Redis ${config.redis.url.replace(/\/\/[^@]*@/, '//***@')}); winnow doctor checks the connections`);
      return 0;
    }
    case 'doctor': {
      const { doctor } = await import('./doctor.ts');
      return doctor(process.env, (line) => process.stdout.write(`${line}\n`));
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`winnow: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
