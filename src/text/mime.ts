import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { decode as decodeQuotedPrintableBytes } from 'libqp';

/**
 * Mail and vCard encodings, decoded by the libraries the mail stack itself uses (libmime, libqp,
 * iconv-lite, all from nodemailer's author): RFC 2047 encoded words in any charset mail uses
 * (ISO-2022-JP, Shift_JIS, KOI8-R, GB18030 …), quoted-printable, and legacy charsets.
 */

/** A header value with its RFC 2047 encoded words ("=?UTF-8?Q?J=C3=BCrgen?=") decoded. */
export function decodeEncodedWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    // libmime reads what it can; should it ever give up, the value stays as it was written.
    return value;
  }
}

/** Quoted-printable bytes ("J=C3=BCrgen", soft line breaks "=\r\n") undone. */
export function decodeQuotedPrintable(text: string | Uint8Array): Buffer {
  return decodeQuotedPrintableBytes(text);
}

/**
 * Text from bytes in a named charset. UTF-8 (or no charset) is read as UTF-8 when the bytes are
 * valid UTF-8; a charset iconv-lite knows is decoded with it; anything else (an unknown label,
 * "UTF-8" bytes that are not) is read as UTF-8 if valid, else as Windows-1252, which maps every byte.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | null): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const label = (charset ?? '').trim().toLowerCase();
  const unicode = label === '' || label === 'utf-8' || label === 'utf8';
  if (!unicode && iconv.encodingExists(label)) return iconv.decode(buffer, label);
  return isUtf8(buffer) ? buffer.toString('utf8') : iconv.decode(buffer, 'windows-1252');
}
