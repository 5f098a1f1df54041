import { describe, expect, it } from 'vitest';
import { decodeEntities, escapeHtml } from '../../src/text/html.ts';

describe('HTML entities in received mail', () => {
  it('decodes the German and French named entities mail clients write: &uuml;, &ouml;, &szlig;, &eacute;, &agrave;', () => {
    expect(decodeEntities('J&uuml;rgen m&ouml;chte Gr&uuml;&szlig;e senden')).toBe('Jürgen möchte Grüße senden');
    expect(decodeEntities('Ren&eacute; a &eacute;t&eacute; &agrave; la conf&eacute;rence')).toBe('René a été à la conférence');
  });

  it('decodes numeric entities, decimal and hex, upper- and lower-case x, beyond the Basic Multilingual Plane', () => {
    expect(decodeEntities('caf&#233; caf&#xE9; caf&#Xe9; &#8217; &#x1F600;')).toBe('café café café ’ 😀');
  });

  it('decodes legacy entities written without a semicolon, as browsers do', () => {
    expect(decodeEntities('M&uumlller &amp Co')).toBe('Müller & Co');
  });

  it('turns a numeric entity naming no character into U+FFFD instead of a broken string', () => {
    const decoded = decodeEntities('a&#xD800;b&#1114112;c');
    expect(decoded).toBe('a\uFFFDb\uFFFDc');
    expect(decoded.isWellFormed()).toBe(true);
  });

  it('leaves what is not an entity alone', () => {
    expect(decodeEntities('Q&A, AT&T, 5 & 6, &nosuchentity;')).toBe('Q&A, AT&T, 5 & 6, &nosuchentity;');
  });
});

describe('escaping for HTML we write', () => {
  it('escapes the five characters that could end text or an attribute, and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom's & Jerry's</a> Strauß`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt; Strauß');
  });

  it('round-trips through the decoder', () => {
    const hostile = `"><script>alert('x')</script>&amp;`;
    expect(decodeEntities(escapeHtml(hostile))).toBe(hostile);
  });
});
