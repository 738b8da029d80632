/**
 * Redis's `sdssplitargs` (sds.c), the tokenizer of inline commands and of redis-cli's prompt.
 *
 * - Blanks between arguments are C `isspace` bytes: space, \t, \n, \v, \f, \r.
 * - An unquoted argument ends at space, \n, \r, \t or the end; \v and \f inside it are kept.
 * - "double quotes" take \xHH (two hex digits), \n \r \t \b \a, and \<any> for that byte.
 * - 'single quotes' take \' only; every other byte is literal.
 * - A quote may open in the middle of an argument (a"b c" is one argument `ab c`), but a
 *   closing quote must be followed by a blank or the end, and a missing closing quote is an
 *   error: both return `undefined` (Redis: "unbalanced quotes").
 * - A NUL byte ends the input, as it ends the C string.
 *
 * Arguments come back as latin1 strings: one char per byte, so binary data survives.
 */
import {
  BACKSLASH,
  CR,
  DOUBLE_QUOTE,
  LF,
  NUL,
  SINGLE_QUOTE,
  SPACE,
  TAB,
  asFastBuffer,
  type FastBuffer,
} from './bytes.js';

/** C `isspace` in the C locale. */
function isSpace(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CR); // \t \n \v \f \r
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48; // 0-9
  if (byte >= 97 && byte <= 102) return byte - 87; // a-f
  if (byte >= 65 && byte <= 70) return byte - 55; // A-F
  return -1;
}

/** Scratch space for arguments with escapes; grows as needed. */
let scratch = Buffer.allocUnsafeSlow(256) as FastBuffer;

function scratchPut(length: number, byte: number): void {
  if (length === scratch.length) {
    const grown = Buffer.allocUnsafeSlow(scratch.length * 2) as FastBuffer;
    scratch.copy(grown, 0, 0, length);
    scratch = grown;
  }
  scratch[length] = byte;
}

/**
 * The common case, fast: a line without quotes, whose arguments are plain slices of the line
 * decoded once. Returns undefined when the line needs the full rules (a quote), null when it
 * holds a NUL byte.
 *
 * @internal
 */
export function splitPlain(
  bytes: FastBuffer,
  start: number,
  end: number,
): string[] | undefined | null {
  const argv: string[] = [];
  let text: string | undefined;
  let i = start;
  for (;;) {
    while (i < end && isSpace(bytes[i]!)) i++;
    if (i >= end) return argv;
    const tokenStart = i;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c === SPACE || c === LF || c === CR || c === TAB) break;
      if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) return undefined;
      if (c === NUL) return null;
    }
    text ??= bytes.latin1Slice(start, end);
    argv.push(text.substring(tokenStart - start, i - start));
  }
}

/**
 * Splits one line the way Redis splits an inline command (`sdssplitargs`). O(n).
 *
 * @param line - the bytes of the line, without its line ending
 * @param start - first byte to read (default 0)
 * @param end - one past the last byte to read (default `line.length`)
 * @returns the arguments as latin1 strings, or `undefined` for unbalanced quotes
 *
 * @example
 * ```ts
 * splitArgs(Buffer.from('SET key "a b\\x21"')); // ['SET', 'key', 'a b!']
 * splitArgs(Buffer.from('GET "key'));          // undefined
 * ```
 */
export function splitArgs(
  line: Uint8Array,
  start = 0,
  end: number = line.length,
): string[] | undefined {
  const bytes = asFastBuffer(line);
  const plain = splitPlain(bytes, start, end);
  if (plain) return plain;
  const argv: string[] = [];
  // Reading past `end` yields NUL, as the C code reads its terminator.
  const at = (index: number): number => (index < end ? (bytes[index] ?? NUL) : NUL);
  let p = start;
  for (;;) {
    while (isSpace(at(p))) p++;
    if (at(p) === NUL) return argv;
    const tokenStart = p;
    let tokenEnd = p;
    let length = 0; // bytes in scratch, once a quote forced a copy
    let copying = false;
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === 120 /* x */) {
          const high = hexValue(at(p + 2));
          const low = hexValue(at(p + 3));
          if (high >= 0 && low >= 0) {
            scratchPut(length++, high * 16 + low);
            p += 3;
          } else {
            p++;
            scratchPut(length++, 120); // \x without two hex digits is a literal x
          }
        } else if (c === BACKSLASH && at(p + 1) !== NUL) {
          p++;
          const escaped = at(p);
          let byte = escaped;
          if (escaped === 110 /* n */) byte = LF;
          else if (escaped === 114 /* r */) byte = CR;
          else if (escaped === 116 /* t */) byte = TAB;
          else if (escaped === 98 /* b */) byte = 8;
          else if (escaped === 97 /* a */) byte = 7;
          scratchPut(length++, byte);
        } else if (c === DOUBLE_QUOTE) {
          const after = at(p + 1);
          if (after !== NUL && !isSpace(after)) return undefined;
          done = true;
        } else if (c === NUL) {
          return undefined;
        } else {
          scratchPut(length++, c);
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SINGLE_QUOTE) {
          p++;
          scratchPut(length++, SINGLE_QUOTE);
        } else if (c === SINGLE_QUOTE) {
          const after = at(p + 1);
          if (after !== NUL && !isSpace(after)) return undefined;
          done = true;
        } else if (c === NUL) {
          return undefined;
        } else {
          scratchPut(length++, c);
        }
      } else if (c === SPACE || c === LF || c === CR || c === TAB || c === NUL) {
        tokenEnd = p;
        done = true;
      } else if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
        // the plain bytes so far go to scratch, followed by the quoted part
        copying = true;
        for (let i = tokenStart; i < p; i++) scratchPut(length++, at(i));
        if (c === DOUBLE_QUOTE) inDouble = true;
        else inSingle = true;
      }
      if (at(p) !== NUL) p++;
    }
    // An unquoted argument is a plain slice of the line; a quoted one was built in scratch.
    argv.push(copying ? scratch.latin1Slice(0, length) : bytes.latin1Slice(tokenStart, tokenEnd));
  }
}
