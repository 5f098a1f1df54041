import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/text/html.ts';
import { API_TOKEN, login, useWebTest } from './helpers.ts';

const auth = { authorization: `Bearer ${API_TOKEN}` };

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { description?: string; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  security: Array<Record<string, string[]>>;
}

/** Fastify's `/api/contacts/:id` as OpenAPI writes it: `/api/contacts/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the OpenAPI document and the reference page', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  const routes: RouteOptions[] = [];

  beforeEach(async () => {
    routes.length = 0;
    app = await web.app({ onRoute: (route) => routes.push(route) });
  });

  async function fetchDocument(): Promise<Document> {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    return response.json() as Document;
  }

  it('is an OpenAPI 3.1 document that passes the specification\'s own schema', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds every registered /api route with every answer it gives, and nothing else', async () => {
    const document = await fetchDocument();
    const api = routes.filter((route) => route.url.startsWith('/api/') && route.method !== 'HEAD');
    expect(api.length).toBeGreaterThan(20);
    for (const route of api) {
      for (const method of [route.method].flat()) {
        const name = `${method} ${route.url}`;
        const operation = document.paths[openApiPath(route.url)]?.[method.toLowerCase()];
        expect(operation, name).toBeDefined();
        expect(operation!.description, name).toBe((route.schema as { description: string }).description);
        const answers = Object.keys((route.schema as { response: Record<string, unknown> }).response).sort();
        expect(Object.keys(operation!.responses ?? {}).sort(), name).toEqual(answers);
      }
    }
    // The dashboard's pages, probes and login form are not part of the API.
    expect(Object.keys(document.paths).filter((path) => !path.startsWith('/api/'))).toEqual([]);
    const operations = Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0);
    expect(operations).toBe(api.reduce((count, route) => count + [route.method].flat().length, 0));
  });

  it('names the bearer token as the security of every route', async () => {
    const document = await fetchDocument();
    const schemes = Object.entries(document.components.securitySchemes);
    expect(schemes).toHaveLength(1);
    const [name, scheme] = schemes[0]!;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ [name]: [] }]);
  });

  it('is behind the API token, as the API it describes', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(response.body).not.toContain('/api/contacts');
  });

  it('shows the reference at /docs only to a logged-in user', async () => {
    const stranger = await app.inject({ method: 'GET', url: '/docs' });
    expect(stranger.statusCode).toBe(303);
    expect(stranger.headers.location).toMatch(/^\/login/);
    expect(stranger.body).not.toContain('/api/contacts');

    const session = await login(app);
    const page = await app.inject({ method: 'GET', url: '/docs', cookies: { winnow_session: session } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Every operation of the document is on the page, with its description.
    const document = await fetchDocument();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(page.body, `${method} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
        expect(page.body, `${method} ${path}`).toContain(escapeHtml(operation.description!));
      }
    }
    // The page runs no script, so the dashboard's policy holds unchanged.
    expect(page.body).not.toContain('<script');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).not.toContain('script-src');
  });

  it('is found from the health page', async () => {
    const session = await login(app);
    const health = await app.inject({ method: 'GET', url: '/health', cookies: { winnow_session: session } });
    expect(health.statusCode).toBe(200);
    expect(health.body).toContain('<a href="/docs">the API reference</a>');
  });
});
