/**
 * Lua 5.1 values in JavaScript:
 *
 *     nil      undefined          boolean  boolean
 *     number   number (a double, as in Lua 5.1: no integer subtype)
 *     string   string, latin1 (one char per byte: the bytes Redis handed over, unchanged)
 *     table    LuaTable           function LuaFunction (compiled Lua) or NativeFunction
 *     userdata LuaUserdata        thread   LuaCoroutine
 */

/** A value a Lua script can hold. */
export type LuaValue =
  | undefined
  | boolean
  | number
  | string
  | LuaTable
  | LuaFunction
  | NativeFunction
  | LuaUserdata
  | LuaCoroutine;

/** The values a call returns (a shared empty array for none: never mutate a returned array). */
export type LuaResults = LuaValue[];

/** A function written in JavaScript (a C function in Lua terms); it may throw a LuaError. */
export type NativeFunction = (...args: LuaValue[]) => LuaResults;

/** What a running Lua function yields: a preemption request or a coroutine.yield. */
export type LuaYield = PreemptSignal | CoroutineYield;

/** The generator a Lua function body compiles to. */
export type LuaGenerator = Generator<LuaYield, LuaResults, LuaResults | undefined>;

/** Marks a yield that asks the driver to return to the event loop (time slice over). */
export class PreemptSignal {
  readonly kind = 'preempt';
}

/** A coroutine.yield in flight, with its values. */
export class CoroutineYield {
  readonly kind = 'coroutine';
  constructor(readonly values: LuaResults) {}
}

/**
 * A function compiled from Lua (or a native that must be able to yield, such as pcall): its body
 * is a generator, so a long script can be suspended at a loop or call and resumed later.
 */
export class LuaFunction {
  constructor(
    readonly g: (...args: LuaValue[]) => LuaGenerator,
    readonly name: string,
  ) {}
}

/** A full userdata (cjson.null is a light userdata in Redis; the same sentinel role here). */
export class LuaUserdata {
  metatable: LuaTable | undefined = undefined;
  constructor(readonly name: string) {}
}

/** A coroutine: a suspended Lua function. */
export class LuaCoroutine {
  status: 'suspended' | 'running' | 'normal' | 'dead' = 'suspended';
  generator: LuaGenerator | undefined = undefined;
  constructor(readonly fn: LuaValue) {}
}

/** A Lua error in flight: `value` is what error() was called with (usually a string). */
export class LuaError extends Error {
  /** the line the error was raised at, in the innermost Lua function (Redis reports it) */
  line: number;
  constructor(
    readonly value: LuaValue,
    line = 0,
  ) {
    super(typeof value === 'string' ? value : typeof value === 'number' ? String(value) : 'error');
    this.name = 'LuaError';
    this.line = line;
  }
}

/** Raised when SCRIPT KILL / FUNCTION KILL stops a script (not catchable by pcall). */
export class LuaKilled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaKilled';
  }
}

/**
 * A Lua table: an array part (t[1..n] in `arr[0..n-1]`) and a hash part (a Map). Keys that
 * are numbers with an integer value are stored as such; -0 and 0 are one key (Map's SameValueZero).
 */
export class LuaTable {
  /** t[1..arr.length]; holes are undefined */
  arr: LuaValue[];
  readonly hash: Map<LuaValue, LuaValue>;
  metatable: LuaTable | undefined = undefined;
  /** Redis locks the globals and library tables: writes raise "Attempt to modify a readonly table" */
  readonly = false;
  /** next(): the key the cached iterator last returned, and the iterator */
  #iterKey: LuaValue = undefined;
  #iter: Iterator<[LuaValue, LuaValue]> | undefined = undefined;
  /** a stable id for tostring() ("table: 0x...") */
  #id = 0;
  static #nextId = 0x55d0c0de0000;

  constructor(arr: LuaValue[] = [], hash?: Map<LuaValue, LuaValue>) {
    this.arr = arr;
    this.hash = hash ?? new Map<LuaValue, LuaValue>();
  }

