import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compileScript,
  compileTemplate,
  loadDefaultScript,
  loadDefaultTemplate,
  MAX_TEMPLATE_BYTES,
  SCRIPT_VARIABLES,
  TemplateError,
  type ScriptVariables,
  type TemplateVocabulary,
  type TemplatePart,
  type TemplateSource,
} from '../../src/script/template.ts';

const ada: ScriptVariables = {
  name: 'Ada Lovelace',
  firstName: 'Ada',
  platform: 'LinkedIn',
  userName: 'Grace Hopper',
  originalSubject: 'I want to connect',
  greeting: 'Hi Ada,',
  onPlatform: '',
  replyWhere: 'to this email',
};

const plain: TemplateSource = { subject: 'Hello', text: 'Hi {{firstName}}', html: '<p>Hi {{firstName}}</p>' };

/** Compiles `template` as one part (the others plain) and returns the TemplateError it throws. */
function refusal(template: string, part: TemplatePart = 'text'): TemplateError {
  try {
    compileScript({ ...plain, [part]: template });
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error(`expected ${JSON.stringify(template)} to be refused in the ${part} part`);
}

describe('the default script', () => {
  it('compiles and renders the three parts with the requester and the user', async () => {
    const script = await loadDefaultScript();
    const mail = script.render(ada);

    expect(mail.subject).toBe('Re: I want to connect');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Hi Ada,');
      expect(body).toContain('LinkedIn');
      expect(body).toMatch(/thank you for wanting to connect/i);
      expect(body).toContain('Why would you like to connect?');
      expect(body).toContain('What type of business are you in');
      expect(body).toContain('benefit both of us');
      expect(body).toContain('Grace Hopper');
    }
    expect(mail.html).toMatch(/^<p>/);
    expect(mail.html).not.toMatch(/<img|<script|src=|href=|style=|https?:/i);
    expect(mail.text).not.toMatch(/<\w+/);
  });

  it('is one body whose text part reads without knowing Handlebars: no {{#if}}, only plain variables', async () => {
    for (const kind of ['script', 'reminder'] as const) {
      const script = await loadDefaultTemplate(kind);
      expect(script.source).toHaveProperty('body');
      const body = (script.source as { body: string }).body;
      expect(body).not.toMatch(/\{\{[#/^!&{]|\{\{else/);
      expect(body.startsWith('{{greeting}}\n\n')).toBe(true);
      const mail = script.render(ada);
      expect(mail.text).toBe(body.replace(/\{\{(\w+)\}\}/g, (_, name: keyof ScriptVariables) => ada[name]));
      expect(mail.html).toContain('<p>Hi Ada,</p>');
    }
  });

  it('greets "Hi there," without a first name and has a subject without an original one', async () => {
    const script = await loadDefaultScript();
    const mail = script.render({ ...ada, firstName: '', greeting: 'Hi there,', originalSubject: '' });

    expect(mail.subject).toBe('Thanks for reaching out');
    expect(mail.text.startsWith('Hi there,\n')).toBe(true);
    expect(mail.html).toContain('<p>Hi there,</p>');
    expect(mail.text).not.toContain('Hi ,');
  });

  it('reports a broken template file by its path, line and column', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'winnow-script-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'subject.hbs'), 'Hello\n');
    await writeFile(path.join(dir, 'body.hbs'), 'Hi {{firstName}},\n\nRegards,\n{{user}}\n');

    const error = await loadDefaultScript(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ part: 'body', line: 4, column: 3 });
    expect((error as Error).message).toBe(
      `${path.join(dir, 'body.hbs')}:4:3: unknown variable "user"; the variables are: ${SCRIPT_VARIABLES.join(', ')}`,
    );
  });

  it('reads a default written as text and HTML parts apart, when there is no body.hbs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'winnow-script-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'subject.hbs'), 'Hello\n');
    await writeFile(path.join(dir, 'text.hbs'), 'Hi {{firstName}}, in text\n');
    await writeFile(path.join(dir, 'html.hbs'), '<p>Hi {{firstName}}, in <b>HTML</b></p>\n');

    const script = await loadDefaultScript(dir);
    expect(script.source).toEqual({ subject: 'Hello\n', text: 'Hi {{firstName}}, in text\n', html: '<p>Hi {{firstName}}, in <b>HTML</b></p>\n' });
    expect(script.render(ada)).toMatchObject({ text: 'Hi Ada, in text\n', html: '<p>Hi Ada, in <b>HTML</b></p>\n' });
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('what a template may use', () => {
  it('renders variables, if/else, unless, else-if chains and comments', () => {
    const script = compileScript({
      subject: '{{#unless originalSubject}}Hello{{/unless}}',
      text: '{{! a note }}{{#if firstName}}{{firstName}}{{else if name}}{{name}}{{else}}you{{/if}} ~ {{{userName}}}',
      html: '<p>{{~#if platform}} via {{platform}}{{/if~}}</p>',
    });
    expect(script.render(ada)).toEqual({ subject: '', text: 'Ada ~ Grace Hopper', html: '<p> via LinkedIn</p>' });
    expect(script.render({ ...ada, firstName: '', originalSubject: '' }).text).toBe('Ada Lovelace ~ Grace Hopper');
    expect(script.render({ ...ada, firstName: '', name: '', originalSubject: '' }).subject).toBe('Hello');
  });

  it('keeps the source it was compiled from', () => {
    expect(compileScript(plain).source).toEqual(plain);
  });
});

describe('what a template may not use', () => {
  it('refuses an unknown variable, pointing at its name', () => {
    const error = refusal('Hi {{firstName}},\n\nThanks, {{nmae}}!');
    expect(error).toMatchObject({ part: 'text', line: 3, column: 11 });
    expect(error.message).toBe(
      `text template, line 3, column 11: unknown variable "nmae"; the variables are: ${SCRIPT_VARIABLES.join(', ')}`,
    );
  });

  it('suggests the variable meant when only the case differs', () => {
    expect(refusal('Hi {{firstname}}').problem).toContain('did you mean "firstName"?');
  });

  it('refuses an unknown variable inside a condition', () => {
    expect(refusal('{{#if company}}x{{/if}}')).toMatchObject({ line: 1, column: 7 });
  });

  it.each([
    ['a partial', '{{> footer}}', /partials/],
    ['a partial block', '{{#> layout}}x{{/layout}}', /partials/],
    ['the lookup helper', '{{lookup name "length"}}', /takes no arguments|unknown variable "lookup"/],
    ['a lookup sub-expression', '{{#if (lookup name "x")}}y{{/if}}', /sub-expressions/],
    ['a parent path', '{{../name}}', /parent paths/],
    ['a prototype path through this', '{{this.constructor}}', /"this" is not allowed/],
    ['this', '{{this}}', /"this" is not allowed/],
    ['a dotted path', '{{name.length}}', /paths such as a\.b/],
    ['a slashed path', '{{name/length}}', /paths such as a\.b/],
    ['@root', '{{@root.name}}', /data variables/],
    ['constructor', '{{constructor}}', /unknown variable "constructor"/],
    ['__proto__', '{{__proto__}}', /unknown variable "__proto__"/],
    ['each', '{{#each name}}{{this}}{{/each}}', /\{\{#each\}\} is not allowed/],
    ['with', '{{#with name}}{{length}}{{/with}}', /\{\{#with\}\} is not allowed/],
    ['log', '{{log name}}', /takes no arguments|unknown variable "log"/],
    ['a section over a variable', '{{#name}}x{{/name}}', /\{\{#name\}\} is not allowed/],
    ['an inverted section', '{{^name}}x{{/name}}', /\{\{#name\}\} is not allowed/],
    ['an inline decorator', '{{#*inline "x"}}y{{/inline}}', /decorators/],
    ['a decorator', '{{*decorate}}', /decorators/],
    ['a raw block', '{{{{raw}}}}{{name}}{{{{/raw}}}}', /raw blocks/],
    ['a hash argument', '{{#if name includeZero=true}}x{{/if}}', /exactly one variable/],
    ['two conditions', '{{#if name firstName}}x{{/if}}', /exactly one variable/],
    ['a literal condition', '{{#if true}}x{{/if}}', /literal/],
    ['a literal output', '{{"name"}}', /literal/],
    ['block parameters', '{{#if name as |x|}}{{x}}{{/if}}', /block parameters/],
  ])('refuses %s', (_what, template, problem) => {
    const error = refusal(template);
    expect(error.problem).toMatch(problem);
    expect(error.line).toBe(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
  });

  it('refuses triple-stash and {{& }} in the HTML part but not in text and subject', () => {
    expect(refusal('<p>{{{name}}}</p>', 'html')).toMatchObject({ part: 'html', line: 1, column: 4 });
    expect(refusal('<p>{{& name}}</p>', 'html').problem).toMatch(/unescaped output/);
    expect(() => compileScript({ ...plain, text: '{{{name}}}', subject: '{{&name}}' })).not.toThrow();
  });

  it.each([
    ['an unquoted attribute value', '<p>\n<a title={{firstName}}>x</a>', 2, 10, /without quotes: put the value in quotes, as in title="\{\{firstName\}\}"/],
    ['the middle of an unquoted value', '<img alt=Hi-{{name}} src="x.png">', 1, 13, /without quotes/],
    ['a value after spaces around "="', '<a title = {{name}}>x</a>', 1, 12, /without quotes/],
    ['the place of an attribute', '<a {{name}}>x</a>', 1, 4, /inside a tag/],
    ['an event handler', '<a onclick="go(\'{{name}}\')">x</a>', 1, 17, /onclick attribute/],
    ['a style attribute', "<p style='color: {{name}}'>x</p>", 1, 18, /style attribute/],
    ['a script element', '<script>var n = "{{name}}";</script>', 1, 18, /inside <script>/],
  ])('refuses a variable in %s of the HTML part, with its line and column', (_what, template, line, column, problem) => {
    const error = refusal(template, 'html');
    expect(error).toMatchObject({ part: 'html', line, column });
    expect(error.problem).toMatch(problem);
    expect(error.message).toMatch(new RegExp(`^html template, line ${line}, column ${column}: `));
  });

  it('lets variables stand in text, quoted attribute values, comments and conditions', () => {
    const html = [
      '<!-- for {{name}} -->',
      '<p class="greeting" title="{{name}}" data-x=\'{{firstName}}\'>Hi {{firstName}},</p>',
      '<a href="https://example.org/" {{#if platform}}class="via"{{/if}}>{{platform}}</a>',
      '<style>p { color: red }</style><p>{{userName}}</p>',
    ].join('\n');
    const script = compileScript({ ...plain, html });
    expect(script.render(ada).html).toContain('title="Ada Lovelace" data-x=\'Ada\'>Hi Ada,</p>');
    // Unquoted variables in the subject and text parts are plain text, not HTML.
    expect(() => compileScript({ ...plain, text: 'title={{name}}', subject: '<a x={{name}}>' })).not.toThrow();
  });

  it('refuses blocks nested too deep', () => {
    const deep = '{{#if name}}'.repeat(9) + 'x' + '{{/if}}'.repeat(9);
    expect(refusal(deep).problem).toMatch(/nested more than 8 deep/);
    const chain = '{{#if name}}a' + '{{else if name}}b'.repeat(100) + '{{/if}}';
    expect(refusal(chain).problem).toMatch(/nested more than 8 deep/);
  });

  it('refuses a part larger than the size limit, pointing where it goes over', () => {
    const error = refusal('a'.repeat(MAX_TEMPLATE_BYTES - 1) + '\nbc', 'html');
    expect(error).toMatchObject({ part: 'html', line: 2, column: 1 });
    expect(error.problem).toMatch(/larger than 20 KB/);
    expect(() => compileScript({ ...plain, text: 'a'.repeat(MAX_TEMPLATE_BYTES) })).not.toThrow();
  });
});

describe('syntax errors', () => {
  it('report the part, line and column of an unclosed tag', () => {
    const error = refusal('<p>Hi</p>\n<p>{{firstName</p>', 'html');
    expect(error).toMatchObject({ part: 'html', line: 2, column: 6 });
    expect(error.message).toBe('html template, line 2, column 6: syntax error near "firstName</p>"');
  });

  it('report a block that is never closed', () => {
    const error = refusal('Hi\n{{#if firstName}}{{firstName}}', 'subject');
    expect(error).toMatchObject({ part: 'subject', line: 2 });
    expect(error.problem).toMatch(/\{\{\/if\}\} or \{\{\/unless\}\} missing/);
  });

  it('report a block closed by the wrong name', () => {
    const error = refusal('x\n  {{#if name}}y{{/unless}}');
    expect(error).toMatchObject({ part: 'text', line: 2, column: 6 });
    expect(error.problem).toBe("syntax error: if doesn't match unless");
  });
});

describe('rendering hostile values', () => {
  const script = compileScript({
    subject: 'Re: {{originalSubject}} from {{name}}',
    text: 'Hi {{name}},',
    html: '<p>Hi {{name}},</p>',
  });
  const hostile = { ...ada, name: '<script>alert(1)</script>' };

  it('escapes HTML in the HTML part and keeps text literal', () => {
    const mail = script.render(hostile);
    expect(mail.html).toBe('<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;,</p>');
    expect(mail.text).toBe('Hi <script>alert(1)</script>,');
    expect(mail.subject).toBe('Re: I want to connect from <script>alert(1)</script>');
  });

  it('keeps the subject on one line whatever the variables hold', () => {
    const mail = script.render({
      ...ada,
      name: 'Eve\r\nBcc: victim@example.com\r\n\r\nbody',
      originalSubject: 'Hi\nX-Injected: 1\u2028\u0085',
    });
    expect(mail.subject).not.toMatch(/[\r\n\u2028\u0085]/);
    expect(mail.subject).toBe('Re: Hi X-Injected: 1 from Eve Bcc: victim@example.com body');
  });

  it('keeps the subject on one line whatever the template holds, trimmed and capped', () => {
    const multiLine = compileScript({ ...plain, subject: '\n  {{#if name}}\n Hello\r\n {{name}}\n{{/if}}\n' });
    expect(multiLine.render(ada).subject).toBe('Hello Ada Lovelace');
    const long = compileScript({ ...plain, subject: 'x'.repeat(500) });
    expect(long.render(ada).subject).toHaveLength(200);
  });

  it('does not reach prototype properties or non-string values', () => {
    const sneaky = { ...ada, name: { toString: () => 'pwned' } } as unknown as ScriptVariables;
    expect(script.render(sneaky).text).toBe('Hi ,');
  });
});

describe('a vocabulary with lists (Winnow\'s own mail to the user, such as the digest)', () => {
  const vocabulary: TemplateVocabulary = { variables: ['title'], lists: { people: { variables: ['name', 'url'], lists: { lines: { variables: ['line'] } } } } };
  const separate = (text: string, html = '<p>{{title}}</p>') => ({ subject: '{{title}}', text, html });

  it('goes over a list with {{#each}}, each entry with its own names, escaped in the HTML part', () => {
    const template = compileTemplate(separate('{{title}}:{{#each people}} {{name}}{{#each lines}} [{{line}}]{{/each}}{{else}} nobody{{/each}}', '{{#each people}}<a href="{{url}}">{{name}}</a>{{/each}}'), vocabulary);
    const people = [
      { name: 'Ada', url: 'https://w.example/a', lines: [{ line: 'one' }, { line: 'two' }] },
      { name: '<b>Bo</b>', url: 'https://w.example/b?x=1', lines: [] },
    ];
    const mail = template.render({ title: 'People', people });
    expect(mail.text).toBe('People: Ada [one] [two] <b>Bo</b>');
    expect(mail.html).toBe('<a href="https://w.example/a">Ada</a><a href="https://w.example/b?x&#x3D;1">&lt;b&gt;Bo&lt;/b&gt;</a>');
    expect(template.render({ title: 'People', people: [] }).text).toBe('People: nobody');
  });

  it('inside a list only the entry\'s names; a list is never printed, and each goes only over a list', () => {
    expect(() => compileTemplate(separate('{{#each people}}{{title}}{{/each}}'), vocabulary)).toThrow(/unknown variable "title"; the variables are: name, url, lines/);
    expect(() => compileTemplate(separate('{{people}}'), vocabulary)).toThrow(/\{\{people\}\} is a list: use \{\{#each people\}\}/);
    expect(() => compileTemplate(separate('{{#each title}}x{{/each}}'), vocabulary)).toThrow(/\{\{#each\}\} goes over a list; "title" is not one/);
    expect(() => compileTemplate(separate('{{#each people}}{{#with name}}x{{/with}}{{/each}}'), vocabulary)).toThrow(/the block \{\{#with\}\} is not allowed: only \{\{#if\}\}, \{\{#unless\}\} and \{\{#each\}\} are/);
  });

  it('a script\'s vocabulary has no lists: {{#each}} stays refused there', () => {
    expect(() => compileScript({ subject: 's', body: '{{#each name}}x{{/each}}' })).toThrow(/only \{\{#if\}\} and \{\{#unless\}\} are/);
  });
});
