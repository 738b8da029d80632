import type { LuaInterpreter } from '../interpreter.js';
import {
  LuaTable,
  LuaUserdata,
  formatG,
  typeName,
  type LuaValue,
  type NativeFunction,
} from '../value.js';
import { ArgChecker } from './args.js';

/**
 * lua-cjson 2.1 as Redis ships it: cjson.encode / cjson.decode with its defaults (numbers with
 * %.14g, "/" escaped as "\/", sparse arrays refused, nesting limited to 1000) and its error
 * texts. `cjson.null` is the sentinel decode returns for JSON null.
 */

interface CjsonConfig {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  precision: number;
  encodeInvalidNumbers: boolean | 'null';
  decodeInvalidNumbers: boolean;
  keepBuffer: boolean;
}

const ESCAPES: string[] = [];
for (let c = 0; c < 256; c++) {
  if (c < 32 || c === 127) ESCAPES[c] = `\\u${c.toString(16).padStart(4, '0')}`;
}
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[47] = '\\/';
ESCAPES[92] = '\\\\';

function escapeString(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const escape = ESCAPES[text.charCodeAt(i)];
    if (escape !== undefined) {
      out += text.slice(start, i) + escape;
      start = i + 1;
    }
  }
  return out + text.slice(start) + '"';
}

export function cjsonLibrary(lua: LuaInterpreter): LuaTable {
  return createCjson(lua, {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    precision: 14,
    encodeInvalidNumbers: false,
    decodeInvalidNumbers: true,
    keepBuffer: true,
  });
}

function createCjson(lua: LuaInterpreter, config: CjsonConfig): LuaTable {
  const R = lua.R;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const NULL = new LuaUserdata('cjson.null');
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);

  const formatNumber = (n: number): string => {
    if (!Number.isFinite(n)) {
      if (config.encodeInvalidNumbers === 'null') return 'null';
      if (!config.encodeInvalidNumbers)
        throw R.error('Cannot serialise number: must not be NaN or Inf');
      return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
    }
    if (Number.isInteger(n) && Math.abs(n) < 1e14 && config.precision >= 14)
      return Object.is(n, -0) ? '-0' : String(n);
    return formatG(n, config.precision, false);
  };

  /** lua_array_length: the array size, or -1 for an object; refuses excessively sparse arrays. */
  const arrayLength = (table: LuaTable): number => {
    let max = 0;
    let items = 0;
    let entry = table.next(undefined);
    while (entry) {
      const key = entry[0];
      if (typeof key === 'number' && Number.isInteger(key) && key >= 1) {
        if (key > max) max = key;
        items++;
      } else return -1;
      entry = table.next(key);
    }
    if (config.sparseRatio > 0 && max > items * config.sparseRatio && max > config.sparseSafe) {
      if (!config.sparseConvert) throw R.error('Cannot serialise table: excessively sparse array');
      return -1;
    }
    return max;
  };

  const encode = (value: LuaValue, depth: number): string => {
    switch (typeof value) {
      case 'string':
        return escapeString(value);
      case 'number':
        return formatNumber(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return 'null';
      case 'function':
      case 'object':
      case 'bigint':
      case 'symbol':
      default:
        break;
    }
    if (value === NULL) return 'null';
    if (value instanceof LuaTable) {
      if (depth + 1 > config.encodeMaxDepth)
        throw R.error(`Cannot serialise, excessive nesting (${depth + 1})`);
      const length = arrayLength(value);
      if (length > 0) {
        const parts: string[] = [];
        for (let i = 1; i <= length; i++) parts.push(encode(value.get(i), depth + 1));
        return `[${parts.join(',')}]`;
      }
      const parts: string[] = [];
      let entry = value.next(undefined);
      while (entry) {
        const [key, item] = entry;
        let name: string;
        if (typeof key === 'string') name = escapeString(key);
        else if (typeof key === 'number') name = `"${formatNumber(key)}"`;
        else
          throw R.error(`Cannot serialise ${typeName(key)}: table key must be a number or string`);
        parts.push(`${name}:${encode(item, depth + 1)}`);
        entry = value.next(key);
      }
      return `{${parts.join(',')}}`;
    }
    throw R.error(`Cannot serialise ${typeName(value)}: type not supported`);
  };

  set('encode', (...args) => {
    if (args.length !== 1) throw R.error('expected 1 argument');
    return [encode(args[0], 0)];
  });

  set('decode', (...args) => {
    if (args.length !== 1) throw R.error('expected 1 argument');
    const text = check.string('decode', args, 1);
    return [new JsonDecoder(text, config, NULL, (message) => R.error(message)).decodeTop()];
  });

  const configNumber = (
    name: string,
    args: LuaValue[],
    get: () => number,
    put: (n: number) => void,
    min: number,
    max: number,
  ): number[] => {
    if (args.length > 0 && args[0] !== undefined) {
      const n = check.int(name, args, 1);
      if (n < min || n > max) check.error(name, 1, `expected integer between ${min} and ${max}`);
      put(n);
    }
    return [get()];
  };
  set('encode_max_depth', (...args) =>
    configNumber(
      'encode_max_depth',
      args,
      () => config.encodeMaxDepth,
      (n) => (config.encodeMaxDepth = n),
      1,
      2 ** 31 - 1,
    ),
  );
  set('decode_max_depth', (...args) =>
    configNumber(
      'decode_max_depth',
      args,
      () => config.decodeMaxDepth,
      (n) => (config.decodeMaxDepth = n),
      1,
      2 ** 31 - 1,
    ),
  );
  set('encode_number_precision', (...args) =>
    configNumber(
      'encode_number_precision',
      args,
      () => config.precision,
      (n) => (config.precision = n),
      1,
      14,
    ),
  );
  set('encode_keep_buffer', (...args) => {
    if (args.length > 0)
      config.keepBuffer = args[0] !== undefined && args[0] !== false && args[0] !== 'off';
    return [config.keepBuffer];
  });
  set('encode_sparse_array', (...args) => {
    if (args.length > 0 && args[0] !== undefined)
      config.sparseConvert = args[0] !== false && args[0] !== 'off';
    if (args.length > 1 && args[1] !== undefined)
      config.sparseRatio = check.int('encode_sparse_array', args, 2);
    if (args.length > 2 && args[2] !== undefined)
      config.sparseSafe = check.int('encode_sparse_array', args, 3);
    return [config.sparseConvert, config.sparseRatio, config.sparseSafe];
  });
  set('encode_invalid_numbers', (...args) => {
    if (args.length > 0 && args[0] !== undefined)
      config.encodeInvalidNumbers =
        args[0] === 'null' ? 'null' : args[0] !== false && args[0] !== 'off';
    return [config.encodeInvalidNumbers === 'null' ? 'null' : config.encodeInvalidNumbers];
  });
  set('decode_invalid_numbers', (...args) => {
    if (args.length > 0 && args[0] !== undefined)
      config.decodeInvalidNumbers = args[0] !== false && args[0] !== 'off';
    return [config.decodeInvalidNumbers];
  });
  set('new', () => [createCjson(lua, { ...config })]);
  lib.set('null', NULL);
  lib.set('_NAME', 'cjson');
  lib.set('_VERSION', '2.1.0');
  return lib;
}

