import { str2number } from './lexer.js';
import {
  CoroutineYield,
  LuaError,
  LuaFunction,
  LuaTable,
  LuaUserdata,
  PreemptSignal,
  formatNumber,
  typeName,
  type LuaGenerator,
  type LuaResults,
  type LuaValue,
  type NativeFunction,
} from './value.js';

/** The shared empty result list (never mutated). */
export const NONE: LuaResults = [];

/**
 * The state one Lua interpreter shares with the code it compiles: the current line (for errors
 * raised by natives), the instruction budget and time-slice hook, and the string metatable.
 *
 * Compiled code reads and writes `l` and `b` on every call and loop iteration, so they are plain
 * fields of one object of stable shape.
 */
export class Runtime {
  /** line of the Lua call site that called the running native (luaL_where level 1) */
  l = 0;
  /** countdown to the next hook check (decremented at loop iterations and function entries) */
  b = 1000;
  /** what the chunk name of errors raised by natives is ("user_script") */
  chunk = 'user_script';
  /** >0 while a native runs Lua code it cannot suspend (sort comparator, gsub callback...) */
  noYield = 0;
  readonly P = new PreemptSignal();
  stringMeta: LuaTable | undefined = undefined;
  /**
   * Called when the budget runs out: returns true to yield (the time slice is over). It may throw
   * (SCRIPT KILL). Resets `b`.
   */
  hook: (line: number) => boolean = () => {
    this.b = 1000;
    return false;
  };

  /** The count hook: `line` is where the running Lua code is. */
  tick(line: number): boolean {
    return this.hook(line);
  }

  /**
   * An error with the position of the calling Lua code, as luaL_error adds it (none when the
   * native was called by another native, such as pcall: `l` is 0 then).
   */
  error(message: string): LuaError {
    if (this.l === 0) return new LuaError(message, 0);
    return new LuaError(`${this.chunk}:${this.l}: ${message}`, this.l);
  }
}

export type Helpers = ReturnType<typeof createHelpers>;

