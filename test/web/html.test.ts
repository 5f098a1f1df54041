import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/text/html.ts';
import { html, raw } from '../../src/web/html.ts';
import { safeHttpUrl, sameSecret } from '../../src/web/security.ts';
import { excerpt, profileLink } from '../../src/web/views/format.ts';

describe('html template tag', () => {
  it('escapes every interpolation by default', () => {
    const name = '<script>alert("x")</script> & \'friends\'';
    expect(html`<p>${name}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</p>');
  });

  it('keeps an attribute value inside its quotes', () => {
    const value = '" onmouseover="alert(1)';
    expect(html`<input value="${value}">`.value).toBe('<input value="&quot; onmouseover=&quot;alert(1)">');
  });

  it('inserts nested templates and raw() fragments as they are', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${raw('<br>')}</p>`.value).toBe('<p><b>&lt;i&gt;</b><br></p>');
  });

  it('joins arrays, escaping their items', () => {
    expect(html`<ul>${['<a>', html`<li>ok</li>`, ['&']]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li>&amp;</ul>');
  });

  it('renders null, undefined and false as nothing, numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${42}]`.value).toBe('[042]');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('Ada Lovelace')).toBe('Ada Lovelace');
  });
});

describe('link safety', () => {
  it('links only absolute http and https URLs', () => {
    expect(safeHttpUrl('https://www.linkedin.com/in/ada')).toBe('https://www.linkedin.com/in/ada');
    expect(safeHttpUrl('http://example.org/x?a=1&b=2')).toBe('http://example.org/x?a=1&b=2');
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//evil.example/x', '/relative', 'not a url', '', null, undefined, 'https://user:pass@evil.example/']) {
      expect(safeHttpUrl(bad)).toBeNull();
    }
  });

  it('profile links are escaped and carry rel=noopener noreferrer', () => {
    const link = profileLink('https://example.org/in/"><script>');
    expect(link?.value).toContain('href="https://example.org/in/%22%3E%3Cscript%3E"');
    expect(link?.value).toContain('rel="noopener noreferrer nofollow"');
    expect(profileLink('javascript:alert(1)')).toBeNull();
  });
});

describe('secrets and text', () => {
  it('compares secrets of any length', () => {
    expect(sameSecret('a-secret', 'a-secret')).toBe(true);
    expect(sameSecret('a-secret', 'a-secreT')).toBe(false);
    expect(sameSecret('', 'a-secret')).toBe(false);
    expect(sameSecret('a-secret-but-longer', 'a-secret')).toBe(false);
  });

  it('cuts long answers at a word', () => {
    expect(excerpt('short', 10)).toEqual({ text: 'short', cut: false });
    expect(excerpt('one two three four five', 16)).toEqual({ text: 'one two three…', cut: true });
  });
});
