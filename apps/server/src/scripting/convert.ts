import type { RespWriter } from '@byor/protocol';
import { sanitize } from '../errors.js';
import { LuaTable, type LuaValue } from './lua/value.js';

/**
 * Conversions between RESP and Lua as redis-server 7.0 makes them (script_lua.c):
 * redisProtocolToLuaType for command replies a script receives, luaReplyToRedisReply for what a
 * script returns.
 */

/**
 * The error table of an error counted in INFO where it arose (a command's error reply, a command
 * refused to a script): its `ignore_error_stats_update` field, as redis-server sets it, keeps the
 * script's reply from counting it again.
 */
export function countedErrorTable(text: string): LuaTable {
  const table = errorTable(text);
  table.set('ignore_error_stats_update', true);
  return table;
}

/** Whether a script's error value is one counted where it arose ({@link countedErrorTable}). */
export function alreadyCounted(value: unknown): boolean {
  return value instanceof LuaTable && value.get('ignore_error_stats_update') === true;
}

/**
 * The Lua error table of an error reply text ("-ERR msg" or "msg"): luaPushErrorBuff derives the
 * code from a leading "-CODE " and defaults it to ERR; trailing CR/LF are trimmed.
 */
export function errorTable(text: string): LuaTable {
  let code = 'ERR';
  let message = text;
  if (text.startsWith('-')) {
    const space = text.indexOf(' ');
    if (space < 0) message = text.slice(1);
    else {
      code = text.slice(1, space);
      message = text.slice(space + 1);
    }
  }
  message = message.replace(/^[\r\n]+|[\r\n]+$/g, '');
  const table = new LuaTable();
  table.set('err', `${code} ${message}`);
  return table;
}

/** One-field table {name=value}. */
function field(name: string, value: LuaValue): LuaTable {
  const table = new LuaTable();
  table.set(name, value);
  return table;
}

/**
 * Parses one RESP reply (latin1 text, as the reply writer produced it) into a Lua value.
 * O(n) in the reply size.
 */
export class ReplyReader {
  #text = '';
  #at = 0;

  read(text: string): LuaValue {
    this.#text = text;
    this.#at = 0;
    return this.#value();
  }

