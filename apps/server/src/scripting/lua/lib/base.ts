import { str2number } from '../lexer.js';
import { NONE, type Helpers, type Runtime } from '../runtime.js';
import {
  CoroutineYield,
  LuaCoroutine,
  LuaError,
  LuaFunction,
  LuaTable,
  LuaUserdata,
  formatNumber,
  typeName,
  type LuaGenerator,
  type LuaResults,
  type LuaValue,
  type NativeFunction,
} from '../value.js';
import { ArgChecker } from './args.js';

/** What the base library needs from its interpreter. */
export interface BaseHost {
  readonly R: Runtime;
  readonly H: Helpers;
  /** compiles a chunk; returns the function or a syntax error message */
  load(source: string, chunkName: string): LuaFunction | string;
  /** tostring() of a value, honouring __tostring */
  tostring(value: LuaValue): string;
}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0x55d0c0f00000;

/** The "0x..." part of tostring() for a table, function, userdata or thread. */
export function addressOf(value: object): string {
  if (value instanceof LuaTable) return `0x${value.id.toString(16)}`;
  let id = functionIds.get(value);
  if (id === undefined) {
    id = nextFunctionId += 0x40;
    functionIds.set(value, id);
  }
  return `0x${id.toString(16)}`;
}

/** tostring() without metamethods. */
export function rawToString(value: LuaValue): string {
  switch (typeof value) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return formatNumber(value);
    case 'string':
      return value;
    case 'function':
    case 'object':
    case 'bigint':
    case 'symbol':
    default:
      return `${typeName(value)}: ${addressOf(value)}`;
  }
}

/** luaO_chunkid: how a chunk is named in messages ('[string "return 1"]', 'user_script'). */
export function chunkId(source: string): string {
  if (source.startsWith('=') || source.startsWith('@')) return source.slice(1);
  const newline = source.search(/[\n\r]/);
  let length = newline < 0 ? source.length : newline;
  const limit = 43;
  if (length > limit) length = limit;
  if (length < source.length) return `[string "${source.slice(0, length)}..."]`;
  return `[string "${source}"]`;
}

