import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The Docker files, checked without a Docker engine (none runs here): what the image holds and
 * runs, and what `docker compose up` does with and without a usable .env. dclint (npm run lint)
 * checks the compose file against the Compose schema; this checks what it means.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  restart?: string;
  env_file?: Array<{ path: string; required: boolean }>;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const dockerfile = read('Dockerfile');
const ignored = read('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/** The folders and files the runtime stage copies from the build context. */
const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+?) \.\/?\S*$/gm)].flatMap((match) => match[1]!.split(/\s+/));

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder)).flatMap((entry) => {
    const relative = path.join(folder, entry);
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return /\.(ts|js)$/.test(entry) ? [relative] : [];
  });
}

describe('the Docker image', () => {
  it('is built in two stages on node:24-slim (bookworm), production dependencies only, and runs as node', () => {
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1])).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(dockerfile).toMatch(/^COPY --from=dependencies \/app\/node_modules \.\/node_modules$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/winnow.js"]');
    // Node strips the types itself: no compiler or loader among what the image installs or runs.
    const instructions = dockerfile.split('\n').filter((line) => !line.startsWith('#'));
    expect(instructions.join('\n')).not.toMatch(/tsx|tsc|typescript/i);
    const dependencies = Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies);
    expect(dependencies.filter((name) => /^(tsx|typescript|ts-node|esbuild)$/.test(name))).toEqual([]);
  });

  it('gets what it copies, and never the secrets, local installs or history', () => {
    for (const entry of copied) {
      expect(existsSync(path.join(root, entry)), entry).toBe(true);
      expect(ignored, `${entry} is copied but .dockerignore leaves it out`).not.toContain(entry);
    }
    for (const entry of ['.env', 'node_modules', '.git']) expect(ignored).toContain(entry);
  });

  it('holds every file the service imports, outside node_modules, with every package a production dependency', () => {
    const runtime = copied.filter((entry) => ['bin', 'src', 'workers'].includes(entry)).flatMap(sourceFiles);
    expect(runtime.length).toBeGreaterThan(50);
    const dependencies = Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies);
    for (const file of runtime) {
      const source = readFileSync(path.join(root, file), 'utf8');
      const specifiers = [...source.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'([^']+)'/gm), ...source.matchAll(/\bimport\('([^']+)'\)/g)].map((match) => match[1]!);
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) {
          const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
          expect(copied.some((entry) => target === entry || target.startsWith(`${entry}/`)), `${file} imports ${target}, which the image does not hold`).toBe(true);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
          expect(dependencies, `${file} imports ${name}, which npm ci --omit=dev leaves out`).toContain(name);
        }
      }
    }
  });
});

describe('docker compose', () => {
  const winnowServices = ['check-config', 'web', 'worker'] as const;

  it('runs the two roles as web and worker, each a command the image knows', () => {
    expect(compose.services.web!.command).toEqual(['web']);
    expect(compose.services.worker!.command).toEqual(['worker']);
    const usage = execFileSync(process.execPath, [path.join(root, 'bin/winnow.js'), 'help'], { encoding: 'utf8' });
    for (const name of winnowServices) expect(usage).toMatch(new RegExp(`^  ${compose.services[name]!.command![0]}\\b`, 'm'));
    expect(compose.services.web!.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(compose.services.web!.environment).toMatchObject({ HOST: '0.0.0.0', PORT: '3000', REDIS_URL: 'redis://redis:6379' });
    expect(compose.services.worker!.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379' });
  });

  it('stops at a missing .env, and at a wrong one before any service can restart in a loop', () => {
    for (const name of winnowServices) {
      // required: Compose refuses to start without the file ("env file .env not found").
      expect(compose.services[name]!.env_file).toEqual([{ path: '.env', required: true }]);
    }
    expect(compose.services['check-config']!.restart).toBe('no');
    for (const name of ['web', 'worker']) {
      expect(compose.services[name]!.depends_on).toEqual({ 'check-config': { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
      expect(compose.services[name]!.restart).toBe('unless-stopped');
    }
  });

  it('keeps Redis as a system of record: AOF on, no eviction, a health check', () => {
    const redis = compose.services.redis!;
    expect(redis.command!.join(' ')).toMatch(/--appendonly yes/);
    expect(redis.command!.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });
});
