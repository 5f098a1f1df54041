import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxKeys } from '../../src/contacts/store.ts';
import { createTemplateStore, TemplateVersionNotFound } from '../../src/script/store.ts';
import { loadDefaultTemplates, TemplateError, type CompiledScript, type ScriptKind, type TemplateSource } from '../../src/script/template.ts';
import { startSandbox, type Sandbox } from '../support/sandbox.ts';

let sandbox: Sandbox;
let redis: Redis;
let defaults: Record<ScriptKind, CompiledScript>;
let counter = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ imap: false, smtp: false });
  redis = new Redis(sandbox.redisUrl);
  defaults = await loadDefaultTemplates();
});

afterAll(async () => {
  await redis?.quit();
  await sandbox?.stop();
});

/** A store on keys of its own; a second process would open the same keys with another store. */
function freshKeys(): string {
  counter += 1;
  return mailboxKeys(`template-test-${counter}-${process.pid}`, 'primary').templates;
}

const vars = { name: 'Ada Lovelace', firstName: 'Ada', platform: 'LinkedIn', userName: 'Morgan', originalSubject: 'Invitation to connect', greeting: 'Hi Ada,', onPlatform: '', replyWhere: 'to this email' };

const source = (greeting: string): TemplateSource => ({
  subject: 'Re: {{originalSubject}}',
  text: `${greeting} {{firstName}}, why would you like to connect?`,
  html: `<p>${greeting} {{firstName}}, why would you like to connect?</p>`,
});

