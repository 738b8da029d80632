/**
 * How redis-cli quotes bytes: `sdscatrepr` (sds.c) for the human and CSV formats, and the JSON
 * string escaping of `--json`. Inputs and outputs are latin1 strings: one char per byte, so what
 * is printed is exactly the bytes redis-cli would print.
 */

const HEX = '0123456789abcdef';

/**
 * Quotes bytes as redis-cli's `sdscatrepr`: `"` around, `\\ \" \n \r \t \a \b` escaped,
 * printable ASCII (0x20-0x7e) as is, every other byte as `\xhh`. O(n).
 *
 * @param bytes - a latin1 string (one char per byte)
 * @returns the quoted text, a latin1 string
 *
 * @example
 * ```ts
 * quoteBytes('a"b\n\xff'); // '"a\\"b\\n\\xff"'
 * ```
 */
export function quoteBytes(bytes: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    let escaped: string;
    switch (c) {
      case 0x5c: // \
        escaped = '\\\\';
        break;
      case 0x22: // "
        escaped = '\\"';
        break;
      case 0x0a:
        escaped = '\\n';
        break;
      case 0x0d:
        escaped = '\\r';
        break;
      case 0x09:
        escaped = '\\t';
        break;
      case 0x07:
        escaped = '\\a';
        break;
      case 0x08:
        escaped = '\\b';
        break;
      default:
        if (c >= 0x20 && c <= 0x7e) continue; // C isprint()
        escaped = `\\x${HEX[(c >> 4) & 15]!}${HEX[c & 15]!}`;
    }
    out += bytes.slice(plainFrom, i) + escaped;
    plainFrom = i + 1;
  }
  return out + bytes.slice(plainFrom) + '"';
}

/**
 * Quotes bytes as a JSON string the way redis-cli's `--json` does: `\\ \" \n \f \r \t \b`
 * escaped, other bytes up to 0x1f as `\u00hh`, every other byte as is (so UTF-8 text stays
 * readable). O(n).
 *
 * @example
 * ```ts
 * quoteJson('a"b\x01'); // '"a\\"b\\u0001"'
 * ```
 */
export function quoteJson(bytes: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    let escaped: string;
    switch (c) {
      case 0x5c:
        escaped = '\\\\';
        break;
      case 0x22:
        escaped = '\\"';
        break;
      case 0x0a:
        escaped = '\\n';
        break;
      case 0x0c:
        escaped = '\\f';
        break;
      case 0x0d:
        escaped = '\\r';
        break;
      case 0x09:
        escaped = '\\t';
        break;
      case 0x08:
        escaped = '\\b';
        break;
      default:
        if (c > 0x1f) continue;
        escaped = `\\u00${HEX[c >> 4]!}${HEX[c & 15]!}`;
    }
    out += bytes.slice(plainFrom, i) + escaped;
    plainFrom = i + 1;
  }
  return out + bytes.slice(plainFrom) + '"';
}

/**
 * `--quoted-json`: the bytes quoted as {@link quoteBytes} does (ASCII only), then made a JSON
 * string. O(n).
 *
 * @example
 * ```ts
 * quoteJsonAscii('é'); // '"\\\\xc3\\\\xa9"' for the UTF-8 bytes of é
 * ```
 */
export function quoteJsonAscii(bytes: string): string {
  const quoted = quoteBytes(bytes);
  return quoteJson(quoted.slice(1, -1));
}

/**
 * Text typed by a person (UTF-16) as a latin1 byte string of its UTF-8 encoding. O(n).
 *
 * @example
 * ```ts
 * toBytes('é'); // '\xc3\xa9'
 * ```
 */
export function toBytes(text: string): string {
  // all-ASCII text is its own encoding: skip the round trip
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'utf8').toString('latin1');
  }
  return text;
}
