import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactStore } from '../../src/contacts/store.ts';
import { fileOf, luaScript, SCRIPTS, type ScriptName } from '../../src/store/scripts.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const luaFolder = path.join(root, 'src/store/lua');
const names = Object.keys(SCRIPTS) as ScriptName[];

describe('the Lua scripts', () => {
  it('are one file each, with the KEYS and ARGV they take listed at the top', () => {
    const files = readdirSync(luaFolder).filter((file) => file.endsWith('.lua'));
    // No file without a script, none without a file.
    expect(files.sort()).toEqual(names.map((name) => `${fileOf(name)}.lua`).sort());
    for (const name of names) {
      const text = readFileSync(path.join(luaFolder, `${fileOf(name)}.lua`), 'utf8');
      const header = /^--\[\[\n([\s\S]*?)\n\]\]\n/.exec(text)?.[1];
      expect(header, `${name} has a header`).toBeDefined();
      const used = new Set([...text.slice(header!.length).matchAll(/\b(KEYS|ARGV)\[(\d+)\]/g)].map((match) => `${match[1]}[${match[2]}]`));
      // Every fixed place the code reads is named in the header.
      for (const place of used) expect(header, `${name} reads ${place}`).toMatch(new RegExp(`^  ${place.replace(/[[\]]/g, '\\$&')}`, 'm'));
      const keys = SCRIPTS[name];
      if (keys !== null) expect(header!.match(/^ {2}KEYS\[\d+\]/gm)?.length, `${name} declares ${keys} keys`).toBe(keys);
    }
  });

  it('ship with the image: src/ is copied whole, and .dockerignore leaves no .lua file out', () => {
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^COPY src \.\/src$/m);
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'));
    for (const pattern of ignored) expect(path.matchesGlob('src/store/lua/claim-send.lua', pattern) || path.matchesGlob('src/store/lua/includes/bump.lua', pattern), pattern).toBe(false);
  });

  it('have their includes put in place', () => {
    expect(luaScript('transition')).toContain('local function bump(');
    expect(luaScript('transition')).not.toContain('@include');
  });
});

describe('the scripts on a real Redis', () => {
  let sandbox: Sandbox;
  let redis: Redis;

  beforeAll(async () => {
    sandbox = await startSandbox({ imap: false, smtp: false });
    redis = new Redis(sandbox.redisUrl);
  });

  afterAll(async () => {
    await redis?.quit();
    await sandbox?.stop();
  });

  it('still run after Redis forgot them (a restart, SCRIPT FLUSH): a person is recorded and moved', async () => {
    const store = createContactStore(redis, `scripts-test-${process.pid}`, 'primary');
    const fields = { status: 'queued' as const, platform: 'email' as const, name: 'Ada', firstName: 'Ada', email: 'ada@example.org', requestedAt: 1 };
    const first = await store.create(fields as never, ['address:ada@example.org'], 60_000, { at: 1, type: 'requested', detail: 'x' });
    expect(first.created).toBe(true);
    await redis.script('FLUSH');
    const moved = await store.transition(first.id, 'asked', { askedAt: 2 }, { at: 2, detail: 'script sent' });
    expect(moved).toEqual({ moved: true, from: 'queued' });
    expect((await store.get(first.id))?.status).toBe('asked');
  });
});