/** The base library (lbaselib.c) as Redis 7 leaves it: no print, dofile, loadfile, setfenv. */
export function baseLibrary(host: BaseHost, G: LuaTable): void {
  const { R, H } = host;
  const check = new ArgChecker(R);
  const set = (name: string, fn: NativeFunction | LuaFunction): void => G.set(name, fn);

  set('assert', (...args) => {
    const value = args[0];
    if (args.length === 0) check.error('assert', 1, 'value expected');
    if (value === undefined || value === false) {
      const message = check.optString('assert', args, 2, 'assertion failed!');
      throw R.error(message);
    }
    return args;
  });

  set('error', (...args) => {
    const value = args[0];
    const level = check.optInt('error', args, 2, 1);
    // level 1 is where error was called; the caller's position (level 2) is not tracked, and at
    // the main chunk (the common case) Lua has none to add either
    if ((typeof value === 'string' || typeof value === 'number') && level === 1 && R.l !== 0) {
      const text = typeof value === 'number' ? formatNumber(value) : value;
      throw new LuaError(`${R.chunk}:${R.l}: ${text}`, R.l);
    }
    throw new LuaError(value, R.l);
  });

  set('getmetatable', (...args) => {
    check.any('getmetatable', args, 1);
    const mt = H.metatableOf(args[0]);
    if (mt === undefined) return [undefined];
    const protectedValue = mt.hash.get('__metatable');
    return [protectedValue !== undefined ? protectedValue : mt];
  });

  set('setmetatable', (...args) => {
    const table = check.table('setmetatable', args, 1);
    const mt = args[1];
    if (mt !== undefined && !(mt instanceof LuaTable))
      check.error('setmetatable', 2, 'nil or table expected');
    if (table.metatable?.hash.get('__metatable') !== undefined)
      throw R.error('cannot change a protected metatable');
    if (table.readonly) throw new LuaError('Attempt to modify a readonly table', R.l);
    table.metatable = mt as LuaTable | undefined;
    return [table];
  });

  const ipairsAux: NativeFunction = (...args) => {
    const table = args[0] as LuaTable;
    const i = (args[1] as number) + 1;
    const value = table instanceof LuaTable ? table.get(i) : undefined;
    return value === undefined ? NONE : [i, value];
  };
  set('ipairs', (...args) => {
    const table = check.table('ipairs', args, 1);
    return [ipairsAux, table, 0];
  });

  const next: NativeFunction = (...args) => {
    const table = check.table('next', args, 1);
    const entry = table.next(args[1]);
    if (entry === false) throw new LuaError("invalid key to 'next'", R.l);
    return entry === undefined ? [undefined] : [entry[0], entry[1]];
  };
  set('next', next);
  set('pairs', (...args) => {
    const table = check.table('pairs', args, 1);
    return [next, table, undefined];
  });

  set(
    'pcall',
    new LuaFunction(function* pcall(...args: LuaValue[]): LuaGenerator {
      if (args.length === 0) check.error('pcall', 1, 'value expected');
      const fn = args[0];
      const rest = args.slice(1);
      try {
        let results: LuaResults;
        if (fn instanceof LuaFunction) results = yield* fn.g(...rest);
        else if (typeof fn === 'function') {
          // a native called by pcall has no Lua caller: its errors carry no position
          R.l = 0;
          results = fn(...rest);
        } else results = yield* H.callm(fn, rest, '', '');
        return [true, ...results];
      } catch (error) {
        // Redis's pcall hands the script the message of an error table ({err=...})
        const value = caught(error);
        if (value instanceof LuaTable) {
          const message = value.hash.get('err');
          if (typeof message === 'string') return [false, message];
        }
        return [false, value];
      }
    }, 'pcall'),
  );

  set(
    'xpcall',
    new LuaFunction(function* xpcall(...args: LuaValue[]): LuaGenerator {
      check.any('xpcall', args, 2);
      const fn = args[0];
      const handler = args[1];
      try {
        let results: LuaResults;
        if (fn instanceof LuaFunction) results = yield* fn.g();
        else if (typeof fn === 'function') {
          R.l = 0;
          results = fn();
        } else results = yield* H.callm(fn, [], '', '');
        return [true, ...results];
      } catch (error) {
        const value = caught(error);
        return [false, ...H.callSync(handler, [value])];
      }
    }, 'xpcall'),
  );

  set('rawequal', (...args) => {
    check.any('rawequal', args, 1);
    check.any('rawequal', args, 2);
    return [args[0] === args[1]];
  });
  set('rawget', (...args) => {
    const table = check.table('rawget', args, 1);
    check.any('rawget', args, 2);
    return [table.get(args[1])];
  });
  set('rawset', (...args) => {
    const table = check.table('rawset', args, 1);
    check.any('rawset', args, 2);
    check.any('rawset', args, 3);
    if (table.readonly) throw new LuaError('Attempt to modify a readonly table', R.l);
    const key = args[1];
    if (key === undefined) throw new LuaError('table index is nil', R.l);
    if (key !== key) throw new LuaError('table index is NaN', R.l);
    table.set(key, args[2]);
    return [table];
  });

  set('select', (...args) => {
    const n = args.length;
    if (args[0] === '#') return [n - 1];
    let i = check.int('select', args, 1);
    if (i < 0) i = n + i;
    else if (i > n) i = n;
    if (i < 1) check.error('select', 1, 'index out of range');
    return args.slice(i);
  });

  set('tonumber', (...args) => {
    const value = args[0];
    const base = check.optInt('tonumber', args, 2, 10);
    if (base === 10) {
      check.any('tonumber', args, 1);
      if (typeof value === 'number') return [value];
      if (typeof value === 'string') return [str2number(value)];
      return [undefined];
    }
    const text = check.string('tonumber', args, 1);
    if (base < 2 || base > 36) check.error('tonumber', 2, 'base out of range');
    return [parseUnsigned(text, base)];
  });

  set('tostring', (...args) => {
    check.any('tostring', args, 1);
    return [host.tostring(args[0])];
  });

  set('type', (...args) => {
    if (args.length === 0) check.error('type', 1, 'value expected');
    return [typeName(args[0])];
  });

  set('unpack', (...args) => {
    const table = check.table('unpack', args, 1);
    const i = check.optInt('unpack', args, 2, 1);
    const j = args[2] === undefined ? table.length() : check.int('unpack', args, 3);
    if (i > j) return NONE;
    const n = j - i + 1;
    if (n >= 8000 || !Number.isFinite(n)) throw R.error('too many results to unpack');
    const out = new Array<LuaValue>(n);
    const arr = table.arr;
    if (i >= 1 && j <= arr.length) for (let k = 0; k < n; k++) out[k] = arr[i - 1 + k];
    else for (let k = 0; k < n; k++) out[k] = table.get(i + k);
    return out;
  });

  const loadString: NativeFunction = (...args) => {
    const source = check.string('loadstring', args, 1);
    const name = check.optString('loadstring', args, 2, source);
    const result = host.load(source, chunkId(name));
    if (typeof result === 'string') return [undefined, result];
    return [result];
  };
  set('loadstring', loadString);

  set('load', (...args) => {
    const fn = args[0];
    const name = check.optString('load', args, 2, '=(load)');
    let source = '';
    if (typeof fn === 'string') source = fn;
    else {
      if (!(fn instanceof LuaFunction) && typeof fn !== 'function')
        check.typeError('load', args, 1, 'function');
      for (;;) {
        const piece = H.callSync(fn, [])[0];
        if (piece === undefined || piece === '') break;
        if (typeof piece !== 'string') throw R.error('reader function must return a string');
        source += piece;
      }
    }
    const result = host.load(source, chunkId(name));
    if (typeof result === 'string') return [undefined, result];
    return [result];
  });

  set('collectgarbage', (...args) => {
    const option = check.optString('collectgarbage', args, 1, 'collect');
    const options = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul'];
    if (!options.includes(option)) check.error('collectgarbage', 1, `invalid option '${option}'`);
    if (option === 'count') return [Math.round(process.memoryUsage().heapUsed / 1024)];
    if (option === 'step') return [false];
    return [0];
  });
  set('gcinfo', () => [Math.round(process.memoryUsage().heapUsed / 1024)]);

  G.set('_VERSION', 'Lua 5.1');
  G.set('_G', G);

  coroutineLibrary(host, G, check);
}

