import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

/** Paths that may hold secrets anywhere in a log line; pino replaces their values. */
const REDACT = [
  'pass',
  'password',
  'token',
  'authorization',
  '*.pass',
  '*.password',
  '*.token',
  '*.apiToken',
  '*.metricsToken',
  '*.dashboardPassword',
  '*.authorization',
  '*.*.pass',
  '*.*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.imap.pass',
  'config.smtp.pass',
  'secret',
  '*.secret',
  // A mailbox's sealed or opened secrets and sign-in tokens, should one ever be logged with it.
  'accessToken',
  'refreshToken',
  'clientSecret',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.imapPass',
  '*.smtpPass',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
];

/**
 * `json`: one JSON object a line, for log collectors. `pretty`: a line a person reads
 * ("12:00:01 INFO: script sent to …"). Unset: pretty on a terminal, JSON otherwise.
 */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  format?: LogFormat | null;
  /** Where lines go (default standard output); tests pass a stream of their own. */
  destination?: { write(line: string): unknown; isTTY?: boolean };
}

/**
 * Fields that only identify (the person's id, the job, the queue) or repeat the message (a mail
 * event's `mail` details): in JSON they let a collector join and count lines; on a terminal the
 * message already says it, so they would only be noise.
 */
const HIDDEN_WHEN_PRETTY = 'pid,hostname,name,mailbox,contact,job,uid,queue,event,status,platform,mail,reqId';

export function createLogger(level: string = 'info', options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? (destination.isTTY ? 'pretty' : 'json');
  const settings = { name: 'winnow', level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (format === 'json') return pino(settings, options.destination ? { write: (line: string) => destination.write(line) } : pino.destination(1));
  // Formatted in this thread and written synchronously (no worker thread, unlike pino's
  // transports), so the last lines before an exit, the goodbye among them, are never lost.
  const prettify = prettyFactory({
    colorize: destination.isTTY === true && !process.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss',
    ignore: HIDDEN_WHEN_PRETTY,
    singleLine: true,
  });
  return pino(settings, { write: (line: string) => destination.write(prettify(line)) });
}

/**
 * Logs a failure that repeats (a mailbox that cannot log in, a Redis that is down) once per change
 * of state: a warning when the failure starts or becomes a different one, debug lines while it
 * repeats, one info line when it is over. A reconnect loop then fills no log.
 */
export function createProblemLog(log: Logger, subject: string) {
  let current: string | null = null;
  let attempts = 0;
  return {
    /** `key` tells one failure from another (an advice kind); `text` is what the user reads. */
    failed(key: string, text: string, error?: unknown) {
      attempts += 1;
      if (key === current) {
        log.debug({ err: error, attempts }, `${subject}: still failing: ${text}`);
        return;
      }
      current = key;
      log.warn({ problem: key }, `${subject}: ${text}`);
      if (error !== undefined) log.debug({ err: error }, `${subject}: the error behind that`);
    },
    /** Says the failure is over, if one was logged; silent otherwise. */
    recovered(text: string) {
      if (current === null) return;
      log.info({ attempts }, `${subject}: ${text}`);
      current = null;
      attempts = 0;
    },
  };
}

export type ProblemLog = ReturnType<typeof createProblemLog>;
