import { NONE } from '../runtime.js';
import {
  LuaFunction,
  LuaTable,
  formatNumber,
  typeName,
  type LuaResults,
  type LuaValue,
  type NativeFunction,
} from '../value.js';
import { ArgChecker, toInt } from './args.js';
import type { BaseHost } from './base.js';
import { formatFloat, formatSigned, formatUnsigned, type FormatSpec } from './printf.js';

/** The header of a Lua 5.1 bytecode chunk on x86-64 (ESC "Lua" 0x51, format, sizes). */
const BYTECODE_HEADER = '\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00';

/**
 * The string library of Lua 5.1 (lstrlib.c), over latin1 strings: byte, char, find, format,
 * gmatch (and gfind), gsub, len, lower, match, rep, reverse, sub, upper. Patterns are a port of
 * lstrlib.c's matcher, with its error texts; character classes are the C locale's.
 */

const L_ESC = 37; // '%'
const SPECIALS = '^$*+?.([%-';
const MAXCCALLS = 200;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
const MAX_CAPTURES = 32;

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isCntrl = (c: number): boolean => c < 32 || c === 127;
const isPunct = (c: number): boolean =>
  (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
const isXDigit = (c: number): boolean =>
  isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

class MatchState {
  level = 0;
  readonly captureInit: number[] = new Array<number>(MAX_CAPTURES).fill(0);
  readonly captureLen: number[] = new Array<number>(MAX_CAPTURES).fill(0);
  matchDepth = 0;
  constructor(
    readonly src: string,
    readonly pattern: string,
    readonly fail: (message: string) => never,
  ) {}
}

function classEnd(ms: MatchState, p: number): number {
  const pattern = ms.pattern;
  const c = pattern.charCodeAt(p++);
  if (c === L_ESC) {
    if (p >= pattern.length) ms.fail("malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c === 91 /* [ */) {
    if (pattern.charCodeAt(p) === 94 /* ^ */) p++;
    do {
      // look for a ']'
      if (p >= pattern.length) ms.fail("malformed pattern (missing ']')");
      const d = pattern.charCodeAt(p++);
      if (d === L_ESC && p < pattern.length) p++; // skip escapes (e.g. '%]')
    } while (pattern.charCodeAt(p) !== 93);
    return p + 1;
  }
  return p;
}

function matchClass(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | 0x20) {
    case 97 /* a */:
      res = isAlpha(c);
      break;
    case 99 /* c */:
      res = isCntrl(c);
      break;
    case 100 /* d */:
      res = isDigit(c);
      break;
    case 108 /* l */:
      res = isLower(c);
      break;
    case 112 /* p */:
      res = isPunct(c);
      break;
    case 115 /* s */:
      res = isSpace(c);
      break;
    case 117 /* u */:
      res = isUpper(c);
      break;
    case 119 /* w */:
      res = isAlpha(c) || isDigit(c);
      break;
    case 120 /* x */:
      res = isXDigit(c);
      break;
    case 122 /* z */:
      res = c === 0;
      break;
    default:
      return cl === c;
  }
  return isUpper(cl) ? !res : res;
}

function matchBracketClass(ms: MatchState, c: number, p: number, ec: number): boolean {
  const pattern = ms.pattern;
  let sig = true;
  if (pattern.charCodeAt(p + 1) === 94 /* ^ */) {
    sig = false;
    p++; // skip the '^'
  }
  while (++p < ec) {
    const pc = pattern.charCodeAt(p);
    if (pc === L_ESC) {
      p++;
      if (matchClass(c, pattern.charCodeAt(p))) return sig;
    } else if (pattern.charCodeAt(p + 1) === 45 /* - */ && p + 2 < ec) {
      p += 2;
      if (pc <= c && c <= pattern.charCodeAt(p)) return sig;
    } else if (pc === c) return sig;
  }
  return !sig;
}

function singleMatch(ms: MatchState, s: number, p: number, ep: number): boolean {
  if (s >= ms.src.length) return false;
  const c = ms.src.charCodeAt(s);
  const pc = ms.pattern.charCodeAt(p);
  switch (pc) {
    case 46 /* . */:
      return true;
    case L_ESC:
      return matchClass(c, ms.pattern.charCodeAt(p + 1));
    case 91 /* [ */:
      return matchBracketClass(ms, c, p, ep - 1);
    default:
      return pc === c;
  }
}

function matchBalance(ms: MatchState, s: number, p: number): number {
  const pattern = ms.pattern;
  if (p + 1 >= pattern.length) ms.fail('unbalanced pattern');
  const src = ms.src;
  if (s >= src.length || src.charCodeAt(s) !== pattern.charCodeAt(p)) return -1;
  const b = pattern.charCodeAt(p);
  const e = pattern.charCodeAt(p + 1);
  let cont = 1;
  while (++s < src.length) {
    const c = src.charCodeAt(s);
    if (c === e) {
      if (--cont === 0) return s + 1;
    } else if (c === b) cont++;
  }
  return -1;
}

function maxExpand(ms: MatchState, s: number, p: number, ep: number): number {
  let i = 0;
  while (singleMatch(ms, s + i, p, ep)) i++;
  // keeps trying to match with the maximum repetitions
  while (i >= 0) {
    const res = doMatch(ms, s + i, ep + 1);
    if (res !== -1) return res;
    i--;
  }
  return -1;
}

function minExpand(ms: MatchState, s: number, p: number, ep: number): number {
  for (;;) {
    const res = doMatch(ms, s, ep + 1);
    if (res !== -1) return res;
    if (singleMatch(ms, s, p, ep)) s++;
    else return -1;
  }
}

function startCapture(ms: MatchState, s: number, p: number, what: number): number {
  const level = ms.level;
  if (level >= MAX_CAPTURES) ms.fail('too many captures');
  ms.captureInit[level] = s;
  ms.captureLen[level] = what;
  ms.level = level + 1;
  const res = doMatch(ms, s, p);
  if (res === -1) ms.level--; // undo capture
  return res;
}

function captureToClose(ms: MatchState): number {
  let level = ms.level;
  for (level--; level >= 0; level--) if (ms.captureLen[level] === CAP_UNFINISHED) return level;
  return ms.fail('invalid pattern capture');
}

function endCapture(ms: MatchState, s: number, p: number): number {
  const l = captureToClose(ms);
  ms.captureLen[l] = s - (ms.captureInit[l] ?? 0);
  const res = doMatch(ms, s, p);
  if (res === -1) ms.captureLen[l] = CAP_UNFINISHED; // undo capture
  return res;
}

function checkCapture(ms: MatchState, l: number): number {
  l -= 49; // '1'
  if (l < 0 || l >= ms.level || ms.captureLen[l] === CAP_UNFINISHED)
    return ms.fail('invalid capture index');
  return l;
}

function matchCapture(ms: MatchState, s: number, l: number): number {
  l = checkCapture(ms, l);
  const init = ms.captureInit[l] ?? 0;
  const len = ms.captureLen[l] ?? 0;
  if (ms.src.length - s >= len && ms.src.substr(init, len) === ms.src.substr(s, len))
    return s + len;
  return -1;
}

/** do_match: the end of the match of pattern[p..] at src[s..], or -1. */
function doMatch(ms: MatchState, s: number, p: number): number {
  if (++ms.matchDepth > MAXCCALLS * 50) ms.fail('pattern too complex');
  try {
    const pattern = ms.pattern;
    const plen = pattern.length;
    for (;;) {
      if (p >= plen) return s; // end of pattern
      const pc = pattern.charCodeAt(p);
      switch (pc) {
        case 40 /* ( */:
          if (pattern.charCodeAt(p + 1) === 41) return startCapture(ms, s, p + 2, CAP_POSITION);
          return startCapture(ms, s, p + 1, CAP_UNFINISHED);
        case 41 /* ) */:
          return endCapture(ms, s, p + 1);
        case L_ESC: {
          const next = pattern.charCodeAt(p + 1);
          if (next === 98 /* b */) {
            s = matchBalance(ms, s, p + 2);
            if (s !== -1) {
              p += 4;
              continue;
            }
            return -1;
          }
          if (next === 102 /* f */) {
            p += 2;
            if (pattern.charCodeAt(p) !== 91) ms.fail("missing '[' after '%f' in pattern");
            const ep = classEnd(ms, p);
            const previous = s === 0 ? 0 : ms.src.charCodeAt(s - 1);
            const current = s < ms.src.length ? ms.src.charCodeAt(s) : 0;
            if (
              !matchBracketClass(ms, previous, p, ep - 1) &&
              matchBracketClass(ms, current, p, ep - 1)
            ) {
              p = ep;
              continue;
            }
            return -1;
          }
          if (isDigit(next)) {
            s = matchCapture(ms, s, next);
            if (s === -1) return -1;
            p += 2;
            continue;
          }
          break; // default
        }
        case 36 /* $ */:
          if (p + 1 === plen) return s === ms.src.length ? s : -1;
          break;
        default:
          break;
      }
      // default: a single char class, maybe with a quantifier
      const ep = classEnd(ms, p);
      const m = s < ms.src.length && singleMatch(ms, s, p, ep);
      switch (pattern.charCodeAt(ep)) {
        case 63 /* ? */: {
          if (m) {
            const res = doMatch(ms, s + 1, ep + 1);
            if (res !== -1) return res;
          }
          p = ep + 1;
          continue;
        }
        case 42 /* * */:
          return maxExpand(ms, s, p, ep);
        case 43 /* + */:
          return m ? maxExpand(ms, s + 1, p, ep) : -1;
        case 45 /* - */:
          return minExpand(ms, s, p, ep);
        default:
          if (!m) return -1;
          s++;
          p = ep;
          continue;
      }
    }
  } finally {
    ms.matchDepth--;
  }
}

function oneCapture(ms: MatchState, i: number, s: number, e: number): LuaValue {
  if (i >= ms.level) {
    if (i === 0) return ms.src.slice(s, e); // whole match
    return ms.fail('invalid capture index');
  }
  const l = ms.captureLen[i] ?? 0;
  const init = ms.captureInit[i] ?? 0;
  if (l === CAP_UNFINISHED) ms.fail('unfinished capture');
  if (l === CAP_POSITION) return init + 1;
  return ms.src.substr(init, l);
}

function captures(ms: MatchState, s: number, e: number, wholeIfNone: boolean): LuaValue[] {
  const n = ms.level === 0 && wholeIfNone ? 1 : ms.level;
  const out: LuaValue[] = [];
  for (let i = 0; i < n; i++) out.push(oneCapture(ms, i, s, e));
  return out;
}

/** string.find's plain search: lmemfind. */
function hasSpecials(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) if (SPECIALS.includes(pattern[i] ?? '')) return true;
  return false;
}

