import { z } from 'zod';
import { STATUSES } from '../contacts/types.ts';

/** Forms and links send `status=` for "any"; an empty value means the parameter is absent. */
const emptyAsAbsent = (value: unknown) => (value === '' ? undefined : value);

export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

export const statusSchema = z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` });

/** `GET /api/contacts` and the dashboard's list page take the same query. */
export const contactListQuery = z.object({
  status: z.preprocess(emptyAsAbsent, statusSchema.optional()),
  q: z.preprocess(emptyAsAbsent, z.string({ error: 'must be given once, as text' }).max(200, 'must be at most 200 characters').optional()),
  cursor: z.preprocess(emptyAsAbsent, z.string({ error: 'must be given once, as text' }).max(200, 'is not a cursor from an earlier page').optional()),
  limit: z.preprocess(
    emptyAsAbsent,
    z.coerce
      .number({ error: `must be a whole number from 1 to ${MAX_PAGE}` })
      .int(`must be a whole number from 1 to ${MAX_PAGE}`)
      .min(1, `must be a whole number from 1 to ${MAX_PAGE}`)
      .max(MAX_PAGE, `must be a whole number from 1 to ${MAX_PAGE}`)
      .default(DEFAULT_PAGE),
  ),
});

export type ContactListQuery = z.output<typeof contactListQuery>;

/** Contact ids are short base64url strings (see contactId in the store). */
export const contactParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a contact id'),
});

/** Forms posted without a field must still reach the CSRF check (403), not fail validation (400). */
const formField = (max: number) => z.string({ error: 'must be given once, as text' }).max(max, `must be at most ${max} characters`).default('');
const formBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((body) => body ?? {}, z.object(shape));

export const csrfForm = formBody({ _csrf: formField(256) });

export const loginForm = formBody({ _csrf: formField(256), password: formField(1024) });
