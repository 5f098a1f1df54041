import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCharset, decodeEncodedWords, decodeQuotedPrintable } from '../../src/text/mime.ts';

describe('RFC 2047 encoded words', () => {
  it('decodes an ISO-2022-JP encoded word (Japanese mail clients still write them)', () => {
    // "山田太郎" in ISO-2022-JP (ESC $ B, the JIS X 0208 codes ";3EDB@O:", ESC ( B), base64-encoded.
    const word = '=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=';
    expect(decodeEncodedWords(`${word} <taro@example.jp>`)).toBe('山田太郎 <taro@example.jp>');
  });

  it('decodes Q and B words in UTF-8 and ISO-8859-1, joining adjacent words without the space between them', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=')).toBe('Jürgen Müller');
    expect(decodeEncodedWords('=?iso-8859-1?q?Fran=E7ois?= =?UTF-8?B?RMO8cG9udA==?=')).toBe('FrançoisDüpont');
  });

  it('leaves plain text as it is', () => {
    expect(decodeEncodedWords('Jane Doe (via LinkedIn)')).toBe('Jane Doe (via LinkedIn)');
  });
});

describe('quoted-printable and charsets', () => {
  it('undoes quoted-printable with soft line breaks', () => {
    expect(decodeQuotedPrintable('J=C3=BCr=\r\ngen').toString('utf8')).toBe('Jürgen');
  });

  it('reads bytes in the charset named, including legacy ones (KOI8-R, Shift_JIS, Windows-1250)', () => {
    expect(decodeCharset(iconv.encode('Анна Каренина', 'koi8-r'), 'KOI8-R')).toBe('Анна Каренина');
    expect(decodeCharset(iconv.encode('山田太郎', 'shift_jis'), 'Shift_JIS')).toBe('山田太郎');
    expect(decodeCharset(iconv.encode('Łukasz Żółć', 'windows-1250'), 'windows-1250')).toBe('Łukasz Żółć');
  });

  it('reads bytes that are not the UTF-8 they claim, or name an unknown charset, as Windows-1252', () => {
    expect(decodeCharset(Buffer.from('Zoë', 'latin1'), 'UTF-8')).toBe('Zoë');
    expect(decodeCharset(Buffer.from('Zoë', 'latin1'), 'x-no-such-charset')).toBe('Zoë');
    expect(decodeCharset(Buffer.from('Zoë', 'utf8'), null)).toBe('Zoë');
  });
});
