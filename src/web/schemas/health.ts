import { z } from 'zod';

export const liveAnswer = z.object({ status: z.literal('ok') }).describe('The process answers.');

export const readyAnswer = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.string()).describe('Each check (redis, mailbox, …): ok, or what failed.'),
  })
  .describe('Whether the process can do its work.');
