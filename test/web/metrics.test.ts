import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { countAnswer, countImapConnection, countRequest, countScriptSent, countWebhookDelivery } from '../../src/metrics/counts.ts';
import { createLogger } from '../../src/log.ts';
import { jobId } from '../../src/queues/queues.ts';
import { parsePrometheusText } from '../support/prometheus.ts';
import { API_TOKEN, useWebTest } from './helpers.ts';

const METRICS_TOKEN = 'metrics-token-for-web-tests-42';

const web = useWebTest();

/** What a worker process would count, on its own connection to the same Redis. */
function workerSink(redis: Redis, now = Date.now) {
  return { redis, config: web.config, logger: createLogger('silent'), now };
}

async function scrape(authorization = `Bearer ${API_TOKEN}`, env?: Record<string, string>) {
  const app = await web.app(env ? { env } : {});
  return app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
}

describe('GET /metrics', () => {
  it('shows in Prometheus text what another process counted in Redis, and Node figures of its own', async () => {
    const before = parsePrometheusText((await scrape()).body);
    expect(before.value('winnow_requests_total', { platform: 'linkedin' })).toBe(0);
    expect(before.value('winnow_webhook_deliveries_total', { outcome: 'delivered' })).toBe(0);

    const worker = new Redis(web.config.redis.url);
    const requestedAt = Date.now();
    const sink = workerSink(worker, () => requestedAt + 90_000);
    await countRequest(sink, 'linkedin');
    await countRequest(sink, 'email');
    await countScriptSent(sink, { requestedAt }, 1);
    // "Send again": a script, but no time since the request.
    await countScriptSent(sink, { requestedAt }, 2);
    await countAnswer(sink, 'declined');
    await countWebhookDelivery(sink, 'failed');
    await countImapConnection(sink, web.store.keys.health);
    await worker.quit();
    await web.queues.send.add('send', { mailbox: 'primary', contactId: 'c-1' }, { jobId: jobId.send('primary', 'c-1', 1), delay: 60_000 });

    const response = await scrape();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const after = parsePrometheusText(response.body);
    expect(after.value('winnow_requests_total', { platform: 'linkedin' })).toBe(1);
    expect(after.value('winnow_requests_total', { platform: 'email' })).toBe(1);
    expect(after.value('winnow_requests_total', { platform: 'xing' })).toBe(0);
    expect(after.value('winnow_scripts_sent_total')).toBe(2);
    expect(after.value('winnow_answers_total', { kind: 'declined' })).toBe(1);
    expect(after.value('winnow_answers_total', { kind: 'answered' })).toBe(0);
    expect(after.value('winnow_webhook_deliveries_total', { outcome: 'failed' })).toBe(1);
    // 90 s: above the 60 s bound, within 300 s; buckets are cumulative.
    expect(after.types.get('winnow_script_delay_seconds')).toBe('histogram');
    expect(after.value('winnow_script_delay_seconds_bucket', { le: '60' })).toBe(0);
    expect(after.value('winnow_script_delay_seconds_bucket', { le: '300' })).toBe(1);
    expect(after.value('winnow_script_delay_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(after.value('winnow_script_delay_seconds_sum')).toBe(90);
    expect(after.value('winnow_script_delay_seconds_count')).toBe(1);
    expect(after.value('winnow_imap_connections_total')).toBe(1);
    // No watcher holds the mailbox here.
    expect(after.value('winnow_imap_connected')).toBe(0);
    expect(after.value('winnow_queue_jobs', { queue: 'send', state: 'delayed' })).toBe(1);
    expect(after.value('winnow_queue_jobs', { queue: 'send', state: 'failed' })).toBe(0);
    expect(after.types.get('winnow_process_cpu_user_seconds_total')).toBe('counter');
    expect(after.value('winnow_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counting never fails the caller: with Redis gone, the count is lost and logged', async () => {
    const lines: string[] = [];
    const gone = new Redis(web.config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const sink = { redis: gone, config: web.config, logger: createLogger('warn', { format: 'json', destination: { write: (line: string) => lines.push(line) } }), now: Date.now };
    await expect(countRequest(sink, 'linkedin')).resolves.toBeUndefined();
    expect(lines.join('')).toContain('could not count a request for /metrics');
    gone.disconnect();
  });

  it('is refused without the token, and with a wrong one', async () => {
    const without = await scrape('');
    expect(without.statusCode).toBe(401);
    expect(without.headers['www-authenticate']).toBe('Bearer realm="winnow"');
    expect(without.json().message).toContain('Authorization: Bearer <API_TOKEN>');
    const wrong = await scrape(`Bearer ${API_TOKEN}x`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('The bearer token is not API_TOKEN.');
    expect(wrong.body).not.toContain('winnow_');
  });

  it('with METRICS_TOKEN set, opens to that token only: the API token no longer does', async () => {
    const env = { METRICS_TOKEN };
    expect((await scrape(`Bearer ${METRICS_TOKEN}`, env)).statusCode).toBe(200);
    const api = await scrape(`Bearer ${API_TOKEN}`, env);
    expect(api.statusCode).toBe(401);
    expect(api.json().message).toBe('The bearer token is not METRICS_TOKEN.');
    // And the metrics token opens nothing else.
    const app = await web.app({ env });
    expect((await app.inject({ method: 'GET', url: '/api/overview', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(401);
  });

  it('with neither token set, is closed to everyone and says how to open it', async () => {
    const closed = await scrape('Bearer anything-at-all-here-0000', { API_TOKEN: '' });
    expect(closed.statusCode).toBe(401);
    expect(closed.json().message).toContain('neither METRICS_TOKEN nor API_TOKEN is set');
  });
});
