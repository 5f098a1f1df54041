import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.ts';

function into(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, destination: { isTTY, write: (chunk: string) => chunks.push(chunk) } };
}

describe('createLogger', () => {
  it('writes JSON lines when the output is not a terminal (a container, a pipe, a collector)', () => {
    const out = into(false);
    createLogger('info', { destination: out.destination }).info({ event: 'request', contact: 'c1' }, 'request from Ada');
    expect(JSON.parse(out.chunks[0]!)).toMatchObject({ level: 30, name: 'winnow', event: 'request', contact: 'c1', msg: 'request from Ada' });
  });

  it('writes readable lines on a terminal, leaving out the fields that only identify', () => {
    const out = into(true);
    process.env.NO_COLOR = '1';
    try {
      createLogger('info', { destination: out.destination }).info({ event: 'request', contact: 'c1', mailbox: 'primary', mail: { flags: [] } }, 'request from Ada');
    } finally {
      delete process.env.NO_COLOR;
    }
    expect(out.chunks.join('')).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: request from Ada\n$/);
  });

  it('follows LOG_FORMAT over the terminal test, and keeps secrets out in either format', () => {
    const json = into(true);
    createLogger('info', { format: 'json', destination: json.destination }).info({ password: 'hunter2-hunter2' }, 'logged in');
    expect(JSON.parse(json.chunks[0]!)).toMatchObject({ password: '[redacted]' });
    const pretty = into(false);
    createLogger('info', { format: 'pretty', destination: pretty.destination }).info({ config: { smtp: { pass: 'hunter2-hunter2' } } }, 'settings');
    expect(pretty.chunks.join('')).toMatch(/INFO: settings/);
    expect(pretty.chunks.join('')).not.toContain('hunter2');
  });
});