/** Lua's relative string position: negative counts from the end. */
function posRelative(pos: number, length: number): number {
  if (pos < 0) pos += length + 1;
  return pos >= 0 ? pos : 0;
}

/** Quotes a string as %q does. */
function quoteString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92 || c === 10) out += '\\' + text[i];
    else if (c === 13) out += '\\r';
    else if (c === 0) out += '\\000';
    else out += text[i];
  }
  return out + '"';
}

export function stringLibrary(host: BaseHost, G: LuaTable): LuaTable {
  const { R, H } = host;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const fail = (message: string): never => {
    throw R.error(message);
  };

  set('len', (...args) => [check.string('len', args, 1).length]);

  set('sub', (...args) => {
    const s = check.string('sub', args, 1);
    const l = s.length;
    let start = posRelative(check.int('sub', args, 2), l);
    let end = posRelative(check.optInt('sub', args, 3, -1), l);
    if (start < 1) start = 1;
    if (end > l) end = l;
    return [start <= end ? s.slice(start - 1, end) : ''];
  });

  set('reverse', (...args) => {
    const s = check.string('reverse', args, 1);
    let out = '';
    for (let i = s.length - 1; i >= 0; i--) out += s[i];
    return [out];
  });

  set('lower', (...args) => [
    check.string('lower', args, 1).replace(/[A-Z]/g, (c) => c.toLowerCase()),
  ]);
  set('upper', (...args) => [
    check.string('upper', args, 1).replace(/[a-z]/g, (c) => c.toUpperCase()),
  ]);

  set('rep', (...args) => {
    const s = check.string('rep', args, 1);
    const n = check.int('rep', args, 2);
    if (n <= 0 || s.length === 0) return [''];
    if (s.length * n > 512 * 1024 * 1024) throw R.error('not enough memory');
    return [s.repeat(n)];
  });

  set('byte', (...args) => {
    const s = check.string('byte', args, 1);
    const l = s.length;
    const posi = posRelative(check.optInt('byte', args, 2, 1), l);
    const pose = posRelative(check.optInt('byte', args, 3, posi), l);
    const start = posi <= 0 ? 1 : posi;
    const end = pose > l ? l : pose;
    if (start > end) return NONE;
    const out: LuaValue[] = [];
    for (let i = start; i <= end; i++) out.push(s.charCodeAt(i - 1));
    return out;
  });

  set('char', (...args) => {
    let out = '';
    for (let i = 1; i <= args.length; i++) {
      const c = check.int('char', args, i);
      if (c < 0 || c > 255) check.error('char', i, 'invalid value');
      out += String.fromCharCode(c);
    }
    return [out];
  });

  // A Lua function compiles to JavaScript here, not to Lua 5.1 bytecode: its dump is the header a
  // bytecode chunk starts with, and no more. All a script can do with a dump is loadstring it,
  // which Redis's Lua refuses for binary chunks (parsed as text: a syntax error, nil), as here.
  set('dump', (...args) => {
    const fn = args[0];
    if (!(fn instanceof LuaFunction)) check.typeError('dump', args, 1, 'function');
    return [BYTECODE_HEADER];
  });

  const findAux = (find: boolean, fname: string, args: LuaValue[]): LuaResults => {
    const s = check.string(fname, args, 1);
    const p = check.string(fname, args, 2);
    let init = posRelative(check.optInt(fname, args, 3, 1), s.length) - 1;
    if (init < 0) init = 0;
    else if (init > s.length) init = s.length;
    const plain = args[3];
    if (find && ((plain !== undefined && plain !== false) || !hasSpecials(p))) {
      const at = s.indexOf(p, init);
      return at >= 0 ? [at + 1, at + p.length] : [undefined];
    }
    const anchor = p.charCodeAt(0) === 94;
    const ms = new MatchState(s, anchor ? p.slice(1) : p, fail);
    let s1 = init;
    do {
      ms.level = 0;
      ms.matchDepth = 0;
      const e = doMatch(ms, s1, 0);
      if (e !== -1) {
        if (find) return [s1 + 1, e, ...captures(ms, -1, -1, false)];
        return captures(ms, s1, e, true);
      }
    } while (s1++ < s.length && !anchor);
    return [undefined];
  };
  set('find', (...args) => findAux(true, 'find', args));
  set('match', (...args) => findAux(false, 'match', args));

  const gmatch: NativeFunction = (...args) => {
    const s = check.string('gmatch', args, 1);
    const p = check.string('gmatch', args, 2);
    let position = 0;
    const iterator: NativeFunction = () => {
      const ms = new MatchState(s, p, fail);
      for (let src = position; src <= s.length; src++) {
        ms.level = 0;
        ms.matchDepth = 0;
        const e = doMatch(ms, src, 0);
        if (e !== -1) {
          // an empty match advances by one
          position = e === src ? e + 1 : e;
          return captures(ms, src, e, true);
        }
      }
      return [undefined];
    };
    return [iterator];
  };
  set('gmatch', gmatch);
  set('gfind', gmatch);

  set('gsub', (...args) => {
    const src = check.string('gsub', args, 1);
    let p = check.string('gsub', args, 2);
    const repl = args[2];
    const replType = typeName(repl);
    const maxN = check.optInt('gsub', args, 4, src.length + 1);
    if (!(
      replType === 'number' ||
      replType === 'string' ||
      replType === 'table' ||
      replType === 'function'
    ))
      check.error('gsub', 3, 'string/function/table expected');
    const anchor = p.charCodeAt(0) === 94;
    if (anchor) p = p.slice(1);
    const ms = new MatchState(src, p, fail);
    let out = '';
    let s = 0;
    let n = 0;
    const replString =
      typeof repl === 'number' ? formatNumber(repl) : typeof repl === 'string' ? repl : undefined;
    while (n < maxN) {
      ms.level = 0;
      ms.matchDepth = 0;
      const e = doMatch(ms, s, 0);
      if (e !== -1) {
        n++;
        // add_value
        let value: LuaValue;
        if (replString !== undefined) {
          let piece = '';
          for (let i = 0; i < replString.length; i++) {
            const c = replString.charCodeAt(i);
            if (c !== L_ESC) piece += replString[i];
            else {
              i++;
              const d = replString.charCodeAt(i);
              if (!isDigit(d)) piece += replString[i] ?? '';
              else if (d === 48) piece += src.slice(s, e);
              else {
                const capture = oneCapture(ms, d - 49, s, e);
                piece += typeof capture === 'number' ? formatNumber(capture) : (capture as string);
              }
            }
          }
          value = piece;
        } else {
          const key = oneCapture(ms, 0, s, e);
          if (repl instanceof LuaTable) value = H.idx(repl, key, `${R.chunk}:${R.l}`, '');
          else value = H.callSync(repl, captures(ms, s, e, true))[0];
          if (value === undefined || value === false) value = src.slice(s, e);
          else if (typeof value === 'number') value = formatNumber(value);
          else if (typeof value !== 'string')
            throw R.error(`invalid replacement value (a ${typeName(value)})`);
        }
        out += value;
      }
      if (e !== -1 && e > s) s = e;
      else if (s < src.length) out += src[s++];
      else break;
      if (anchor) break;
    }
    out += src.slice(s);
    return [out, n];
  });

  set('format', (...args) => {
    const format = check.string('format', args, 1);
    let out = '';
    let arg = 1;
    for (let i = 0; i < format.length; i++) {
      const c = format.charCodeAt(i);
      if (c !== L_ESC) {
        out += format[i];
        continue;
      }
      i++;
      if (format.charCodeAt(i) === L_ESC) {
        out += '%';
        continue;
      }
      // scanformat
      const start = i;
      while (i < format.length && '-+ #0'.includes(format[i] ?? '')) i++;
      if (i - start > 5) throw R.error('invalid format (repeated flags)');
      const flags = format.slice(start, i);
      let width = 0;
      let digits = 0;
      while (isDigit(format.charCodeAt(i))) {
        width = width * 10 + format.charCodeAt(i) - 48;
        i++;
        digits++;
      }
      let precision = -1;
      let precisionDigits = 0;
      if (format[i] === '.') {
        i++;
        precision = 0;
        while (isDigit(format.charCodeAt(i))) {
          precision = precision * 10 + format.charCodeAt(i) - 48;
          i++;
          precisionDigits++;
        }
      }
      if (digits > 2 || precisionDigits > 2)
        throw R.error('invalid format (width or precision too long)');
      const conversion = format[i] ?? '';
      const spec: FormatSpec = { flags, width, precision, conversion };
      arg++;
      if (arg > args.length && conversion !== '' && 'cdiouxXeEfgGqs'.includes(conversion))
        check.error('format', arg, 'no value');
      switch (conversion) {
        case 'c':
          out += padPlain(
            String.fromCharCode(toInt(check.number('format', args, arg)) & 255),
            spec,
          );
          break;
        case 'd':
        case 'i':
          out += formatSigned(BigInt(toInt(check.number('format', args, arg))), spec);
          break;
        case 'o':
        case 'u':
        case 'x':
        case 'X':
          out += formatUnsigned(BigInt(toInt(check.number('format', args, arg))), spec);
          break;
        case 'e':
        case 'E':
        case 'f':
        case 'g':
        case 'G':
          out += formatFloat(check.number('format', args, arg), spec);
          break;
        case 'q':
          out += quoteString(check.string('format', args, arg));
          break;
        case 's': {
          const s = check.string('format', args, arg);
          if (precision < 0 && s.length >= 100) out += s;
          else out += padPlain(precision >= 0 ? s.slice(0, precision) : s, spec);
          break;
        }
        default:
          throw R.error(`invalid option '%${conversion}' to 'format'`);
      }
    }
    return [out];
  });

  G.set('string', lib);
  return lib;
}

function padPlain(text: string, spec: FormatSpec): string {
  if (text.length >= spec.width) return text;
  const fill = ' '.repeat(spec.width - text.length);
  return spec.flags.includes('-') ? text + fill : fill + text;
}
