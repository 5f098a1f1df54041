import { z } from 'zod';
import { STATUSES } from '../../vocabulary/contact.ts';
import { localPath } from '../security.ts';
import { CONTACT_ID } from '../../text/ids.ts';

/** The largest and the usual page of a list. */
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** Forms and links send `status=` for "any"; an empty value means the parameter is absent. */
export const emptyAsAbsent = (value: unknown) => (value === '' ? undefined : value);
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsAbsent, schema.optional());
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
export const text = (max: number, error = `must be at most ${max} characters`) => z.string({ error: 'must be given once, as text' }).max(max, error);

export const statusSchema = oneOf(STATUSES).describe('Where the person stands in the screening.');
export const contactId = z.string({ error: 'is not a contact id' }).regex(CONTACT_ID, 'is not a contact id').describe('A person\'s id, as the lists give it.');
export const contactParams = z.object({ id: contactId });

/** A path of this dashboard to go to after a form; anything else (another site, a scheme) is dropped. */
export const localPathField = z.preprocess((value) => localPath(value) ?? undefined, z.string().optional());

/** Forms posted without a field must still reach the CSRF check (403), not fail validation (400). */
export const formField = (max: number) => text(max).default('');
/** A dashboard form: every one carries the session's CSRF token in `_csrf`. */
export const formBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((body) => body ?? {}, z.object({ _csrf: formField(256), ...shape }));

// ---- Answers of the JSON API ---------------------------------------------------------------

const ms = z.number().int();
/** A time as the API gives it: milliseconds since 1970 (UTC). */
export const time = ms.describe('Milliseconds since 1970-01-01 UTC.');
export const timeOrNull = ms.nullable().describe('Milliseconds since 1970-01-01 UTC, or null when it has not happened.');

/** What every refusal and failure answers (Fastify's error shape). */
export const errorAnswer = z
  .object({
    statusCode: z.number().int().describe('The HTTP status again.'),
    error: z.string().describe('The status in words, such as "Bad Request".'),
    message: z.string().describe('What went wrong, in words; a bad request names every wrong field ("limit: must be …; status: must be …").'),
  })
  .describe('A request that was refused or failed.');

/** The answers any API route may give besides its own: a bad request, no token, a server failure. */
export const apiErrors = {
  400: errorAnswer.describe('The request does not match its schema: the message names every problem.'),
  401: errorAnswer.describe('No bearer token, a wrong one, or the API is off (API_TOKEN not set); the WWW-Authenticate header says which.'),
  500: errorAnswer.describe('Something failed on the server; the details are in its log, not in the answer.'),
};

export const notFound = errorAnswer.describe('Nothing is there: no such person, version or path.');
