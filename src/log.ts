import { pino, type Logger } from 'pino';

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
  '*.dashboardPassword',
  '*.authorization',
  '*.*.pass',
  '*.*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.imap.pass',
  'config.smtp.pass',
];

export function createLogger(level: string = 'info'): Logger {
  return pino({ name: 'winnow', level, redact: { paths: REDACT, censor: '[redacted]' } });
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
