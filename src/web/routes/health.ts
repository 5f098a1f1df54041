import type { FastifyPluginAsync } from 'fastify';
import { liveAnswer, readyAnswer } from '../schemas/health.ts';
import type { ZodTypeProvider } from '../schemas/provider.ts';
import type { WebContext } from '../context.ts';
import { adviceText, redisAdvice } from '../../config/advice.ts';
import { lastRedisError } from '../../redis.ts';

const REDIS_TIMEOUT_MS = 1_000;
const READINESS_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Probes for orchestrators. Liveness says only that the process answers; readiness says whether
 * it can do its work (Redis, plus whatever the composition root adds). Both are public and are
 * logged only at warn level, since they are polled every few seconds.
 */
export const healthRoutes: FastifyPluginAsync<WebContext> = async (plain, { deps }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get('/healthz', { logLevel: 'warn', schema: { response: { 200: liveAnswer } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { logLevel: 'warn', schema: { response: { 200: readyAnswer, 503: readyAnswer } } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ok = true;
    try {
      await withTimeout(deps.redis.ping(), REDIS_TIMEOUT_MS, 'Redis');
      checks.redis = 'ok';
    } catch (error) {
      ok = false;
      // The connection's own 'error' event says why (refused, not found); the ping only that it failed.
      checks.redis = `failed: ${adviceText(redisAdvice(lastRedisError(deps.redis) ?? error, deps.config.redis.url))}`;
    }
    if (deps.readiness) {
      try {
        const result = await withTimeout(deps.readiness(), READINESS_TIMEOUT_MS, 'the readiness check');
        Object.assign(checks, result.checks);
        if (!result.ok) ok = false;
      } catch (error) {
        ok = false;
        checks.readiness = `failed: ${reason(error)}`;
      }
    }
    return reply.code(ok ? 200 : 503).send({ status: ok ? ('ok' as const) : ('unavailable' as const), checks });
  });
};
