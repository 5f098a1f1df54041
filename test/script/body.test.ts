import { describe, expect, it } from 'vitest';
import { htmlFromBody } from '../../src/script/body.ts';
import { compileScript, TemplateError, type ScriptVariables } from '../../src/script/template.ts';

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

/** The one-body script `body`, rendered for `vars`. */
function render(body: string, vars: ScriptVariables = ada) {
  return compileScript({ subject: 'Hello', body }).render(vars);
}

interface Element {
  name: string;
  href: string | null;
}

/**
 * The elements of an HTML fragment in document order, with each link's target (entities decoded).
 * Throws when a tag closes what it did not open or stays open: what a mail program would repair in
 * its own way. The fragments here are the derivation's output, which writes only plain tags.
 */
function elementsOf(html: string): Element[] {
  const elements: Element[] = [];
  const open: string[] = [];
  for (const [, slash, name, attributes] of html.matchAll(/<(\/?)([a-z][a-z0-9]*)([^>]*)>/gi)) {
    const tag = name!.toLowerCase();
    if (slash) {
      if (open.pop() !== tag) throw new Error(`</${tag}> closes what it did not open in ${html}`);
      continue;
    }
    const href = /\shref="([^"]*)"/.exec(attributes!)?.[1]?.replace(/&quot;/g, '"').replace(/&amp;/g, '&') ?? null;
    elements.push({ name: tag, href });
    if (tag !== 'br') open.push(tag);
  }
  if (open.length > 0) throw new Error(`<${open.join('>, <')}> left open in ${html}`);
  return elements;
}

/** Whether the fragment's tags are balanced. */
function wellFormed(html: string): boolean {
  elementsOf(html);
  return true;
}