  get id(): number {
    if (this.#id === 0) this.#id = LuaTable.#nextId += 0x40;
    return this.#id;
  }

  /** Raw get (rawget). O(1). */
  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const arr = this.arr;
      if (key >= 1 && key <= arr.length && (key | 0) === key) return arr[key - 1];
    }
    return this.hash.get(key);
  }

  /** Raw get of a string key. O(1). */
  getStr(key: string): LuaValue {
    return this.hash.get(key);
  }

  /**
   * Raw set (rawset) without the readonly check. Keys nil and NaN are refused by the callers.
   * Amortized O(1).
   */
  set(key: LuaValue, value: LuaValue): void {
    if (typeof key === 'number' && (key | 0) === key && key >= 1) {
      const arr = this.arr;
      const n = arr.length;
      if (key <= n) {
        arr[key - 1] = value;
        if (value === undefined && key === n) {
          // trailing holes leave the array part
          let end = n - 1;
          while (end > 0 && arr[end - 1] === undefined) end--;
          arr.length = end;
        }
        return;
      }
      if (key === n + 1) {
        if (value === undefined) {
          this.hash.delete(key);
          return;
        }
        arr.push(value);
        const hash = this.hash;
        if (hash.size !== 0) {
          hash.delete(key);
          // keys n+2, n+3... move from the hash part to the array part
          let next = key + 1;
          while (hash.size !== 0) {
            const moved = hash.get(next);
            if (moved === undefined) break;
            hash.delete(next);
            arr.push(moved);
            next++;
          }
        }
        return;
      }
    }
    if (value === undefined) this.hash.delete(key);
    else this.hash.set(key, value);
  }

  /**
   * Throws when the layout is broken: the array part ends with a value, the hash part holds no
   * nil value and no integer key that belongs in the array part (1..arr.length + 1). O(n).
   */
  checkInvariants(): void {
    const arr = this.arr;
    if (arr.length > 0 && arr[arr.length - 1] === undefined)
      throw new Error('LuaTable: the array part ends with nil');
    for (const [key, value] of this.hash) {
      if (value === undefined) throw new Error(`LuaTable: nil value for key ${typeName(key)}`);
      if (key === undefined || key !== key) throw new Error('LuaTable: nil or NaN key');
      if (typeof key === 'number' && Number.isInteger(key) && key >= 1 && key <= arr.length + 1)
        throw new Error(
          `LuaTable: key ${key} is in the hash part, next to an array of ${arr.length}`,
        );
    }
  }

  /** The border `#t` as Lua 5.1's luaH_getn finds it. O(log n). */
  length(): number {
    const arr = this.arr;
    let j = arr.length;
    if (j > 0 && arr[j - 1] === undefined) {
      // a boundary inside the array part: binary search for it, as luaH_getn does
      let i = 0;
      while (j - i > 1) {
        const m = (i + j) >>> 1;
        if (arr[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    if (this.hash.size === 0) return j;
    // unbound search in the hash part
    let i = j;
    j++;
    while (this.hash.get(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > Number.MAX_SAFE_INTEGER) {
        let k = 1;
        while (this.get(k) !== undefined) k++;
        return k - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (this.get(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * next(t, key): the entry after `key` (array part first, then the hash part in insertion
   * order), or undefined at the end. O(1) when called in sequence; O(n) when `key` is not the last
   * key returned. Returns false when `key` is not in the table.
   */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined | false {
    const arr = this.arr;
    let i: number;
    if (key === undefined) i = 0;
    else if (typeof key === 'number' && key >= 1 && key <= arr.length && (key | 0) === key) i = key;
    else i = -1;
    if (i >= 0) {
      for (; i < arr.length; i++) {
        const value = arr[i];
        if (value !== undefined) return [i + 1, value];
      }
      this.#iter = this.hash.entries();
      return this.#advance();
    }
    if (this.#iter !== undefined && this.#iterKey === key) return this.#advance();
    // restart: find the key, then continue after it
    const iter = this.hash.entries();
    for (;;) {
      const step = iter.next();
      if (step.done) return false;
      if (step.value[0] === key || (key !== key && step.value[0] !== step.value[0])) break;
    }
    this.#iter = iter;
    return this.#advance();
  }

  #advance(): [LuaValue, LuaValue] | undefined {
    const iter = this.#iter;
    if (!iter) return undefined;
    for (;;) {
      const step = iter.next();
      if (step.done) {
        this.#iter = undefined;
        this.#iterKey = undefined;
        return undefined;
      }
      const entry = step.value;
      if (entry[1] !== undefined) {
        this.#iterKey = entry[0];
        return entry;
      }
    }
  }
}

/** Lua's type() name of a value. */
export function typeName(value: LuaValue): string {
  switch (typeof value) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    case 'object':
    case 'bigint':
    case 'symbol':
    default:
      if (value instanceof LuaTable) return 'table';
      if (value instanceof LuaFunction) return 'function';
      if (value instanceof LuaCoroutine) return 'thread';
      return 'userdata';
  }
}

/**
 * NaN prints as "-nan", the sign of x86's default NaN (what 0/0 and inf-inf make in Redis). V8
 * does not keep a NaN's sign through arrays (double arrays canonicalize NaN), so the rare positive
 * NaN (math.abs(0/0), tonumber("nan")) also prints "-nan" here, where Redis prints "nan".
 */
export function isNegativeNaN(n: number): boolean {
  return n !== n;
}

/** Formats a number as Lua 5.1 does (LUA_NUMBER_FMT "%.14g"). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e14) return Object.is(n, -0) ? '-0' : String(n);
  return formatG(n, 14, false);
}

/**
 * A tie at the rounding digit rounds to even in glibc's printf but away from zero in JS's
 * toFixed/toExponential: when `longer` (the same value with more digits) shows an exact tie,
 * the even neighbour is taken. `cut` is the digit count JS rounded to in `rounded`.
 */
function roundHalfEven(rounded: string, longer: string, extra: number): string {
  const exponentAt = longer.indexOf('e');
  const mantissa = exponentAt < 0 ? longer : longer.slice(0, exponentAt);
  const tail = mantissa.slice(mantissa.length - extra);
  if (!/^50*$/.test(tail)) return rounded;
  let kept = mantissa.slice(0, mantissa.length - extra);
  const last = kept.endsWith('.')
    ? kept.charCodeAt(kept.length - 2)
    : kept.charCodeAt(kept.length - 1);
  if ((last - 48) % 2 === 1) return rounded; // odd: JS already rounded up to even
  if (kept.endsWith('.')) kept = kept.slice(0, -1);
  return exponentAt < 0 ? kept : kept + longer.slice(exponentAt);
}

/** x.toFixed(digits) with glibc's rounding of exact ties (half to even). |x| < 1e21. */
export function toFixedC(x: number, digits: number): string {
  const rounded = x.toFixed(digits);
  const extra = Math.min(100, digits + 30) - digits;
  if (extra <= 0) return rounded;
  return roundHalfEven(rounded, x.toFixed(digits + extra), extra);
}

/** x.toExponential(digits) with glibc's rounding of exact ties (half to even). */
export function toExponentialC(x: number, digits: number): string {
  const rounded = x.toExponential(digits);
  const extra = Math.min(100, digits + 30) - digits;
  if (extra <= 0) return rounded;
  const longer = x.toExponential(digits + extra);
  // the exponent of the longer form may differ only when rounding carried: then no tie
  const result = roundHalfEven(rounded, longer, extra);
  if (result === rounded) return rounded;
  return result.slice(0, result.indexOf('e')) + rounded.slice(rounded.indexOf('e'));
}

/**
 * C's %.<precision>g (and %#g with `alternate`), as glibc prints it: inf, -inf, -nan, exponents
 * with at least two digits, trailing zeros removed.
 */
export function formatG(n: number, precision: number, alternate: boolean, upper = false): string {
  if (!Number.isFinite(n)) {
    const text = Number.isNaN(n) ? (isNegativeNaN(n) ? '-nan' : 'nan') : n > 0 ? 'inf' : '-inf';
    return upper ? text.toUpperCase() : text;
  }
  const p = precision === 0 ? 1 : precision;
  if (n === 0) {
    const zero = alternate ? '0.' + '0'.repeat(p - 1) : '0';
    return Object.is(n, -0) ? '-' + zero : zero;
  }
  const exponential = toExponentialC(n, p - 1);
  const at = exponential.indexOf('e');
  const x = Number(exponential.slice(at + 1));
  let out: string;
  if (x < -4 || x >= p) {
    let mantissa = exponential.slice(0, at);
    if (!alternate && mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
    const sign = x < 0 ? '-' : '+';
    const digits = String(Math.abs(x)).padStart(2, '0');
    out = `${mantissa}${upper ? 'E' : 'e'}${sign}${digits}`;
  } else {
    out = toFixedC(n, Math.max(0, p - 1 - x));
    if (!alternate && out.includes('.')) out = out.replace(/\.?0+$/, '');
  }
  return out;
}