  #line(): string {
    const end = this.#text.indexOf('\r\n', this.#at);
    const line = this.#text.slice(this.#at, end);
    this.#at = end + 2;
    return line;
  }

  #value(): LuaValue {
    const type = this.#text.charCodeAt(this.#at++);
    switch (type) {
      case 43 /* + */:
        return field('ok', this.#line());
      case 45 /* - */:
        return countedErrorTable(`-${this.#line()}`);
      case 58 /* : */:
        return Number(this.#line());
      case 36 /* $ */: {
        const length = Number(this.#line());
        if (length < 0) return false;
        const value = this.#text.slice(this.#at, this.#at + length);
        this.#at += length + 2;
        return value;
      }
      case 42 /* * */: {
        const count = Number(this.#line());
        if (count < 0) return false;
        const items: LuaValue[] = new Array<LuaValue>(count);
        for (let i = 0; i < count; i++) items[i] = this.#value();
        return new LuaTable(items);
      }
      case 95 /* _ */:
        this.#line();
        return undefined;
      case 35 /* # */:
        return this.#line() === 't';
      case 44 /* , */: {
        const text = this.#line();
        const value = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
        return field('double', value);
      }
      case 40 /* ( */:
        return field('big_number', this.#line());
      case 61 /* = */: {
        const length = Number(this.#line());
        const body = this.#text.slice(this.#at, this.#at + length);
        this.#at += length + 2;
        const verbatim = new LuaTable();
        verbatim.set('format', body.slice(0, 3));
        verbatim.set('string', body.slice(4));
        return field('verbatim_string', verbatim);
      }
      case 37 /* % */: {
        const count = Number(this.#line());
        const map = new LuaTable();
        for (let i = 0; i < count; i++) {
          const key = this.#value();
          const value = this.#value();
          if (key !== undefined && key === key) map.set(key, value);
        }
        return field('map', map);
      }
      case 126 /* ~ */: {
        const count = Number(this.#line());
        const set = new LuaTable();
        for (let i = 0; i < count; i++) {
          const key = this.#value();
          if (key !== undefined && key === key) set.set(key, true);
        }
        return field('set', set);
      }
      case 62 /* > */: {
        const count = Number(this.#line());
        const items: LuaValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.#value());
        return new LuaTable(items);
      }
      case 124 /* | */: {
        // attributes are read and dropped; the value they describe follows
        const count = Number(this.#line());
        for (let i = 0; i < count * 2; i++) this.#value();
        return this.#value();
      }
      default:
        return undefined;
    }
  }
}

/** The 64-bit integer a C cast gives for a Lua number: truncation; NaN and overflow as x86. */
export function toLongLong(n: number): bigint | number {
  if (Number.isNaN(n) || n >= 2 ** 63 || n < -(2 ** 63)) return -(2n ** 63n);
  const truncated = Math.trunc(n);
  return Number.isSafeInteger(truncated) ? truncated : BigInt(truncated);
}

/**
 * Writes what a script returned as the caller's reply (luaReplyToRedisReply). `luaResp` is the
 * protocol the script chose with redis.setresp (it decides how booleans are sent).
 */
export function writeLuaReply(
  w: RespWriter,
  value: LuaValue,
  luaResp: 2 | 3,
  /** `counted`: the error was counted where it arose ({@link countedErrorTable}) */
  onError: (text: string, counted: boolean) => void,
  depth = 0,
): void {
  switch (typeof value) {
    case 'string':
      w.bulk(value);
      return;
    case 'boolean':
      if (luaResp === 2) {
        if (value) w.integer(1);
        else w.nil();
      } else w.boolean(value);
      return;
    case 'number':
      w.integer(toLongLong(value));
      return;
    case 'undefined':
      w.nil();
      return;
    case 'function':
    case 'object':
    case 'bigint':
    case 'symbol':
    default:
      break;
  }
  if (!(value instanceof LuaTable)) {
    w.nil();
    return;
  }
  if (depth > 1000) {
    onError('ERR reached lua stack limit', false);
    return;
  }
  const hash = value.hash;
  if (hash.size !== 0) {
    const err = hash.get('err');
    if (typeof err === 'string') {
      onError(sanitize(err), hash.get('ignore_error_stats_update') === true);
      return;
    }
    const ok = hash.get('ok');
    if (typeof ok === 'string') {
      w.simple(ok.replace(/[\r\n]/g, ' '));
      return;
    }
    const double = hash.get('double');
    if (typeof double === 'number') {
      w.double(double);
      return;
    }
    const big = hash.get('big_number');
    if (typeof big === 'string') {
      const text = big.replace(/[\r\n]/g, ' ');
      // addReplyBigNum writes the text as it is: not checked to be a number
      if (w.protocol === 3) w.raw(Buffer.from(`(${text}\r\n`, 'latin1'));
      else w.bulk(text);
      return;
    }
    const verbatim = hash.get('verbatim_string');
    if (verbatim instanceof LuaTable) {
      const format = verbatim.get('format');
      const text = verbatim.get('string');
      if (typeof format === 'string' && typeof text === 'string') {
        w.verbatim(text, format);
        return;
      }
    }
    const map = hash.get('map');
    if (map instanceof LuaTable) {
      const entries: [LuaValue, LuaValue][] = [];
      let entry = map.next(undefined);
      while (entry) {
        entries.push(entry);
        entry = map.next(entry[0]);
      }
      w.mapHeader(entries.length);
      for (const [k, v] of entries) {
        writeLuaReply(w, k, luaResp, onError, depth + 1);
        writeLuaReply(w, v, luaResp, onError, depth + 1);
      }
      return;
    }
    const set = hash.get('set');
    if (set instanceof LuaTable) {
      const keys: LuaValue[] = [];
      let entry = set.next(undefined);
      while (entry) {
        keys.push(entry[0]);
        entry = set.next(entry[0]);
      }
      w.setHeader(keys.length);
      for (const k of keys) writeLuaReply(w, k, luaResp, onError, depth + 1);
      return;
    }
  }
  // an array: t[1], t[2]... up to the first nil
  let n = 0;
  while (value.get(n + 1) !== undefined) n++;
  w.arrayHeader(n);
  for (let i = 1; i <= n; i++) writeLuaReply(w, value.get(i), luaResp, onError, depth + 1);
}
