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
  'secret',
  '*.secret',
];

export function createLogger(level: string = 'info'): Logger {
  return pino({ name: 'winnow', level, redact: { paths: REDACT, censor: '[redacted]' } });
}
