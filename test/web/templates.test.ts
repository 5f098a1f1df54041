import type { FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTemplateStore } from '../../src/script/store.ts';
import { loadDefaultTemplates, type CompiledScript } from '../../src/script/template.ts';
import { personVariables, type ScriptPerson } from '../../src/script/render.ts';
import { TestSendError, type TestSendResult } from '../../src/script/test-send.ts';
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

/** The text of an element by id, with entities decoded as a browser shows them. */
function textOf(body: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(body);
  if (!match) throw new Error(`no element #${id}`);
  return match[1]!.replace(/^\n/, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('templates page', () => {
  const web = useWebTest();
  let app: FastifyInstance;
  let session = '';
  let csrf = '';
  let defaults: Awaited<ReturnType<typeof loadDefaultTemplates>>;
  const tests: Array<{ compiled: CompiledScript; person: ScriptPerson }> = [];
  let refuseTests = false;

  beforeEach(async () => {
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

  it('/templates opens the script', async () => {
    const response = await get('/templates');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/templates/script');
  });

  it('shows the script in labelled fields, the default in use, a sandboxed preview, versions and variables', async () => {
    const response = await get('/templates/script');
    expect(response.statusCode).toBe(200);
    const body = response.body;
    for (const [id, label] of [['subject', 'Subject'], ['body', 'Message'], ['note', 'Note for this version']]) {
      expect(body).toContain(`<label for="${id}">${label}`);
    }
    // One body by default: the message, no text or HTML part to keep in step, and the way to write HTML apart.
    expect(textOf(body, 'body')).toBe((defaults.script.source as { body: string }).body);
    expect(body).not.toContain('id="text"');
    expect(body).not.toContain('id="html"');
    expect(body).toContain('<input type="hidden" name="format" value="one-body">');
    expect(body).toContain('<button type="submit" name="intent" value="separate" class="link">Edit the HTML part separately</button>');
    // The buttons that insert variables wait, hidden, for the page's script; each inserts a variable or the greeting snippet.
    expect(body).toMatch(/<div class="insert-bar" id="insert-bar" role="group" aria-label="Insert at the cursor" hidden>/);
    for (const name of ['greeting', 'firstName', 'name', 'platform', 'userName', 'originalSubject']) expect(body).toContain(`data-insert="{{${name}}}"`);
    expect(body).toContain('data-insert="{{#if firstName}}Dear {{firstName}},{{else}}Hello,{{/if}}"');
    expect(body).toContain('In use: <strong>the default</strong> from <code>templates/script/</code>');
    expect(body).toContain('No saved versions yet.');
    for (const name of ['name', 'firstName', 'platform', 'userName', 'originalSubject', 'greeting']) expect(body).toContain(`<dt><code>{{${name}}}</code></dt>`);
    // The preview: the sample person, the text as text, the HTML part only in a sandboxed frame.
    expect(textOf(body, 'preview-subject')).toBe('Re: Invitation to connect on LinkedIn');
    expect(textOf(body, 'preview-text')).toContain('Hi Sam,');
    expect(body).toMatch(/<iframe class="mail-html" src="\/templates\/script\/preview-frame\?v=[a-z0-9]+" sandbox="" referrerpolicy="no-referrer"/);
    expect(body).not.toContain('<p>Hi Sam,</p>');
    expect(body).toContain('<a href="/templates" aria-current="page">Templates</a>');
    // The live preview is a script file of this origin; nothing inline.
    expect(body).toMatch(/<script src="\/assets\/templates\.js\?v=[\w-]+" defer><\/script>/);
    expect(body).not.toMatch(/<script>|<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=/i);
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
    const src = /<iframe class="mail-html" src="([^"]+)"/.exec(page.body)![1]!;
    const frame = await get(src);
    expect(frame.statusCode).toBe(200);
    expect(frame.body).toContain('<p>Hi Sam,</p>');
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
    expect(frame.body).toContain('<p style="color:#333">Dear Sam Sample</p>');
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
    expect(response.body).toMatch(/<input id="note"[^>]*value="kept"/);
    expect((await templates().current('script')).version).toBeNull();
  });

  it('saves a version with its note; the page says so and lists it; the store has it in force', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', person: 'sample', note: 'shorter subject', ...source({ subject: 'Hello from {{userName}}', body: 'Line one\r\nLine two\r\n' }) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/templates/script?saved=1');
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    // Browsers send CRLF; the template keeps plain line feeds.
    expect(current.compiled.source).toEqual({ subject: 'Hello from {{userName}}', body: 'Line one\nLine two\n' });

    const page = await get(response.headers.location!);
    expect(page.body).toContain('<p class="notice" role="status">Script saved as version 1.');
    expect(page.body).toMatch(/In use: <strong>version 1<\/strong>, saved <time[^>]*>[^<]+<\/time> \(“shorter subject”\)/);
    expect(page.body).toMatch(/<th scope="row">1 <span class="status status-accepted">in use<\/span><\/th>/);
    expect(textOf(page.body, 'subject')).toBe('Hello from {{userName}}');
  });

  it('refuses a broken template beside the field, keeps the draft, and the version in force stays', async () => {
    const broken = '<p>Hi {{firstName}}</p>\n<p>{{#each name}}x{{/each}}</p>';
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'broken', ...apart({ html: broken }) });
    expect(response.statusCode).toBe(400);
    const body = response.body;
    expect(body).toContain('The script was not saved: the html part has a problem.</strong> Version 1 stays in use.');
    expect(body).toMatch(/<textarea id="html"[^>]*aria-describedby="html-hint html-error" aria-invalid="true">/);
    expect(body).toContain('<p class="field-error" id="html-error" data-part="html" data-line="2" data-column="4">Line 2, column 4: the block {{#each}} is not allowed: only {{#if}} and {{#unless}} are</p>');
    expect(textOf(body, 'html')).toBe(broken);
    const current = await templates().current('script');
    expect(current.version).toBe(1);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    expect(await templates().versions('script')).toHaveLength(1);
  });

  it('shows a version, and restores an old one as a new version', async () => {
    await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'second', ...apart({ subject: 'Second <subject> & co' }) });
    const view = await get('/templates/script/versions/2');
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('Second &lt;subject&gt; &amp; co');
    expect(view.body).toContain('This version is in use.');
    expect(view.body).toContain('The text and HTML parts written separately.');
    expect(view.body).toContain('<h2>HTML part</h2>');
    const first = await get('/templates/script/versions/1');
    expect(first.body).toContain('One message: the HTML part is made from it.');
    expect(first.body).toContain('<h2>Message</h2><pre class="source">\nLine one\nLine two\n</pre>');
    expect((await get('/templates/script/versions/99')).statusCode).toBe(404);

    const restore = await post('/templates/script/restore', { _csrf: csrf, version: '1' });
    expect(restore.statusCode).toBe(303);
    expect(restore.headers.location).toBe('/templates/script?restored=3');
    const current = await templates().current('script');
    expect(current.version).toBe(3);
    expect(current.compiled.source.subject).toBe('Hello from {{userName}}');
    const page = await get('/templates/script?restored=3');
    expect(page.body).toContain('Restored: the script in use is now version 3.');
    expect(page.body).toContain('restored version 1');
    // Version 1 was one body, so the restored version is one body again; the list says which is which.
    expect(current.compiled.source).toEqual({ subject: 'Hello from {{userName}}', body: 'Line one\nLine two\n' });
    expect(page.body).toContain('<input type="hidden" name="format" value="one-body">');
    expect(page.body).toMatch(/restored version 1 <span class="format">one message<\/span>/);
    expect(page.body).toMatch(/second <span class="format">text and HTML apart<\/span>/);
    expect((await post('/templates/script/restore', { _csrf: csrf, version: '42' })).statusCode).toBe(404);
  });

  it('previews against a real person with a hostile name: escaped in the page and in the frame', async () => {
    const id = await addPerson(web.store, { name: '<script>alert(1)</script> Mallory', firstName: '<img src=x onerror=alert(2)>', subject: '"><svg onload=alert(3)>' });
    const page = await get(`/templates/script?person=${id}`);
    expect(page.body).toMatch(new RegExp(`<option value="${id}" selected>&lt;script&gt;alert\\(1\\)&lt;/script&gt; Mallory`));
    expect(page.body).not.toMatch(/<img src=x|<svg|<script>alert/);
    // The default message, previewed for them: the HTML made from it escapes every value.
    const preview = await post('/templates/script', { _csrf: csrf, intent: 'preview', person: id, ...source() });
    expect(preview.body).not.toMatch(/<img src=x|<svg|<script>alert/);
    const src = /<iframe class="mail-html" src="([^"]+)"/.exec(preview.body)![1]!;
    const frame = await get(src);
    // Not a name: the script greets them neutrally and carries none of it.
    expect(frame.body).toContain('Hi there,');
    expect(frame.body).not.toMatch(/<img|onerror/);
  });

  it('refuses a variable in an unquoted attribute when saving, with its line and column', async () => {
    const unquoted = '<p>Hi {{firstName}}</p>\n<p><a title={{name}}>profile</a></p>';
    const before = await templates().versions('script');
    const response = await post('/templates/script', { _csrf: csrf, intent: 'save', note: 'unquoted', ...apart({ html: unquoted }) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('The script was not saved: the html part has a problem.');
    expect(response.body).toMatch(/<p class="field-error" id="html-error" data-part="html" data-line="2" data-column="13">Line 2, column 13: \{\{name\}\} is in an attribute value without quotes/);
    expect(textOf(response.body, 'html')).toBe(unquoted);
    expect(await templates().versions('script')).toEqual(before);
  });

  it('sends a test of the draft to the user, for the chosen person, and says what the server answered', async () => {
    const response = await post('/templates/script', { _csrf: csrf, intent: 'test', person: 'sample', ...source({ subject: 'Test me, {{firstName}}' }) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('A test went to me@example.test with the subject “[Test] Test me, Sam” (the mail server said: 250 2.0.0 Ok: queued). Nothing was saved.');
    expect(tests.at(-1)!.person.name).toBe('Sam Sample');
    expect(textOf(response.body, 'subject')).toBe('Test me, {{firstName}}');
    expect((await templates().current('script')).version).toBe(3);

    refuseTests = true;
    const refused = await post('/templates/script', { _csrf: csrf, intent: 'test', ...source() });
    refuseTests = false;
    expect(refused.statusCode).toBe(502);
    expect(refused.body).toContain('The test was not sent: 550 5.7.1 relaying denied');
  });

  it('keeps the reminder apart, and says whether reminders are on', async () => {
    const page = await get('/templates/reminder');
    expect(page.body).toContain('<a href="/templates/reminder" aria-current="page">Reminder</a>');
    expect(page.body).toContain('Reminders are off');
    expect(textOf(page.body, 'body')).toBe((defaults.reminder.source as { body: string }).body);
    expect((await get('/templates/nonsense')).statusCode).toBe(400);
  });

  it('refuses posts without the session CSRF token', async () => {
    expect((await post('/templates/script', { intent: 'save', ...source() })).statusCode).toBe(403);
    expect((await post('/templates/script/preview', { _csrf: 'forged', ...source() }, { accept: 'application/json' })).statusCode).toBe(403);
    expect((await post('/templates/script/restore', { version: '1' })).statusCode).toBe(403);
    expect((await templates().current('script')).version).toBe(3);
  });

  it('GET /api/templates and PUT /api/templates/:kind with the bearer token', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/templates' })).statusCode).toBe(401);
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
    expect(split.body).toContain('<input type="hidden" name="format" value="separate">');
    expect(textOf(split.body, 'text')).toBe(message);
    expect(textOf(split.body, 'html')).toBe('<p>Hello {{firstName}}</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
    expect(split.body).not.toContain('id="body"');
    expect(split.body).toContain('You now edit the text and HTML parts separately');
    expect(textOf(split.body, 'parts-notice')).toContain('The text and HTML parts are edited separately.');
    expect(split.body).toContain('They match for now, but a change to one no longer changes the other.');
    expect((await templates().current('script')).version).toBe(before);

    // The HTML part changed on its own: the notice says the parts differ, also once it is saved.
    const fields = apart({ subject: 'Apart', text: 'Hello {{firstName}}, in text', html: '<p>Hello <b>{{firstName}}</b>, in HTML</p>' });
    const differs = await post('/templates/script', { _csrf: csrf, intent: 'preview', ...fields });
    expect(differs.body).toContain('The two parts differ: a change to the text part does not reach the HTML part, which is what most mail programs show.');
    const saved = await post('/templates/script', { _csrf: csrf, intent: 'save', ...fields });
    expect(saved.statusCode).toBe(303);
    const page = await get('/templates/script');
    expect(page.body).toContain('<input type="hidden" name="format" value="separate">');
    expect(page.body).toContain('The two parts differ');
    expect((await templates().current('script')).compiled.source).toEqual({ subject: 'Apart', text: 'Hello {{firstName}}, in text', html: '<p>Hello <b>{{firstName}}</b>, in HTML</p>' });

    // "Use one message again": the text part becomes the message, and the HTML part is made from it again.
    const back = await post('/templates/script', { _csrf: csrf, intent: 'one-body', person: 'sample', ...fields });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('<input type="hidden" name="format" value="one-body">');
    expect(textOf(back.body, 'body')).toBe('Hello {{firstName}}, in text');
    expect(back.body).toContain('One message again: the HTML part is made from the message');
    expect(back.body).not.toContain('id="parts-notice"');
    const frame = await get(/<iframe class="mail-html" src="([^"]+)"/.exec(back.body)![1]!);
    expect(frame.body).toContain('<p>Hello Sam, in text</p>');
    expect(frame.body).not.toContain('<b>');
    // Nothing changes until it is saved; then the version in use is one body again.
    expect((await templates().current('script')).compiled.source).toHaveProperty('html');
    await post('/templates/script', { _csrf: csrf, intent: 'save', ...source({ subject: 'Apart', body: 'Hello {{firstName}}, in text' }) });
    expect((await templates().current('script')).compiled.source).toEqual({ subject: 'Apart', body: 'Hello {{firstName}}, in text' });
  });
});
