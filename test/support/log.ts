// A Winnow logger whose lines a test can read: each line it writes, in order.
import { createLogger, type Logger } from '../../src/log.ts';

export function capturedLog(level: string, format: 'json' | 'pretty' = 'json'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(level, { format, destination: { write: (chunk: string) => lines.push(...chunk.split('\n').filter((line) => line !== '')) } });
  return { logger, lines };
}