const WHITESPACE = new Set([32, 9, 10, 13]);

/** A JSON decoder with lua-cjson's tokens and messages ("Expected value but found ..."). */
class JsonDecoder {
  #at = 0;
  #depth = 0;
  constructor(
    readonly text: string,
    readonly config: CjsonConfig,
    readonly NULL: LuaUserdata,
    readonly fail: (message: string) => Error,
  ) {}

  decodeTop(): LuaValue {
    const value = this.#value(this.#token());
    const token = this.#token();
    if (token.type !== 'end') throw this.#error('the end', token);
    return value;
  }

  #error(expected: string, token: Token): Error {
    let found: string;
    if (token.type === 'error') found = token.message ?? 'invalid token';
    else if (token.type === 'value') {
      const value = token.value;
      found =
        value === this.NULL
          ? 'T_NULL'
          : typeof value === 'string'
            ? 'T_STRING'
            : typeof value === 'number'
              ? 'T_NUMBER'
              : typeof value === 'boolean'
                ? 'T_BOOLEAN'
                : 'T_UNKNOWN';
    } else found = TOKEN_NAMES[token.type];
    return this.fail(`Expected ${expected} but found ${found} at character ${token.at + 1}`);
  }

  #token(): Token {
    const text = this.text;
    while (this.#at < text.length && WHITESPACE.has(text.charCodeAt(this.#at))) this.#at++;
    const at = this.#at;
    if (at >= text.length) return { type: 'end', at };
    const c = text[at] ?? '';
    switch (c) {
      case '{':
        this.#at++;
        return { type: 'objBegin', at };
      case '}':
        this.#at++;
        return { type: 'objEnd', at };
      case '[':
        this.#at++;
        return { type: 'arrBegin', at };
      case ']':
        this.#at++;
        return { type: 'arrEnd', at };
      case ',':
        this.#at++;
        return { type: 'comma', at };
      case ':':
        this.#at++;
        return { type: 'colon', at };
      case '"':
        return this.#string();
      default:
        break;
    }
    if (text.startsWith('true', at)) {
      this.#at += 4;
      return { type: 'value', at, value: true };
    }
    if (text.startsWith('false', at)) {
      this.#at += 5;
      return { type: 'value', at, value: false };
    }
    if (text.startsWith('null', at)) {
      this.#at += 4;
      return { type: 'value', at, value: this.NULL };
    }
    return this.#number();
  }

  #number(): Token {
    const at = this.#at;
    const text = this.text;
    const match =
      /^-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)/i.exec(
        text.slice(at, at + 400),
      );
    if (!match) return { type: 'error', at, message: 'invalid token' };
    const raw = match[0];
    const lower = raw.toLowerCase();
    const special = /inf|nan|0x/.test(lower);
    if (special && !this.config.decodeInvalidNumbers)
      return { type: 'error', at, message: 'invalid number' };
    // JSON numbers may not have leading zeros or start with '.'
    if (!special && /^-?(0\d|\.)/.test(raw))
      return { type: 'error', at, message: 'invalid number' };
    this.#at += raw.length;
    let value: number;
    if (lower.includes('nan')) value = NaN;
    else if (lower.includes('inf')) value = lower.startsWith('-') ? -Infinity : Infinity;
    else if (lower.includes('0x'))
      value = (raw.startsWith('-') ? -1 : 1) * parseInt(lower.replace('-', ''), 16);
    else value = Number(raw);
    return { type: 'value', at, value };
  }

  #string(): Token {
    const text = this.text;
    const at = this.#at;
    let i = at + 1;
    let out = '';
    for (;;) {
      if (i >= text.length) return { type: 'error', at: i, message: 'unexpected end of string' };
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) return { type: 'error', at: i, message: 'invalid token' };
      if (c !== 92) {
        out += text[i];
        i++;
        continue;
      }
      const e = text[i + 1] ?? '';
      i += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          let code = this.#hex4(i);
          if (code < 0) return { type: 'error', at, message: 'invalid unicode escape code' };
          i += 4;
          if (code >= 0xd800 && code <= 0xdbff) {
            // a surrogate pair must follow
            if (text[i] !== '\\' || text[i + 1] !== 'u')
              return { type: 'error', at, message: 'invalid unicode escape code' };
            const low = this.#hex4(i + 2);
            if (low < 0xdc00 || low > 0xdfff)
              return { type: 'error', at, message: 'invalid unicode escape code' };
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          } else if (code >= 0xdc00 && code <= 0xdfff)
            return { type: 'error', at, message: 'invalid unicode escape code' };
          out += Buffer.from(String.fromCodePoint(code), 'utf8').toString('latin1');
          break;
        }
        default:
          return { type: 'error', at, message: 'invalid escape code' };
      }
    }
    this.#at = i + 1;
    return { type: 'value', at, value: out };
  }

  #hex4(i: number): number {
    const digits = this.text.slice(i, i + 4);
    return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
  }

  #enter(token: Token): void {
    if (++this.#depth > this.config.decodeMaxDepth)
      throw this.fail(
        `Found too many nested data structures (${this.#depth}) at character ${token.at + 1}`,
      );
  }

  #value(token: Token): LuaValue {
    switch (token.type) {
      case 'value':
        return token.value;
      case 'objBegin': {
        this.#enter(token);
        const table = new LuaTable();
        let next = this.#token();
        if (next.type === 'objEnd') {
          this.#depth--;
          return table;
        }
        for (;;) {
          if (next.type !== 'value' || typeof next.value !== 'string')
            throw this.#error('object key string', next);
          const key = next.value;
          const colon = this.#token();
          if (colon.type !== 'colon') throw this.#error('colon', colon);
          table.set(key, this.#value(this.#token()));
          next = this.#token();
          if (next.type === 'objEnd') break;
          if (next.type !== 'comma') throw this.#error('comma or object end', next);
          next = this.#token();
        }
        this.#depth--;
        return table;
      }
      case 'arrBegin': {
        this.#enter(token);
        const items: LuaValue[] = [];
        let next = this.#token();
        if (next.type === 'arrEnd') {
          this.#depth--;
          return new LuaTable(items);
        }
        for (;;) {
          items.push(this.#value(next));
          next = this.#token();
          if (next.type === 'arrEnd') break;
          if (next.type !== 'comma') throw this.#error('comma or array end', next);
          next = this.#token();
        }
        this.#depth--;
        return new LuaTable(items);
      }
      case 'arrEnd':
      case 'colon':
      case 'comma':
      case 'end':
      case 'error':
      case 'objEnd':
        throw this.#error('value', token);
    }
  }
}

interface Token {
  type:
    'objBegin' | 'objEnd' | 'arrBegin' | 'arrEnd' | 'comma' | 'colon' | 'value' | 'end' | 'error';
  at: number;
  value?: LuaValue;
  message?: string;
}

const TOKEN_NAMES: Record<Token['type'], string> = {
  objBegin: 'T_OBJ_BEGIN',
  objEnd: 'T_OBJ_END',
  arrBegin: 'T_ARR_BEGIN',
  arrEnd: 'T_ARR_END',
  comma: 'T_COMMA',
  colon: 'T_COLON',
  value: 'T_UNKNOWN',
  end: 'T_END',
  error: 'T_ERROR',
};
