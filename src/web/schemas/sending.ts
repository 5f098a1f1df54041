import { z } from 'zod';
import { time, timeOrNull } from './common.ts';

export const sendingAnswer = z
  .union([
    z.object({ paused: z.literal(false) }),
    z.object({
      paused: z.literal(true),
      trippedAt: time.describe('When the circuit breaker stopped sending.'),
      limit: z.number().int().describe('The hourly limit it tripped at.'),
      notifiedAt: timeOrNull.describe('When the user was mailed about it.'),
      notifyError: z.string().nullable().describe('Why mailing the user failed.'),
    }),
  ])
  .describe('Whether the circuit breaker holds sending.');

export const resumedAnswer = z.object({ resumed: z.boolean().describe('false when sending was not paused.') });