/** What pcall returns for a caught exception (re-throws what Lua cannot catch: SCRIPT KILL). */
export function caught(error: unknown): LuaValue {
  if (error instanceof LuaError) return error.value;
  if (error instanceof RangeError) return 'stack overflow';
  throw error;
}

/** strtoul in a base: the number, or undefined when the text is not entirely one. */
function parseUnsigned(text: string, base: number): number | undefined {
  const trimmed = text.replace(/^[\t\n\v\f\r ]+/, '');
  let i = 0;
  let negative = false;
  if (trimmed[0] === '-' || trimmed[0] === '+') {
    negative = trimmed[0] === '-';
    i = 1;
  }
  if (base === 16 && /^0[xX]/.test(trimmed.slice(i))) i += 2;
  let value = 0;
  const start = i;
  for (; i < trimmed.length; i++) {
    const c = trimmed.charCodeAt(i);
    const digit =
      c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : c >= 65 && c <= 90 ? c - 55 : 99;
    if (digit >= base) break;
    value = value * base + digit;
  }
  if (i === start) return undefined;
  if (trimmed.slice(i).replace(/[\t\n\v\f\r ]+$/, '') !== '') return undefined;
  return negative ? (value === 0 ? 0 : 2 ** 64 - value) : value;
}

function coroutineLibrary(host: BaseHost, G: LuaTable, check: ArgChecker): void {
  const { R } = host;
  const lib = new LuaTable();
  let current: LuaCoroutine | undefined;

  const coroutineOf = (fname: string, args: LuaValue[]): LuaCoroutine => {
    const co = args[0];
    if (co instanceof LuaCoroutine) return co;
    return check.typeError(fname, args, 1, 'coroutine');
  };

  /** Resumes a coroutine; yields preemption requests upward; returns [ok, ...values]. */
  function* resume(co: LuaCoroutine, values: LuaValue[]): LuaGenerator {
    if (co.status === 'dead') return [false, 'cannot resume dead coroutine'];
    if (co.status !== 'suspended') return [false, 'cannot resume non-suspended coroutine'];
    const previous = current;
    if (previous) previous.status = 'normal';
    current = co;
    co.status = 'running';
    // the coroutine may yield unless a native between it and this resume cannot be suspended
    const noYield = R.noYield;
    R.noYield = 0;
    try {
      let input: LuaResults | undefined = values;
      if (co.generator === undefined) {
        const fn = co.fn;
        if (fn instanceof LuaFunction) co.generator = fn.g(...values);
        else {
          // a native as a coroutine body: runs to its end on the first resume
          const results = host.H.callSync(fn, values);
          co.status = 'dead';
          return [true, ...results];
        }
        input = undefined;
      }
      for (;;) {
        const step = co.generator.next(input);
        if (step.done) {
          co.status = 'dead';
          return [true, ...step.value];
        }
        if (step.value instanceof CoroutineYield) {
          co.status = 'suspended';
          return [true, ...step.value.values];
        }
        // a preemption request: pass it up, then continue where it stopped
        input = yield step.value;
      }
    } catch (error) {
      co.status = 'dead';
      return [false, caught(error)];
    } finally {
      R.noYield = noYield;
      current = previous;
      if (previous) previous.status = 'running';
    }
  }

  lib.set('create', (...args) => {
    const fn = args[0];
    if (!(fn instanceof LuaFunction) && typeof fn !== 'function')
      check.error('create', 1, 'Lua function expected');
    return [new LuaCoroutine(fn)];
  });
  lib.set(
    'resume',
    new LuaFunction(function* (...args: LuaValue[]): LuaGenerator {
      const co = coroutineOf('resume', args);
      return yield* resume(co, args.slice(1));
    }, 'resume'),
  );
  lib.set(
    'yield',
    new LuaFunction(function* (...args: LuaValue[]): LuaGenerator {
      if (current === undefined || R.noYield > 0)
        throw new LuaError('attempt to yield across metamethod/C-call boundary', R.l);
      const values = yield new CoroutineYield(args);
      return values ?? NONE;
    }, 'yield'),
  );
  lib.set('status', (...args) => [coroutineOf('status', args).status]);
  lib.set('running', () => [current]);
  lib.set('wrap', (...args) => {
    const fn = args[0];
    if (!(fn instanceof LuaFunction) && typeof fn !== 'function')
      check.error('wrap', 1, 'Lua function expected');
    const co = new LuaCoroutine(fn);
    return [
      new LuaFunction(function* (...values: LuaValue[]): LuaGenerator {
        const results = yield* resume(co, values);
        if (results[0] === true) return results.slice(1);
        const error = results[1];
        throw new LuaError(
          typeof error === 'string' ? error : error === undefined ? undefined : error,
          R.l,
        );
      }, 'wrap'),
    ];
  });
  G.set('coroutine', lib);
  void LuaUserdata;
}
