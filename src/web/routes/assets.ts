import type { FastifyPluginAsync } from 'fastify';
import type { Assets } from '../assets.ts';

/** Static files of the dashboard, served from memory. No session needed: they hold nothing private. */
export const assetRoutes: FastifyPluginAsync<{ assets: Assets }> = async (app, { assets }) => {
  for (const asset of Object.values(assets)) {
    app.get(asset.path, async (request, reply) => {
      // Only the current version may be cached for ever; an old page asking for an old one gets a short lease.
      const current = (request.query as { v?: unknown }).v === asset.version;
      return reply
        .type(asset.type)
        .header('cache-control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
        .send(asset.body);
    });
  }
};
