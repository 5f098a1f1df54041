import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileOf, luaScript, SCRIPTS, type ScriptName } from '../../src/store/scripts.ts';

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
