import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import type { WebContext } from '../context.ts';
import { apiErrors } from '../schemas/common.ts';
import { openApiAnswer } from '../schemas/openapi.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import { docsPage, type OpenApiDocument } from '../views/docs.ts';

/** Winnow's version, as the document's version: the API changes with Winnow's releases. */
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The name of the API's one security scheme in the document. */
const BEARER_SCHEME = 'apiToken';

// The draft 2020-12 schemas OpenAPI 3.1 uses; the library picks it from the version too, said here once.
const zodTransform = createJsonSchemaTransform({ zodToJsonConfig: { target: 'draft-2020-12' } });

/**
 * Collects every route's schema for the OpenAPI document. Registered before the routes, as it
 * learns of them when they are added. Only the JSON API is described; the dashboard's pages and
 * forms are not an interface for programs.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Winnow API',
        version,
        description: 'The people Winnow screens, their answers, the scripts and the settings, for your own scripts and tools. Every route needs API_TOKEN as a bearer token.',
      },
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'The API_TOKEN the server was started with (at least 16 characters); without it the API is off.' },
        },
      },
      security: [{ [BEARER_SCHEME]: [] }],
    },
    transform: (route) => (route.url.startsWith('/api/') ? zodTransform(route) : { schema: { ...route.schema, hide: true }, url: route.url }),
  });
}

/** The document @fastify/swagger made (once; it keeps it), as the page reads it. */
function documentOf(app: FastifyInstance): OpenApiDocument {
  // swagger() is typed as any version of the specification; this one is 3.1 (registerOpenApi).
  return app.swagger() as unknown as OpenApiDocument;
}

/** GET /api/openapi.json, in the API scope: behind the same bearer token as what it describes. */
export const openApiRoutes: FastifyPluginAsync<WebContext> = async (plain) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get('/openapi.json', { schema: { description: 'This API described as an OpenAPI 3.1 document, for client generators and API tools.', response: { 200: openApiAnswer, ...apiErrors } } }, async () => documentOf(app));
};

/** GET /docs, in the pages scope: the same document as a page of the dashboard, with no script. */
export const docsRoutes: FastifyPluginAsync<WebContext> = async (app, context) => {
  app.get('/docs', async (request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(context.view(request), documentOf(app)).value));
};