describe('the template store', () => {
  it('serves the defaults from templates/ until the user saves a version', async () => {
    const store = createTemplateStore(redis, freshKeys(), defaults);
    const script = await store.current('script');
    expect(script.version).toBeNull();
    expect(script.compiled.render(vars).text).toMatch(/what type of business/i);
    const reminder = await store.current('reminder');
    expect(reminder.version).toBeNull();
    expect(reminder.compiled.render(vars).text).toMatch(/reminder/i);
    expect(await store.versions('script')).toEqual([]);
  });

  it('puts a saved version in force at once, in this process and in another', async () => {
    const keys = freshKeys();
    const web = createTemplateStore(redis, keys, defaults);
    const worker = createTemplateStore(redis, keys, defaults);
    await worker.current('script'); // the worker has the default in hand

    const saved = await web.save('script', source('Hello'), 'shorter');
    expect(saved).toMatchObject({ version: 1, kind: 'script', note: 'shorter', source: source('Hello') });

    const inForce = await worker.current('script');
    expect(inForce.version).toBe(1);
    expect(inForce.compiled.render(vars).text).toBe('Hello Ada, why would you like to connect?');
    // The reminder is a template of its own, untouched.
    expect((await worker.current('reminder')).version).toBeNull();

    await web.save('script', source('Good day'));
    expect((await worker.current('script')).compiled.render(vars).text).toBe('Good day Ada, why would you like to connect?');
  });

  it('refuses a broken template with its part, line and column, saves nothing, and keeps the old one', async () => {
    const store = createTemplateStore(redis, freshKeys(), defaults);
    await store.save('script', source('Hello'));
    const broken = { ...source('Hi'), text: 'Hi {{firstName}},\nyou work at {{company}}.' };

    const error = await store.save('script', broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateError);
    // Column 15: the unknown name itself, inside its braces.
    expect(error).toMatchObject({ part: 'text', line: 2, column: 15 });
    expect((error as TemplateError).problem).toMatch(/unknown variable "company"/);

    expect((await store.versions('script')).map((v) => v.version)).toEqual([1]);
    expect((await store.current('script')).compiled.render(vars).text).toBe('Hello Ada, why would you like to connect?');
  });

  it('refuses what the design forbids: unescaped HTML, partials, helpers', async () => {
    const store = createTemplateStore(redis, freshKeys(), defaults);
    await expect(store.save('reminder', { ...source('Hi'), html: '<p>{{{name}}}</p>' })).rejects.toMatchObject({ part: 'html', line: 1, column: 4 });
    await expect(store.save('reminder', { ...source('Hi'), text: '{{> header}}' })).rejects.toBeInstanceOf(TemplateError);
    await expect(store.save('reminder', { ...source('Hi'), subject: '{{lookup this "constructor"}}' })).rejects.toBeInstanceOf(TemplateError);
    expect(await store.versions('reminder')).toEqual([]);
  });

  it('lists versions newest first, and restores an old one as a new version', async () => {
    let clock = 1_000;
    const store = createTemplateStore(redis, freshKeys(), defaults, () => clock);
    for (const greeting of ['One', 'Two', 'Three']) {
      clock += 1_000;
      await store.save('script', source(greeting), `version ${greeting}`);
    }
    const listed = await store.versions('script');
    expect(listed.map((v) => [v.version, v.note, v.savedAt])).toEqual([
      [3, 'version Three', 4_000],
      [2, 'version Two', 3_000],
      [1, 'version One', 2_000],
    ]);
    expect((await store.versions('script', 2)).map((v) => v.version)).toEqual([3, 2]);

    const restored = await store.restore('script', 1);
    expect(restored).toMatchObject({ version: 4, note: 'restored version 1', source: source('One') });
    expect((await store.versions('script')).map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect((await store.current('script')).compiled.render(vars).text).toBe('One Ada, why would you like to connect?');

    await expect(store.restore('script', 9)).rejects.toBeInstanceOf(TemplateVersionNotFound);
    await expect(store.restore('script', -1)).rejects.toBeInstanceOf(TemplateVersionNotFound);
  });

  it('records whether a version was one body or the parts apart, and restores each as it was', async () => {
    const store = createTemplateStore(redis, freshKeys(), defaults);
    const oneBody = { subject: 'Hello', body: '{{greeting}}\n\n- why connect?\n- what business?' };
    await store.save('script', oneBody, 'one body');
    await store.save('script', source('Apart'), 'apart');
    expect((await store.versions('script')).map((v) => [v.version, v.format])).toEqual([
      [2, 'separate'],
      [1, 'one-body'],
    ]);

    expect(await store.restore('script', 1)).toMatchObject({ version: 3, format: 'one-body', source: oneBody });
    const restored = (await store.current('script')).compiled.render(vars);
    expect(restored.text).toBe('Hi Ada,\n\n- why connect?\n- what business?');
    expect(restored.html).toBe('<p>Hi Ada,</p>\n<ul>\n<li>why connect?</li>\n<li>what business?</li>\n</ul>\n');

    expect(await store.restore('script', 2)).toMatchObject({ version: 4, format: 'separate', source: source('Apart') });
    expect((await store.current('script')).compiled.render(vars).html).toBe('<p>Apart Ada, why would you like to connect?</p>');
  });

  it('keeps notes to one short line', async () => {
    const store = createTemplateStore(redis, freshKeys(), defaults);
    const saved = await store.save('script', source('Hi'), `fixed the\r\ngreeting ${'x'.repeat(500)}`);
    expect(saved.note.startsWith('fixed the greeting x')).toBe(true);
    expect(saved.note.length).toBe(200);
  });

  it('falls back to the default when a stored version no longer compiles, so sending never stops', async () => {
    const keys = freshKeys();
    const store = createTemplateStore(redis, keys, defaults);
    // Written past the store, as an older release with looser rules might have left it.
    await redis.set(store.keys.latest('script'), '1');
    await redis.hset(store.keys.versions('script'), '1', JSON.stringify({ source: { ...source('Hi'), text: '{{#each x}}{{/each}}' }, savedAt: 1, note: '' }));
    const inForce = await store.current('script');
    expect(inForce.version).toBeNull();
    expect(inForce.compiled).toBe(defaults.script);
  });
});