describe('the HTML part made from one body', () => {
  it('makes paragraphs from blank lines and keeps single line breaks', () => {
    const mail = render('{{greeting}}\n\nThanks for asking.\nReally.\n\n\n\nBest regards,\n{{userName}}\n');
    expect(mail.html).toBe('<p>Hi Ada,</p>\n<p>Thanks for asking.<br>\nReally.</p>\n<p>Best regards,<br>\nGrace Hopper</p>\n');
    // The text part is the body as written.
    expect(mail.text).toBe('Hi Ada,\n\nThanks for asking.\nReally.\n\n\n\nBest regards,\nGrace Hopper\n');
  });

  it('makes lists from "- " and "1. " lines, with indented lines continuing an item', () => {
    const html = render('Two questions:\n- why connect?\n- what business\n  are you in?\n\n1. first\n2) second\n\n3. third').html;
    expect(html).toBe(
      '<p>Two questions:</p>\n<ul>\n<li>why connect?</li>\n<li>what business<br>\nare you in?</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n<ol start="3">\n<li>third</li>\n</ol>\n',
    );
    expect(wellFormed(html)).toBe(true);
  });

  it('ends a list at a line that is not an item, and starts a paragraph with it', () => {
    expect(render('- one\n- two\nThat is all.').html).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>That is all.</p>\n');
  });

  it('makes bare web addresses links, leaving the sentence punctuation outside', () => {
    const html = render('See https://example.com/about?a=1&b=2. Or www.example.org/x_(y), or (http://example.net/a).').html;
    expect(html).toBe(
      '<p>See <a href="https://example.com/about?a=1&amp;b=2">https://example.com/about?a=1&amp;b=2</a>. Or <a href="https://www.example.org/x_(y)">www.example.org/x_(y)</a>, or (<a href="http://example.net/a">http://example.net/a</a>).</p>\n',
    );
  });

  it('escapes the words of the body: it is text, not HTML', () => {
    const html = render('Use <b>bold</b> & "quotes" <script>alert(1)</script>').html;
    expect(html).toBe('<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  });

  it('escapes hostile values, and never makes a link, a list or markup from them', () => {
    const hostile: ScriptVariables = {
      ...ada,
      name: '- <script>alert(1)</script>',
      firstName: 'https://evil.example/?x="><img src=x onerror=alert(2)>',
      greeting: '1. <a href="https://evil.example">click</a>',
      platform: 'www.evil.example',
      userName: '<iframe src="javascript:alert(3)">',
    };
    const body = '{{greeting}}\n\n{{name}}\n{{{firstName}}} via {{platform}}\n\n- {{&userName}}\n\nhttps://example.com/{{firstName}}';
    const mail = render(body, hostile);
    const elements = elementsOf(mail.html);
    // Only the structure the body itself asks for: paragraphs, one list item, the one link it wrote.
    expect(elements.map((element) => element.name)).toEqual(['p', 'p', 'br', 'ul', 'li', 'p', 'a']);
    expect(elements.flatMap((element) => (element.href === null ? [] : [element.href]))).toEqual(['https://example.com/']);
    expect(mail.html).not.toMatch(/<script|<img|<iframe|onerror=|href="https:\/\/evil|href="javascript/i);
    expect(mail.html).toContain('<p>1. &lt;a href&#x3D;&quot;https://evil.example&quot;&gt;click&lt;/a&gt;</p>');
    expect(mail.html).toContain('<li>&lt;iframe src&#x3D;&quot;javascript:alert(3)&quot;&gt;</li>');
    expect(mail.html).toContain('<a href="https://example.com/">https://example.com/</a>https://evil.example/?x&#x3D;&quot;&gt;&lt;img');
    // The text part is plain text; nothing in it is interpreted.
    expect(mail.text.startsWith('1. <a href="https://evil.example">click</a>\n\n- <script>alert(1)</script>\n')).toBe(true);
  });

  it('wraps whole paragraphs in a condition, so the HTML is well formed whichever branch is taken', () => {
    const body = '{{#if firstName}}\nDear {{firstName}},\n{{else}}\nHello,\n{{/if}}\n\nThanks.\n\nBest regards,\n{{#if userName}}\n{{userName}}\n{{/if}}\n';
    const script = compileScript({ subject: 'Hi', body });
    const known = script.render(ada);
    const unknown = script.render({ ...ada, firstName: '', userName: '' });
    expect(known.html).toBe('<p>Dear Ada,</p>\n<p>Thanks.</p>\n<p>Best regards,<br>\nGrace Hopper</p>\n');
    expect(unknown.html).toBe('<p>Hello,</p>\n<p>Thanks.</p>\n<p>Best regards,</p>\n');
    for (const html of [known.html, unknown.html]) expect(wellFormed(html)).toBe(true);
    expect(unknown.text).toBe('Hello,\n\nThanks.\n\nBest regards,\n');
  });

  it('keeps a condition inside a line, and one spanning paragraphs, well formed', () => {
    const script = compileScript({ subject: 'Hi', body: 'Thanks{{#if platform}} via {{platform}}{{/if}}.\n{{#if name}}\nMore.\n\nEven more.\n{{/if}}\nEnd.' });
    const shown = script.render(ada).html;
    const hidden = script.render({ ...ada, platform: '', name: '' }).html;
    expect(shown).toBe('<p>Thanks via LinkedIn.<br>\nMore.</p>\n<p>Even more.<br>\nEnd.</p>\n');
    expect(hidden).toBe('<p>Thanks.<br>\nEnd.</p>\n');
    for (const html of [shown, hidden]) expect(wellFormed(html)).toBe(true);
  });

  it('gives the template it makes, which passes the HTML part rules (and is where editing apart starts)', () => {
    const template = htmlFromBody('{{greeting}}\n\nVisit https://example.com\n\nBye {{{name}}} {{& firstName}}\n{{! a note }}');
    expect(template).toBe('<p>{{greeting}}</p>\n<p>Visit <a href="https://example.com">https://example.com</a></p>\n<p>Bye {{name}} {{firstName}}{{! a note }}</p>\n');
    expect(() => compileScript({ subject: 'x', text: 'x', html: template })).not.toThrow();
    expect(compileScript({ subject: 'x', body: '{{greeting}}' }).parts).toEqual({ subject: 'x', text: '{{greeting}}', html: '<p>{{greeting}}</p>\n' });
  });

  it('reports a problem in the body by its line and column, as the body part', () => {
    const error = (() => {
      try {
        compileScript({ subject: 'x', body: 'Hi {{firstName}},\n\n{{#each name}}x{{/each}}' });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ part: 'body', line: 3, column: 1 });
  });

  it('keeps whitespace control and escaped mustaches as Handlebars reads them', () => {
    const mail = render('Hi \\{{firstName}} and {{~firstName~}} !');
    expect(mail.text).toBe('Hi {{firstName}} andAda!');
    expect(mail.html).toBe('<p>Hi {{firstName}} andAda!</p>\n');
  });
});
