import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { has, one, parseHtml, text } from '../support/dom.ts';
import { login, useWebTest } from './helpers.ts';

/** The overview's alarm when Redis nears its maxmemory (noeviction: at 100 % Winnow stops). */
describe('the memory alarm', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  const overview = async () => (await app.inject({ method: 'GET', url: '/', cookies: { winnow_session: session } })).body;

  beforeEach(async () => {
    app = await web.app();
    session = await login(app);
  });
  afterEach(async () => {
    // maxmemory belongs to the Redis of the whole file, not to this test's keys.
    await web.redis.config('SET', 'maxmemory', String(512 * 1024 * 1024));
  });

  it('stays away below 80 % and shows above, with the figures', async () => {
    await web.redis.config('SET', 'maxmemory', String(512 * 1024 * 1024));
    expect(has(parseHtml(await overview()), '#memory-alarm')).toBe(false);

    const used = Number(/^used_memory:(\d+)/m.exec(await web.redis.info('memory'))![1]);
    await web.redis.config('SET', 'maxmemory', String(Math.round(used / 0.85)));
    const body = parseHtml(await overview());
    expect(has(body, '#memory-alarm')).toBe(true);
    expect(text(one(body, 'h2#memory-alarm-heading'))).toMatch(/^Redis is (8\d|9\d) % full$/);
    const api = await app.inject({ method: 'GET', url: '/api/overview', headers: { authorization: `Bearer ${web.config.web.apiToken}` } });
    expect(api.json().memory).toMatchObject({ used: expect.any(Number), max: Math.round(used / 0.85) });
  });
});
