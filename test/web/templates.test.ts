import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTemplateStore } from '../../src/script/store.ts';
import { loadDefaultTemplates, type CompiledScript } from '../../src/script/template.ts';
import { personVariables, type ScriptPerson } from '../../src/script/render.ts';
import { TestSendError, type TestSendResult } from '../../src/script/test-send.ts';
import { all, attribute, has, inlineCode, next, one, parseHtml, rawText, text, type Document } from '../support/dom.ts';
import { addPerson, API_TOKEN, hiddenCsrf, login, useWebTest } from './helpers.ts';

const auth = { authorization: `Bearer ${API_TOKEN}` };

function cspOf(header: unknown): Record<string, string> {
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

/** The text of an element by id as a browser shows it: entities decoded, the newline that opens a textarea or pre dropped. */
function textOf(body: string, id: string): string {
  return rawText(one(parseHtml(body), `#${id}`)).replace(/^\n/, '');
}

/** Where the page's preview frame loads from. */
function frameSrc(body: string): string {
  return attribute(one(parseHtml(body), 'iframe.mail-html'), 'src')!;
}

/** The line that says which version is in use. */
const inUseLine = (doc: Document) => text(one(doc, 'main p.lead'));

describe('templates page', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  let csrf = '';
  let defaults: Awaited<ReturnType<typeof loadDefaultTemplates>>;
  let tests: Array<{ compiled: CompiledScript; person: ScriptPerson }> = [];
  let refuseTests = false;

  beforeEach(async () => {
    tests = [];
    refuseTests = false;
    defaults = await loadDefaultTemplates();
    // A small stand-in for the SMTP side of "send a test to myself" (the browser test sends for real).
    const sendTest = async (compiled: CompiledScript, person: ScriptPerson): Promise<TestSendResult> => {
      if (refuseTests) throw new TestSendError('550 5.7.1 relaying denied', true);
      tests.push({ compiled, person });
      return { to: 'me@example.test', subject: `[Test] ${compiled.render(personVariables(person, 'Morgan')).subject}`, response: '250 2.0.0 Ok: queued' };
    };
    app = await web.app({ deps: { sendTest } });
    session = await login(app);
    csrf = hiddenCsrf((await get('/templates/script')).body);
  });

  const templates = () => createTemplateStore(web.redis, web.store.keys.templates, defaults);
  const get = (url: string) => app.inject({ method: 'GET', url, cookies: { winnow_session: session } });
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, cookies: { winnow_session: session } });
  /** The editor's fields for one body (the default way), from the default script. */
  const source = (overrides: Partial<Record<'subject' | 'body', string>> = {}) => ({ format: 'one-body', ...defaults.script.source, ...overrides });
  /** The editor's fields with the text and HTML parts apart, starting from what the default sends. */
  const apart = (overrides: Partial<Record<'subject' | 'text' | 'html', string>> = {}) => ({ format: 'separate', ...defaults.script.parts, ...overrides });
  /** Version 1 of the script, one body, saved through the editor as a user would. */
  const saveFirstVersion = async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', person: 'sample', note: 'shorter subject', ...source({ subject: 'Hello from {{userName}}', body: 'Line one\r\nLine two\r\n' }) });
    expect(response.statusCode).toBe(303);
    return response;
  };

  it('/templates opens the script', async () => {
    const response = await get('/templates');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/templates/script');
  });

  it('shows the script in labelled fields, the default in use, a sandboxed preview, versions and variables', async () => {
    const response = await get('/templates/script');
    expect(response.statusCode).toBe(200);
    const body = response.body;
    const doc = parseHtml(body);
    for (const [id, label] of [['subject', 'Subject'], ['body', 'Message'], ['note', 'Note for this version']]) {
      expect(text(one(doc, `label[for="${id}"]`))).toContain(label);
    }
    // One body by default: the message, no text or HTML part to keep in step, and the way to write HTML apart.
    expect(textOf(body, 'body')).toBe((defaults.script.source as { body: string }).body);
    expect(has(doc, '#text')).toBe(false);
    expect(has(doc, '#html')).toBe(false);
    expect(attribute(one(doc, 'input[type="hidden"][name="format"]'), 'value')).toBe('one-body');
    expect(text(one(doc, 'button[type="submit"][name="intent"][value="separate"].link'))).toBe('Edit the HTML part separately');
    // The buttons that insert variables wait, hidden, for the page's script; each inserts a variable or the greeting snippet.
    expect(has(doc, 'div.insert-bar#insert-bar[role="group"][aria-label="Insert at the cursor"][hidden]')).toBe(true);
    const inserts = all(doc, '#insert-bar [data-insert]').map((button) => attribute(button, 'data-insert'));
    for (const name of ['greeting', 'firstName', 'name', 'platform', 'userName', 'originalSubject']) expect(inserts).toContain(`{{${name}}}`);
    expect(inserts).toContain('{{#if firstName}}Dear {{firstName}},{{else}}Hello,{{/if}}');
    expect(inUseLine(doc)).toBe('In use: the default from templates/script/, until you save a version.');
    expect(text(doc)).toContain('No saved versions yet.');
    const variables = all(doc, 'dt > code').map(text);
    for (const name of ['name', 'firstName', 'platform', 'userName', 'originalSubject', 'greeting']) expect(variables).toContain(`{{${name}}}`);
    // The preview: the sample person, the text as text, the HTML part only in a sandboxed frame.
    expect(textOf(body, 'preview-subject')).toBe('Re: Invitation to connect on LinkedIn');
    expect(textOf(body, 'preview-text')).toContain('Hi Sam,');
    const frame = one(doc, 'iframe.mail-html[sandbox=""][referrerpolicy="no-referrer"]');
    expect(attribute(frame, 'src')).toMatch(/^\/templates\/script\/preview-frame\?v=[a-z0-9]+$/);
    expect(all(doc, 'p').map(text)).not.toContain('Hi Sam,');
    expect(text(one(doc, 'a[href="/templates"][aria-current="page"]'))).toBe('Templates');
    // The live preview is a script file of this origin; nothing inline.
    expect(all(doc, 'script[defer]').map((script) => attribute(script, 'src'))).toEqual([expect.stringMatching(/^\/assets\/templates\.js\?v=[\w-]+$/)]);
    expect(inlineCode(doc)).toEqual([]);
    expect(cspOf(response.headers['content-security-policy'])).toEqual({
      'default-src': "'none'",
      'style-src': "'self'",
      'img-src': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'script-src': "'self'",
      'connect-src': "'self'",
      'frame-src': "'self'",
    });
  });

  it('serves the preview frame as a sandbox of its own that can run and load nothing', async () => {
    const page = await get('/templates/script');
    const src = frameSrc(page.body);
    const frame = await get(src);
    expect(frame.statusCode).toBe(200);
    expect(all(parseHtml(frame.body), 'p').map(text)).toContain('Hi Sam,');
    expect(cspOf(frame.headers['content-security-policy'])).toEqual({
      'default-src': "'none'",
      'style-src': "'unsafe-inline'",
      'img-src': 'data:',
      'form-action': "'none'",
      'frame-ancestors': "'self'",
      'base-uri': "'none'",
      sandbox: '',
    });
    expect(frame.headers['cache-control']).toBe('no-store');
    // Another visitor's session cannot see this one's draft; without a session there is no frame.
    expect((await app.inject({ method: 'GET', url: src })).statusCode).toBe(303);
  });

  it('previews a draft as JSON for the live preview, and the frame then shows the draft', async () => {
    const response = await post('/templates/script/preview', { _csrf: csrf, person: 'sample', ...apart({ subject: 'Hello {{firstName}}', html: '<p style="color:#333">Dear {{name}}</p>' }) }, { accept: 'application/json' });
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ ok: true, partsMatch: false, subject: 'Hello Sam' });
    expect(result.text).toContain('Hi Sam,');
    const frame = await get(result.frameUrl);
    expect(text(one(parseHtml(frame.body), 'p[style="color:#333"]'))).toBe('Dear Sam Sample');
    // Nothing was saved.
    expect((await templates().current('script')).version).toBeNull();
  });

  it('answers a broken draft in the live preview with the part, line and column', async () => {
    const response = await post('/templates/script/preview', { _csrf: csrf, ...apart({ html: '<p>Hi</p>\n<p>{{nme}}</p>' }) }, { accept: 'application/json' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: false, error: { part: 'html', line: 2, column: 6, problem: expect.stringContaining('unknown variable "nme"') } });
    const inBody = await post('/templates/script/preview', { _csrf: csrf, ...source({ body: 'Hi,\n\nyou at {{company}}' }) }, { accept: 'application/json' });
    expect(inBody.json()).toMatchObject({ ok: false, error: { part: 'body', line: 3, column: 10, problem: expect.stringContaining('unknown variable "company"') } });
  });

  it('previews without JavaScript: the page comes back with the draft in the editor and in the preview', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'preview', person: 'sample', note: 'kept', ...source({ subject: 'Nice to meet you, {{firstName}}' }) });
    expect(response.statusCode).toBe(200);
    expect(textOf(response.body, 'subject')).toBe('Nice to meet you, {{firstName}}');
    expect(textOf(response.body, 'preview-subject')).toBe('Nice to meet you, Sam');
    expect(response.body).toContain('Showing what the editor holds (not saved).');
    expect(attribute(one(parseHtml(response.body), 'input#note'), 'value')).toBe('kept');
    expect((await templates().current('script')).version).toBeNull();
  });

  it('saves a version with its note; the page says so and lists it; the store has it in force', async () => {
    const response = await saveFirstVersion();
    expect(response.headers.location).toBe('/templates/script?saved=1');
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    // Browsers send CRLF; the template keeps plain line feeds.
    expect(current.compiled.source).toEqual({ subject: 'Hello from {{userName}}', body: 'Line one\nLine two\n' });

    const page = await get(response.headers.location!);
    const doc = parseHtml(page.body);
    expect(text(one(doc, 'p.notice[role="status"]'))).toMatch(/^Script saved as version 1\./);
    expect(inUseLine(doc)).toMatch(/^In use: version 1, saved .+ \(“shorter subject”\)\.$/);
    expect(has(one(doc, 'main p.lead'), 'strong + time')).toBe(true);
    const row = one(doc, 'tbody tr th[scope="row"]');
    expect(text(row)).toBe('1 in use');
    expect(text(one(row, 'span.status.status-accepted'))).toBe('in use');
    expect(textOf(page.body, 'subject')).toBe('Hello from {{userName}}');
  });

  it('refuses a broken template beside the field, keeps the draft, and the version in force stays', async () => {
    await saveFirstVersion();
    const broken = '<p>Hi {{firstName}}</p>\n<p>{{#each name}}x{{/each}}</p>';
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'broken', ...apart({ html: broken }) });
    expect(response.statusCode).toBe(400);
    const body = response.body;
    const doc = parseHtml(body);
    expect(text(doc)).toContain('The script was not saved: the html part has a problem. Version 1 stays in use.');
    const field = one(doc, 'textarea#html');
    expect([attribute(field, 'aria-describedby'), attribute(field, 'aria-invalid')]).toEqual(['html-hint html-error', 'true']);
    const error = one(doc, 'p.field-error#html-error');
    expect([attribute(error, 'data-part'), attribute(error, 'data-line'), attribute(error, 'data-column')]).toEqual(['html', '2', '4']);
    expect(text(error)).toBe('Line 2, column 4: the block {{#each}} is not allowed: only {{#if}} and {{#unless}} are');
    expect(textOf(body, 'html')).toBe(broken);
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    expect(await templates().versions('script')).toHaveLength(1);
  });

  it('shows a version, and restores an old one as a new version', async () => {
    await saveFirstVersion();
    await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'second', ...apart({ subject: 'Second <subject> & co' }) });
    const view = await get('/templates/script/versions/2');
    expect(view.statusCode).toBe(200);
    const viewText = text(parseHtml(view.body));
    expect(viewText).toContain('Second <subject> & co');
    expect(viewText).toContain('This version is in use.');
    expect(viewText).toContain('The text and HTML parts written separately.');
    expect(all(parseHtml(view.body), 'h2').map(text)).toContain('HTML part');
    const first = parseHtml((await get('/templates/script/versions/1')).body);
    expect(text(first)).toContain('One message: the HTML part is made from it.');
    const message = next(all(first, 'h2').find((h2) => text(h2) === 'Message')!);
    expect([message.name, attribute(message, 'class'), rawText(message)]).toEqual(['pre', 'source', '\nLine one\nLine two\n']);
    expect((await get('/templates/script/versions/99')).statusCode).toBe(404);

    const restore = await post('/templates/script/restore', { _csrf: csrf, version: '1' });
    expect(restore.statusCode).toBe(303);
    expect(restore.headers.location).toBe('/templates/script?restored=3');
    const current = await templates().current('script');
    expect(current.version).toBe(3);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    const page = parseHtml((await get('/templates/script?restored=3')).body);
    expect(text(page)).toContain('Restored: the script in use is now version 3.');
    // Version 1 was one body, so the restored version is one body again; the list says which is which.
    expect(current.compiled.source).toEqual({ subject: 'Hello from {{userName}}', body: 'Line one\nLine two\n' });
    expect(attribute(one(page, 'input[type="hidden"][name="format"]'), 'value')).toBe('one-body');
    const notes = all(page, 'tbody tr td:has(span.format)').map(text);
    expect(notes).toEqual(['restored version 1 one message', 'second text and HTML apart', 'shorter subject one message']);
    expect((await post('/templates/script/restore', { _csrf: csrf, version: '42' })).statusCode).toBe(404);
  });

  it('previews against a real person with a hostile name: escaped in the page and in the frame', async () => {
    const id = await addPerson(web.store, { name: '<script>alert(1)</script> Mallory', firstName: '<img src=x onerror=alert(2)>', subject: '"><svg onload=alert(3)>' });
    const page = await get(`/templates/script?person=${id}`);
    const option = one(parseHtml(page.body), `option[value="${id}"]`);
    expect(attribute(option, 'selected')).toBe('');
    expect(text(option)).toMatch(/^<script>alert\(1\)<\/script> Mallory/);
    // The hostile values stay text: no element of theirs, nothing inline that could run.
    const hostile = (body: string) => {
      const doc = parseHtml(body);
      return [...all(doc, 'img, svg').map((element) => element.name), ...inlineCode(doc)];
    };
    expect(hostile(page.body)).toEqual([]);
    // The default message, previewed for them: the HTML made from it escapes every value.
    const preview = await post('/templates/script', { _csrf: csrf, intent: 'preview', person: id, ...source() });
    expect(hostile(preview.body)).toEqual([]);
    const frame = await get(frameSrc(preview.body));
    // Not a name: the script greets them neutrally and carries none of it.
    expect(text(parseHtml(frame.body))).toContain('Hi there,');
    expect(hostile(frame.body)).toEqual([]);
  });

  it('refuses a variable in an unquoted attribute when saving, with its line and column', async () => {
    const unquoted = '<p>Hi {{firstName}}</p>\n<p><a title={{name}}>profile</a></p>';
    const before = await templates().versions('script');
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'unquoted', ...apart({ html: unquoted }) });
    expect(response.statusCode).toBe(400);
    const doc = parseHtml(response.body);
    expect(text(doc)).toContain('The script was not saved: the html part has a problem.');
    const error = one(doc, 'p.field-error#html-error');
    expect([attribute(error, 'data-part'), attribute(error, 'data-line'), attribute(error, 'data-column')]).toEqual(['html', '2', '13']);
    expect(text(error)).toMatch(/^Line 2, column 13: \{\{name\}\} is in an attribute value without quotes/);
    expect(textOf(response.body, 'html')).toBe(unquoted);
    expect(await templates().versions('script')).toEqual(before);
  });

  it('sends a test of the draft to the user, for the chosen person, and says what the server answered', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'test', person: 'sample', ...source({ subject: 'Test me, {{firstName}}' }) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('A test went to me@example.test with the subject “[Test] Test me, Sam” (the mail server said: 250 2.0.0 Ok: queued). Nothing was saved.');
    expect(tests.at(-1)!.person.name).toBe('Sam Sample');
    expect(textOf(response.body, 'subject')).toBe('Test me, {{firstName}}');
    expect((await templates().current('script')).version).toBeNull();

    refuseTests = true;
    const refused = await post('/templates/script', { _csrf: csrf, intent: 'test', ...source() });
    refuseTests = false;
    expect(refused.statusCode).toBe(502);
    expect(refused.body).toContain('The test was not sent: 550 5.7.1 relaying denied');
  });

  it('keeps the reminder apart, and says whether reminders are on', async () => {
    const page = await get('/templates/reminder');
    expect(text(one(parseHtml(page.body), 'a[href="/templates/reminder"][aria-current="page"]'))).toBe('Reminder');
    expect(text(parseHtml(page.body))).toContain('Reminders are off');
    expect(textOf(page.body, 'body')).toBe((defaults.reminder.source as { body: string }).body);
    expect((await get('/templates/nonsense')).statusCode).toBe(400);
  });

  it('refuses posts without the session CSRF token', async () => {
    expect((await post('/templates/script', { intent: 'save', ...source() })).statusCode).toBe(403);
    expect((await post('/templates/script/preview', { _csrf: 'forged', ...source() }, { accept: 'application/json' })).statusCode).toBe(403);
    expect((await post('/templates/script/restore', { version: '1' })).statusCode).toBe(403);
    expect((await templates().current('script')).version).toBeNull();
  });

  it('GET /api/templates and PUT /api/templates/:kind with the bearer token', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/templates' })).statusCode).toBe(401);
    for (const note of ['one', 'two', 'three']) await templates().save('script', { subject: `Subject ${note}`, body: `Body ${note}` }, note);
    const list = (await app.inject({ method: 'GET', url: '/api/templates', headers: auth })).json();
    expect(list.script.version).toBe(3);
    expect(list.script.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    // The format, the source as written, and the parts it sends (for one body, the HTML made from it).
    expect(list.reminder).toMatchObject({ version: null, format: 'one-body', source: defaults.reminder.source, parts: defaults.reminder.parts, versions: [] });
    expect(list.reminder.parts.html).toMatch(/^<p>\{\{greeting\}\}<\/p>\n/);

    // One body: { subject, body }.
    const put = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'Gentle nudge', body: '{{greeting}}\n\nStill keen to hear:\n- why connect?', note: 'from the API' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ version: 1, kind: 'reminder', format: 'one-body', note: 'from the API' });
    const rendered = (await templates().current('reminder')).compiled.render(personVariables({ name: 'Ada L', firstName: 'Ada', platform: 'email', subject: '', flags: [] }, 'Morgan'));
    expect(rendered.text).toBe('Hi Ada,\n\nStill keen to hear:\n- why connect?');
    expect(rendered.html).toBe('<p>Hi Ada,</p>\n<p>Still keen to hear:</p>\n<ul>\n<li>why connect?</li>\n</ul>\n');

    // The parts apart still work: { subject, text, html }.
    const separate = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'Nudge', text: 'Plain {{name}}', html: '<p><em>Rich</em> {{name}}</p>' } });
    expect(separate.json()).toMatchObject({ version: 2, format: 'separate', source: { subject: 'Nudge', text: 'Plain {{name}}', html: '<p><em>Rich</em> {{name}}</p>' } });

    const broken = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'x', body: 'Hi {{> partial}}' } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ template: { part: 'body', line: 1, column: 4 } });
    const brokenText = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'x', text: 'Hi {{> partial}}', html: '' } });
    expect(brokenText.json()).toMatchObject({ template: { part: 'text', line: 1, column: 4 } });
    const both = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'x', body: 'a', text: 'b', html: 'c' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toContain('give either body');
    const half = await app.inject({ method: 'PUT', url: '/api/templates/reminder', headers: auth, payload: { subject: 'x', text: 'b' } });
    expect(half.json().message).toContain('html: must be text');
    expect((await templates().current('reminder')).version).toBe(2);
  });

  it('the API does what the page does: preview a draft for a person, send a test, restore a version', async () => {
    const api = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: auth, payload });
    for (const url of ['/api/templates/script/preview', '/api/templates/script/test', '/api/templates/script/restore']) {
      expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode, url).toBe(401);
    }
    const id = await addPerson(web.store, { name: "Grace O'Hopper", firstName: 'Grace' });
    await templates().save('script', { subject: 'First', body: 'The first version' }, 'first');
    const draft = { subject: 'Hi {{firstName}}', text: 'Hello {{name}}', html: '<p>Hello {{name}}</p>' };

    const preview = await api('/api/templates/script/preview', { ...draft, person: id });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({ subject: 'Hi Grace', text: "Hello Grace O'Hopper", html: '<p>Hello Grace O&#x27;Hopper</p>' });
    expect((await api('/api/templates/script/preview', draft)).json()).toMatchObject({ subject: 'Hi Sam' });
    const broken = await api('/api/templates/script/preview', { ...draft, html: '{{#each name}}x{{/each}}' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ statusCode: 400, template: { part: 'html', line: 1, column: 1 } });
    expect((await api('/api/templates/script/preview', { ...draft, person: 'nobody' })).statusCode).toBe(404);
    expect((await api('/api/templates/script/preview', { subject: 'x' })).json().message).toContain('body: must be text');
    // One body: the HTML part is made from it, with the values escaped.
    const oneBody = await api('/api/templates/script/preview', { subject: 'Hi {{firstName}}', body: 'Hello {{name}}\n\nSee https://example.com', person: id });
    expect(oneBody.json()).toEqual({
      subject: 'Hi Grace',
      text: "Hello Grace O'Hopper\n\nSee https://example.com",
      html: '<p>Hello Grace O&#x27;Hopper</p>\n<p>See <a href="https://example.com">https://example.com</a></p>\n',
    });

    const sent = await api('/api/templates/script/test', { ...draft, person: id });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ to: 'me@example.test', subject: '[Test] Hi Grace', response: '250 2.0.0 Ok: queued' });
    expect(tests.at(-1)!.person.name).toBe("Grace O'Hopper");
    const oneBodyTest = await api('/api/templates/script/test', { subject: 'One {{firstName}}', body: '{{greeting}}\n\n- why?', person: id });
    expect(oneBodyTest.json()).toMatchObject({ subject: '[Test] One Grace' });
    expect(tests.at(-1)!.compiled.render(personVariables(tests.at(-1)!.person, 'Morgan')).html).toBe('<p>Hi Grace,</p>\n<ul>\n<li>why?</li>\n</ul>\n');
    refuseTests = true;
    const refused = await api('/api/templates/script/test', draft);
    refuseTests = false;
    expect(refused.statusCode).toBe(502);
    expect(refused.json().message).toBe('The test was not sent: 550 5.7.1 relaying denied');

    const before = (await templates().current('script')).version!;
    const restored = await api('/api/templates/script/restore', { version: 1 });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ version: before + 1, kind: 'script', note: 'restored version 1' });
    expect((await templates().current('script')).version).toBe(before + 1);
    expect((await api('/api/templates/script/restore', { version: 99 })).statusCode).toBe(404);
    expect((await api('/api/templates/script/restore', { version: 'one' })).statusCode).toBe(400);
  });
  it('writes the HTML part apart on request, says when the two parts differ, and goes back to one body', async () => {
    const before = (await templates().current('script')).version;
    const message = 'Hello {{firstName}}\n\n- one\n- two';
    // "Edit the HTML part separately": the parts start as what the message sends, nothing saved.
    const split = await post('/templates/script', { _csrf: csrf, intent: 'separate', ...source({ body: message }) });
    expect(split.statusCode).toBe(200);
    expect(attribute(one(parseHtml(split.body), 'input[type="hidden"][name="format"]'), 'value')).toBe('separate');
    expect(textOf(split.body, 'text')).toBe(message);
    expect(textOf(split.body, 'html')).toBe('<p>Hello {{firstName}}</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
    expect(has(parseHtml(split.body), '#body')).toBe(false);
    expect(text(parseHtml(split.body))).toContain('You now edit the text and HTML parts separately');
    expect(textOf(split.body, 'parts-notice')).toContain('The text and HTML parts are edited separately.');
    expect(text(parseHtml(split.body))).toContain('They match for now, but a change to one no longer changes the other.');
    expect((await templates().current('script')).version).toBe(before);

    // The HTML part changed on its own: the notice says the parts differ, also once it is saved.
    const fields = apart({ subject: 'Apart', text: 'Hello {{firstName}}, in text', html: '<p>Hello <b>{{firstName}}</b>, in HTML</p>' });
    const differs = await post('/templates/script', { _csrf: csrf, intent: 'preview', ...fields });
    expect(textOf(differs.body, 'parts-notice')).toContain('The two parts differ: a change to the text part does not reach the HTML part, which is what most mail programs show.');
    const saved = await post('/templates/script', { _csrf: csrf, intent: 'save', ...fields });
    expect(saved.statusCode).toBe(303);
    const page = await get('/templates/script');
    expect(attribute(one(parseHtml(page.body), 'input[type="hidden"][name="format"]'), 'value')).toBe('separate');
    expect(textOf(page.body, 'parts-notice')).toContain('The two parts differ');
    expect((await templates().current('script')).compiled.source).toEqual({ subject: 'Apart', text: 'Hello {{firstName}}, in text', html: '<p>Hello <b>{{firstName}}</b>, in HTML</p>' });

    // "Use one message again": the text part becomes the message, and the HTML part is made from it again.
    const back = await post('/templates/script', { _csrf: csrf, intent: 'one-body', person: 'sample', ...fields });
    expect(back.statusCode).toBe(200);
    const backDoc = parseHtml(back.body);
    expect(attribute(one(backDoc, 'input[type="hidden"][name="format"]'), 'value')).toBe('one-body');
    expect(textOf(back.body, 'body')).toBe('Hello {{firstName}}, in text');
    expect(text(backDoc)).toContain('One message again: the HTML part is made from the message');
    expect(has(backDoc, '#parts-notice')).toBe(false);
    const frame = parseHtml((await get(frameSrc(back.body))).body);
    expect(all(frame, 'p').map(text)).toContain('Hello Sam, in text');
    expect(has(frame, 'b')).toBe(false);
    // Nothing changes until it is saved; then the version in use is one body again.
    expect((await templates().current('script')).compiled.source).toHaveProperty('html');
    await post('/templates/script', { _csrf: csrf, intent: 'save', ...source({ subject: 'Apart', body: 'Hello {{firstName}}, in text' }) });
    expect((await templates().current('script')).compiled.source).toEqual({ subject: 'Apart', body: 'Hello {{firstName}}, in text' });
  });
});