/** The operators and metamethod fallbacks compiled code calls. */
export function createHelpers(R: Runtime) {
  /** A runtime error at a compiled position ("user_script:12"). */
  const rterr = (pos: string, message: string): LuaError =>
    pos === ''
      ? new LuaError(message, R.l)
      : new LuaError(`${pos}: ${message}`, Number(pos.slice(pos.lastIndexOf(':') + 1)));

  const typeError = (pos: string, value: LuaValue, op: string, desc: string): LuaError =>
    rterr(
      pos,
      desc
        ? `attempt to ${op} ${desc} (a ${typeName(value)} value)`
        : `attempt to ${op} a ${typeName(value)} value`,
    );

  const metatableOf = (value: LuaValue): LuaTable | undefined => {
    if (value instanceof LuaTable || value instanceof LuaUserdata) return value.metatable;
    if (typeof value === 'string') return R.stringMeta;
    return undefined;
  };

  const metamethod = (value: LuaValue, event: string): LuaValue => {
    const mt = metatableOf(value);
    return mt === undefined ? undefined : mt.hash.get(event);
  };

  /** Calls any callable value from native code (not suspendable). */
  const callSync = (
    fn: LuaValue,
    args: LuaValue[],
    pos = `${R.chunk}:${R.l}`,
    desc = '',
  ): LuaResults => {
    if (fn instanceof LuaFunction) return runSync(fn.g(...args));
    if (typeof fn === 'function') return fn(...args);
    const handler = metamethod(fn, '__call');
    if (handler === undefined) throw typeError(pos, fn, 'call', desc);
    return callSync(handler, [fn, ...args], pos);
  };

  /** Drives a generator to its end; preemption requests are ignored (a C-call boundary). */
  const runSync = (generator: LuaGenerator): LuaResults => {
    R.noYield++;
    try {
      let step = generator.next();
      while (!step.done) {
        if (step.value instanceof CoroutineYield)
          throw R.error('attempt to yield across metamethod/C-call boundary');
        step = generator.next();
      }
      return step.value;
    } finally {
      R.noYield--;
    }
  };

  function* callm(fn: LuaValue, args: LuaValue[], pos: string, desc: string): LuaGenerator {
    const handler = metamethod(fn, '__call');
    if (handler === undefined) throw typeError(pos, fn, 'call', desc);
    if (handler instanceof LuaFunction) return yield* handler.g(fn, ...args);
    return callSync(handler, [fn, ...args], pos);
  }

  const index = (object: LuaValue, key: LuaValue, pos: string, desc: string): LuaValue => {
    for (let loop = 0; loop < 100; loop++) {
      let handler: LuaValue;
      if (object instanceof LuaTable) {
        const value = object.get(key);
        if (value !== undefined) return value;
        const mt = object.metatable;
        if (mt === undefined) return undefined;
        handler = mt.hash.get('__index');
        if (handler === undefined) return undefined;
      } else {
        handler = metamethod(object, '__index');
        if (handler === undefined) throw typeError(pos, object, 'index', desc);
      }
      if (handler instanceof LuaFunction || typeof handler === 'function') {
        if (pos !== '') R.l = Number(pos.slice(pos.lastIndexOf(':') + 1));
        return callSync(handler, [object, key], pos)[0];
      }
      object = handler;
      desc = '';
    }
    throw rterr(pos, 'loop in gettable');
  };

  /** t[k] */
  const idx = (object: LuaValue, key: LuaValue, pos: string, desc: string): LuaValue => {
    if (object instanceof LuaTable) {
      const value = object.get(key);
      if (value !== undefined || object.metatable === undefined) return value;
    }
    return index(object, key, pos, desc);
  };

  /** t.name (a constant string key) */
  const idxs = (object: LuaValue, key: string, pos: string, desc: string): LuaValue => {
    if (object instanceof LuaTable) {
      const value = object.hash.get(key);
      if (value !== undefined || object.metatable === undefined) return value;
    }
    return index(object, key, pos, desc);
  };

  const checkKey = (key: LuaValue, pos: string): void => {
    if (key === undefined) throw rterr(pos, 'table index is nil');
    if (key !== key) throw rterr(pos, 'table index is NaN');
  };

  /** t[k] = v */
  const setidx = (
    object: LuaValue,
    key: LuaValue,
    value: LuaValue,
    pos: string,
    desc: string,
  ): void => {
    for (let loop = 0; loop < 100; loop++) {
      let handler: LuaValue;
      if (object instanceof LuaTable) {
        const mt = object.metatable;
        if (mt === undefined || object.get(key) !== undefined) {
          if (object.readonly) throw rterr(pos, 'Attempt to modify a readonly table');
          checkKey(key, pos);
          object.set(key, value);
          return;
        }
        handler = mt.hash.get('__newindex');
        if (handler === undefined) {
          if (object.readonly) throw rterr(pos, 'Attempt to modify a readonly table');
          checkKey(key, pos);
          object.set(key, value);
          return;
        }
      } else {
        handler = metamethod(object, '__newindex');
        if (handler === undefined) throw typeError(pos, object, 'index', desc);
      }
      if (handler instanceof LuaFunction || typeof handler === 'function') {
        if (pos !== '') R.l = Number(pos.slice(pos.lastIndexOf(':') + 1));
        callSync(handler, [object, key, value], pos);
        return;
      }
      object = handler;
      desc = '';
    }
    throw rterr(pos, 'loop in settable');
  };

  const toNumber = (value: LuaValue): number | undefined => {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') return str2number(value);
    return undefined;
  };

  const ARITH_EVENTS = ['__add', '__sub', '__mul', '__div', '__mod', '__pow', '__unm'] as const;

  /** Arithmetic slow path: string coercion, metamethods, errors. op: + - * / % ^ unm = 0..6 */
  const arith = (
    op: number,
    a: LuaValue,
    b: LuaValue,
    pos: string,
    descA: string,
    descB: string,
  ): LuaValue => {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) return arithRaw(op, x, y);
    const event = ARITH_EVENTS[op] ?? '__add';
    let handler = metamethod(a, event);
    if (handler === undefined) handler = metamethod(b, event);
    if (handler !== undefined) return callSync(handler, [a, b], pos)[0];
    if (x === undefined) throw typeError(pos, a, 'perform arithmetic on', descA);
    throw typeError(pos, b, 'perform arithmetic on', descB);
  };

  const arithRaw = (op: number, x: number, y: number): number => {
    switch (op) {
      case 0:
        return x + y;
      case 1:
        return x - y;
      case 2:
        return x * y;
      case 3:
        return x / y;
      case 4:
        return x - Math.floor(x / y) * y;
      case 5:
        return Math.pow(x, y);
      default:
        return -x;
    }
  };

  /** a .. b slow path */
  const cc = (a: LuaValue, b: LuaValue, pos: string, descA: string, descB: string): LuaValue => {
    const sa = typeof a === 'string' ? a : typeof a === 'number' ? formatNumber(a) : undefined;
    const sb = typeof b === 'string' ? b : typeof b === 'number' ? formatNumber(b) : undefined;
    if (sa !== undefined && sb !== undefined) return sa + sb;
    let handler = metamethod(a, '__concat');
    if (handler === undefined) handler = metamethod(b, '__concat');
    if (handler !== undefined) return callSync(handler, [a, b], pos)[0];
    if (sa === undefined) throw typeError(pos, a, 'concatenate', descA);
    throw typeError(pos, b, 'concatenate', descB);
  };

  const orderError = (pos: string, a: LuaValue, b: LuaValue): LuaError => {
    const ta = typeName(a);
    const tb = typeName(b);
    return rterr(
      pos,
      ta === tb ? `attempt to compare two ${ta} values` : `attempt to compare ${ta} with ${tb}`,
    );
  };

  const compareMeta = (
    a: LuaValue,
    b: LuaValue,
    event: '__lt' | '__le',
    pos: string,
  ): boolean | undefined => {
    if (typeName(a) !== typeName(b)) return undefined;
    const h1 = metamethod(a, event);
    if (h1 === undefined) return undefined;
    const h2 = metamethod(b, event);
    if (h1 !== h2) return undefined;
    const result = callSync(h1, [a, b], pos)[0];
    return result !== undefined && result !== false;
  };

  /** a < b */
  const lt = (a: LuaValue, b: LuaValue, pos: string): boolean => {
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    if (typeof a === 'string' && typeof b === 'string') return a < b;
    const result = compareMeta(a, b, '__lt', pos);
    if (result === undefined) throw orderError(pos, a, b);
    return result;
  };

  /** a <= b */
  const le = (a: LuaValue, b: LuaValue, pos: string): boolean => {
    if (typeof a === 'number' && typeof b === 'number') return a <= b;
    if (typeof a === 'string' && typeof b === 'string') return a <= b;
    const result = compareMeta(a, b, '__le', pos);
    if (result !== undefined) return result;
    const inverse = compareMeta(b, a, '__lt', pos);
    if (inverse === undefined) throw orderError(pos, a, b);
    return !inverse;
  };

  /** a == b, for a !== b: __eq of two tables (or two userdata) */
  const eq = (a: LuaValue, b: LuaValue, pos: string): boolean => {
    if (!(
      (a instanceof LuaTable && b instanceof LuaTable) ||
      (a instanceof LuaUserdata && b instanceof LuaUserdata)
    ))
      return false;
    const h1 = metamethod(a, '__eq');
    if (h1 === undefined) return false;
    const h2 = metamethod(b, '__eq');
    if (h1 !== h2) return false;
    const result = callSync(h1, [a, b], pos)[0];
    return result !== undefined && result !== false;
  };

  /** #v */
  const len = (value: LuaValue, pos: string, desc: string): LuaValue => {
    if (typeof value === 'string') return value.length;
    if (value instanceof LuaTable) return value.length();
    const handler = metamethod(value, '__len');
    if (handler !== undefined) return callSync(handler, [value], pos)[0];
    throw typeError(pos, value, 'get length of', desc);
  };

  /** -v slow path */
  const unm = (value: LuaValue, pos: string, desc: string): LuaValue => {
    const x = toNumber(value);
    if (x !== undefined) return -x;
    const handler = metamethod(value, '__unm');
    if (handler !== undefined) return callSync(handler, [value, value], pos)[0];
    throw typeError(pos, value, 'perform arithmetic on', desc);
  };

  /** numeric for: the initial value, limit and step coerced (strings allowed, as in 5.1) */
  const forNum = (value: LuaValue, what: string, pos: string): number => {
    const n = toNumber(value);
    if (n === undefined) throw rterr(pos, `'for' ${what} must be a number`);
    return n;
  };

  /**
   * A table constructor: key/value pairs are stored as they are met and positional values at the
   * end (Lua's SETLIST), so `{[1]='a', 'b'}` has t[1] == 'b'.
   */
  const tbl = (arr: LuaValue[], pairs: LuaValue[] | undefined, pos: string): LuaTable => {
    if (pairs === undefined) {
      let end = arr.length;
      while (end > 0 && arr[end - 1] === undefined) end--;
      if (end !== arr.length) arr.length = end;
      return new LuaTable(arr);
    }
    const table = new LuaTable();
    for (let i = 0; i < pairs.length; i += 2) {
      const key = pairs[i];
      checkKey(key, pos);
      table.set(key, pairs[i + 1]);
    }
    for (let i = 0; i < arr.length; i++) table.set(i + 1, arr[i]);
    return table;
  };

  /** Calls with a known global name for errors (`desc` is "global 'f'" and so on). */
  const notCallable = (fn: LuaValue, pos: string, desc: string): LuaError =>
    typeError(pos, fn, 'call', desc);

  return {
    idx,
    idxs,
    setidx,
    arith,
    cc,
    lt,
    le,
    eq,
    len,
    unm,
    forNum,
    tbl,
    callm,
    callSync,
    runSync,
    metamethod,
    metatableOf,
    toNumber,
    notCallable,
    checkKey,
    rterr,
    LuaTable,
    LuaFunction,
    NONE,
  };
}

/** A native function with a name (for error messages such as "bad argument #1 to 'insert'"). */
export type Native = NativeFunction;
