/**
 * The Lua 5.1 lexer (llex.c): tokens of a latin1 source string (one char per byte), with the line
 * each starts on and Lua's own error texts ("unfinished string near '<eof>'").
 */

/** Token kinds: punctuation is its own text ("==", "..."), the rest are named. */
export const Tok = {
  EOF: '<eof>',
  NAME: '<name>',
  NUMBER: '<number>',
  STRING: '<string>',
} as const;

const KEYWORDS = new Set([
  'and',
  'break',
  'do',
  'else',
  'elseif',
  'end',
  'false',
  'for',
  'function',
  'if',
  'in',
  'local',
  'nil',
  'not',
  'or',
  'repeat',
  'return',
  'then',
  'true',
  'until',
  'while',
]);

/** A syntax error with Lua's message ("user_script:1: unexpected symbol near '+'"). */
export class LuaSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaSyntaxError';
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Converts a numeral as Lua 5.1's luaO_str2d does (strtod, or strtoul for 0x); undefined when
 * the text is not a number. Leading and trailing whitespace is allowed.
 */
export function str2number(text: string): number | undefined {
  let s = 0;
  let e = text.length;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (s === e) return undefined;
  const body = text.slice(s, e);
  // hexadecimal: strtoul accepts an optional sign and 0x prefix
  const hex = /^([-+]?)0[xX]([0-9a-fA-F]+)$/.exec(body);
  if (hex) {
    const value = parseInt(hex[2] ?? '', 16);
    // strtoul wraps a negative value modulo 2^64, then Lua converts it to a double
    return hex[1] === '-' ? (value === 0 ? 0 : 2 ** 64 - value) : value;
  }
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(body)) return Number(body);
  // strtod also reads inf, infinity and nan in any case
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(body);
  if (special) {
    const word = (special[2] ?? '').toLowerCase();
    if (word === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return undefined;
}

export class Lexer {
  readonly #src: string;
  readonly #chunk: string;
  #pos = 0;
  /** current line */
  line = 1;
  /** the current token: kind and value (name text, string bytes or number) */
  tok: string = Tok.EOF;
  value: string | number = '';
  /** the raw text of the current token, for "near '...'" */
  raw = '';
  /** line of the current token */
  tokLine = 1;
  /** the line of the last token consumed (Lua's lastline) */
  lastLine = 1;
  #aheadTok: string | undefined = undefined;
  #aheadValue: string | number = '';
  #aheadRaw = '';
  #aheadLine = 1;

  constructor(src: string, chunk: string) {
    this.#src = src;
    this.#chunk = chunk;
    // a first line starting with '#' is skipped (luaL_loadfile does this, loadbuffer does not)
  }

  /** The current token's kind (a method, so that checks after next() are not narrowed away). */
  token(): string {
    return this.tok;
  }

  /** Throws Lua's "chunk:line: message near 'token'" syntax error. */
  error(message: string, withToken = true): never {
    const near = withToken ? ` near '${this.#nearText()}'` : '';
    throw new LuaSyntaxError(`${this.#chunk}:${this.line}: ${message}${near}`);
  }

  #nearText(): string {
    if (this.tok === Tok.EOF) return '<eof>';
    return this.raw;
  }

  /** Advances to the next token. */
  next(): void {
    this.lastLine = this.line;
    if (this.#aheadTok !== undefined) {
      this.tok = this.#aheadTok;
      this.value = this.#aheadValue;
      this.raw = this.#aheadRaw;
      this.tokLine = this.#aheadLine;
      this.#aheadTok = undefined;
      return;
    }
    this.#scan();
  }

  /** The kind of the token after the current one. */
  lookahead(): string {
    if (this.#aheadTok === undefined) {
      const { tok, value, raw, tokLine } = this;
      this.#scan();
      this.#aheadTok = this.tok;
      this.#aheadValue = this.value;
      this.#aheadRaw = this.raw;
      this.#aheadLine = this.tokLine;
      this.tok = tok;
      this.value = value;
      this.raw = raw;
      this.tokLine = tokLine;
    }
    return this.#aheadTok;
  }

  #set(tok: string, value: string | number, raw: string): void {
    this.tok = tok;
    this.value = value;
    this.raw = raw;
  }

  #newline(): void {
    const src = this.#src;
    const c = src.charCodeAt(this.#pos);
    this.#pos++;
    const d = src.charCodeAt(this.#pos);
    // \n\r and \r\n count as one line break
    if ((d === 10 || d === 13) && d !== c) this.#pos++;
    this.line++;
  }

  #scan(): void {
    const src = this.#src;
    for (;;) {
      const c = src.charCodeAt(this.#pos);
      this.tokLine = this.line;
      if (Number.isNaN(c)) {
        this.#set(Tok.EOF, '', '<eof>');
        return;
      }
      if (c === 10 || c === 13) {
        this.#newline();
        continue;
      }
      if (isSpace(c)) {
        this.#pos++;
        continue;
      }
      if (c === 45 /* - */) {
        if (src.charCodeAt(this.#pos + 1) !== 45) {
          this.#pos++;
          this.#set('-', '', '-');
          return;
        }
        this.#pos += 2;
        if (src.charCodeAt(this.#pos) === 91 /* [ */) {
          const level = this.#longBracketLevel();
          if (level >= 0) {
            this.#readLongString(level, true);
            continue;
          }
        }
        while (this.#pos < src.length) {
          const d = src.charCodeAt(this.#pos);
          if (d === 10 || d === 13) break;
          this.#pos++;
        }
        continue;
      }
      if (c === 91 /* [ */) {
        const level = this.#longBracketLevel();
        if (level >= 0) {
          const text = this.#readLongString(level, false);
          this.#set(Tok.STRING, text, text);
          return;
        }
        if (level === -1) {
          this.#pos++;
          this.#set('[', '', '[');
          return;
        }
        this.#pos++;
        this.error('invalid long string delimiter');
      }
      if (c === 61 /* = */ || c === 60 /* < */ || c === 62 /* > */ || c === 126 /* ~ */) {
        const ch = src[this.#pos] ?? '';
        this.#pos++;
        if (src.charCodeAt(this.#pos) === 61) {
          this.#pos++;
          this.#set(ch + '=', '', ch + '=');
        } else this.#set(ch, '', ch);
        return;
      }
      if (c === 34 || c === 39) {
        this.#readString(c);
        return;
      }
      if (c === 46 /* . */) {
        if (src.charCodeAt(this.#pos + 1) === 46) {
          if (src.charCodeAt(this.#pos + 2) === 46) {
            this.#pos += 3;
            this.#set('...', '', '...');
            return;
          }
          this.#pos += 2;
          this.#set('..', '', '..');
          return;
        }
        if (!isDigit(src.charCodeAt(this.#pos + 1))) {
          this.#pos++;
          this.#set('.', '', '.');
          return;
        }
        this.#readNumber();
        return;
      }
      if (isDigit(c)) {
        this.#readNumber();
        return;
      }
      if (isAlpha(c)) {
        const start = this.#pos;
        while (isAlnum(src.charCodeAt(this.#pos))) this.#pos++;
        const word = src.slice(start, this.#pos);
        if (KEYWORDS.has(word)) this.#set(word, '', word);
        else this.#set(Tok.NAME, word, word);
        return;
      }
      // single-char tokens (and control characters, which the parser refuses)
      const ch = src[this.#pos] ?? '';
      this.#pos++;
      this.#set(ch, '', c < 32 ? `char(${c})` : ch);
      return;
    }
  }

  /** At '[': the level of a long bracket ([==[ is 2), -1 for a lone '[', -2 for '[=' without '['. */
  #longBracketLevel(): number {
    const src = this.#src;
    let p = this.#pos + 1;
    let level = 0;
    while (src.charCodeAt(p) === 61) {
      level++;
      p++;
    }
    if (src.charCodeAt(p) === 91) return level;
    return level === 0 ? -1 : -2;
  }

  #readLongString(level: number, comment: boolean): string {
    const src = this.#src;
    this.#pos += level + 2;
    // a newline right after the opening bracket is skipped
    const first = src.charCodeAt(this.#pos);
    if (first === 10 || first === 13) this.#newline();
    let out = '';
    let start = this.#pos;
    for (;;) {
      const c = src.charCodeAt(this.#pos);
      if (Number.isNaN(c)) {
        this.tok = Tok.EOF;
        this.raw = '<eof>';
        this.error(comment ? 'unfinished long comment' : 'unfinished long string');
      }
      if (c === 93 /* ] */) {
        let p = this.#pos + 1;
        let n = 0;
        while (src.charCodeAt(p) === 61) {
          n++;
          p++;
        }
        if (n === level && src.charCodeAt(p) === 93) {
          out += src.slice(start, this.#pos);
          this.#pos = p + 1;
          return out;
        }
        this.#pos++;
      } else if (c === 10 || c === 13) {
        out += src.slice(start, this.#pos) + '\n';
        this.#newline();
        start = this.#pos;
      } else this.#pos++;
    }
  }

  #readString(quote: number): void {
    const src = this.#src;
    const begin = this.#pos;
    this.#pos++;
    let out = '';
    for (;;) {
      const c = src.charCodeAt(this.#pos);
      if (c === quote) {
        this.#pos++;
        break;
      }
      if (Number.isNaN(c)) {
        this.#set(Tok.EOF, '', '<eof>');
        this.error('unfinished string');
      }
      if (c === 10 || c === 13) {
        // Lua shows what it buffered: the quote and the characters read so far
        this.raw = (src[begin] ?? '') + out;
        this.tok = Tok.STRING;
        this.error('unfinished string');
      }
      if (c === 92 /* \ */) {
        this.#pos++;
        const e = src.charCodeAt(this.#pos);
        switch (e) {
          case 97:
            out += '\x07';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 118:
            out += '\v';
            break;
          case 10:
          case 13:
            out += '\n';
            this.#newline();
            continue;
          default: {
            if (Number.isNaN(e)) continue; // unfinished string, reported above
            if (!isDigit(e)) {
              out += src[this.#pos] ?? '';
              break;
            }
            let value = 0;
            let i = 0;
            while (i < 3 && isDigit(src.charCodeAt(this.#pos))) {
              value = value * 10 + src.charCodeAt(this.#pos) - 48;
              this.#pos++;
              i++;
            }
            if (value > 255) {
              this.raw = (src[begin] ?? '') + out;
              this.tok = Tok.STRING;
              this.error('escape sequence too large');
            }
            out += String.fromCharCode(value);
            continue;
          }
        }
        this.#pos++;
        continue;
      }
      out += src[this.#pos] ?? '';
      this.#pos++;
    }
    this.#set(Tok.STRING, out, src.slice(begin, this.#pos));
  }

  #readNumber(): void {
    const src = this.#src;
    const start = this.#pos;
    // read_numeral: digits and dots, an exponent with its sign, then any alphanumerics
    for (;;) {
      const c = src.charCodeAt(this.#pos);
      if (isDigit(c) || c === 46) this.#pos++;
      else break;
    }
    const e = src.charCodeAt(this.#pos);
    if (e === 69 || e === 101) {
      this.#pos++;
      const sign = src.charCodeAt(this.#pos);
      if (sign === 43 || sign === 45) this.#pos++;
    }
    while (isAlnum(src.charCodeAt(this.#pos))) this.#pos++;
    const text = src.slice(start, this.#pos);
    const value = str2number(text);
    if (value === undefined) {
      this.raw = text;
      this.tok = Tok.NUMBER;
      this.error('malformed number');
    }
    this.#set(Tok.NUMBER, value, text);
  }
}
