import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.ts';
import { metricsText } from '../../metrics/exposition.ts';
import type { WebContext } from '../context.ts';
import { bearerToken } from '../guards.ts';
import { sameSecret } from '../security.ts';

/**
 * Who may read /metrics. With METRICS_TOKEN set, that token and only it: a Prometheus server
 * holds a secret that opens nothing else, and the API token (which can change and erase people)
 * need not sit in its configuration. Without it, API_TOKEN, as for the JSON API. With neither,
 * no one: the figures say how many people write to the user and when, so they are never open.
 */
export function metricsTokenGuard(config: Pick<Readonly<Config>, 'web'>) {
  const [expected, name] = config.web.metricsToken !== null ? [config.web.metricsToken, 'METRICS_TOKEN'] : [config.web.apiToken, 'API_TOKEN'];
  return async function requireMetricsToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const given = bearerToken(request.headers.authorization);
    if (expected !== null && given !== null && sameSecret(given, expected)) return undefined;
    const message =
      expected === null
        ? 'The metrics are switched off because neither METRICS_TOKEN nor API_TOKEN is set. Set METRICS_TOKEN (at least 16 characters), and restart Winnow.'
        : given === null
          ? `Send the header "Authorization: Bearer <${name}>" (in Prometheus: authorization: { credentials: <${name}> }).`
          : `The bearer token is not ${name}.`;
    return reply
      .code(401)
      .header('www-authenticate', `Bearer realm="winnow"${given === null ? '' : ', error="invalid_token"'}`)
      .send({ statusCode: 401, error: 'Unauthorized', message });
  };
}

/** GET /metrics: Prometheus' text format, for every process's counts (src/metrics/counts.ts). */
export const metricsRoutes: FastifyPluginAsync<WebContext> = async (app, { deps }) => {
  const sources = {
    redis: deps.redis,
    prefix: deps.config.redis.prefix,
    mailbox: { health: deps.store.keys.health, lease: deps.store.keys.lease },
    queues: deps.queues,
  };
  app.get('/metrics', { onRequest: metricsTokenGuard(deps.config) }, async (_request, reply) => {
    const { contentType, text } = await metricsText(sources);
    return reply.type(contentType).send(text);
  });
};
