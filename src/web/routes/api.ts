import type { FastifyPluginAsync } from 'fastify';
import { HttpError, type WebContext } from '../context.ts';
import { contactListQuery, contactParams } from '../schemas.ts';
import { sameSecret } from '../security.ts';
import type { ZodTypeProvider } from '../zod.ts';

const CHALLENGE = 'Bearer realm="winnow"';

/** The token of an `Authorization: Bearer <token>` header, or null. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * The JSON API, registered under /api. Callers authenticate with API_TOKEN as a bearer token;
 * cookies play no part here, so the API needs no CSRF protection.
 */
export const apiRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    const expected = deps.config.web.apiToken;
    if (expected === null) {
      return reply.code(401).header('www-authenticate', CHALLENGE).send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'The API is switched off because API_TOKEN is not set. Set API_TOKEN (at least 16 characters) and restart Winnow.',
      });
    }
    const given = bearerToken(request.headers.authorization);
    if (given === null || !sameSecret(given, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', given === null ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`)
        .send({ statusCode: 401, error: 'Unauthorized', message: given === null ? 'Send the header "Authorization: Bearer <API_TOKEN>".' : 'The bearer token is not API_TOKEN.' });
    }
    return undefined;
  });

  // Unknown API paths answer after the token check too, so the API does not show its shape to strangers.
  app.setNotFoundHandler(async (request) => {
    throw new HttpError(404, `Nothing is at ${request.method} ${request.url.split('?')[0]}.`);
  });

  app.get('/contacts', { schema: { querystring: contactListQuery } }, async (request) => {
    const { status, q, cursor, limit } = request.query;
    return deps.store.list({ status, q, cursor, limit });
  });

  app.get('/contacts/:id', { schema: { params: contactParams } }, async (request) => {
    const { id } = request.params;
    const [contact, timeline] = await Promise.all([deps.store.get(id), deps.store.timeline(id)]);
    if (!contact) throw new HttpError(404, `No contact with id ${id}.`);
    return { contact, timeline };
  });
};
