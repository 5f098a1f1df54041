import { z } from 'zod';
import { STATUSES } from '../vocabulary/contact.ts';
import { localPath } from './security.ts';

/** The largest and the usual page of a list (the people list's query is in people-schemas.ts). */
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

export const statusSchema = z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` });

/** Contact ids are short base64url strings (see contactId in the store). */
export const contactParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a contact id'),
});

/** Forms posted without a field must still reach the CSRF check (403), not fail validation (400). */
const formField = (max: number) => z.string({ error: 'must be given once, as text' }).max(max, `must be at most ${max} characters`).default('');
const formBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((body) => body ?? {}, z.object(shape));

export const csrfForm = formBody({ _csrf: formField(256) });

/** Where to go after logging in: a path of this dashboard, or nothing (anything else is dropped). */
const next = z.preprocess((value) => localPath(value) ?? undefined, z.string().optional());

export const loginForm = formBody({ _csrf: formField(256), password: formField(1024), next });

// `out`: just logged out, so the form says so.
export const loginQuery = z.object({ next, out: z.literal('1').optional() });
