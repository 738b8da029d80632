import type { Runtime } from '../runtime.js';
import { str2number } from '../lexer.js';
import { LuaTable, formatNumber, typeName, type LuaValue } from '../value.js';

/**
 * Argument checks of natives with lauxlib's messages: "bad argument #1 to 'insert' (table
 * expected, got nil)". `args` is what the native received; a missing argument is "no value".
 */
export class ArgChecker {
  constructor(readonly R: Runtime) {}

  error(fname: string, n: number, extra: string): never {
    throw this.R.error(`bad argument #${n} to '${fname}' (${extra})`);
  }

  typeError(fname: string, args: readonly LuaValue[], n: number, expected: string): never {
    const got = n > args.length ? 'no value' : typeName(args[n - 1]);
    return this.error(fname, n, `${expected} expected, got ${got}`);
  }

  table(fname: string, args: readonly LuaValue[], n: number): LuaTable {
    const value = args[n - 1];
    if (value instanceof LuaTable) return value;
    return this.typeError(fname, args, n, 'table');
  }

  number(fname: string, args: readonly LuaValue[], n: number): number {
    const value = args[n - 1];
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const parsed = str2number(value);
      if (parsed !== undefined) return parsed;
    }
    return this.typeError(fname, args, n, 'number');
  }

  /** luaL_checkint / checkinteger: the number truncated toward zero, as a C cast does. */
  int(fname: string, args: readonly LuaValue[], n: number): number {
    return toInt(this.number(fname, args, n));
  }

  optNumber(fname: string, args: readonly LuaValue[], n: number, fallback: number): number {
    const value = args[n - 1];
    return value === undefined ? fallback : this.number(fname, args, n);
  }

  optInt(fname: string, args: readonly LuaValue[], n: number, fallback: number): number {
    const value = args[n - 1];
    return value === undefined ? fallback : this.int(fname, args, n);
  }

  /** luaL_checklstring: strings, and numbers converted as tostring does. */
  string(fname: string, args: readonly LuaValue[], n: number): string {
    const value = args[n - 1];
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return formatNumber(value);
    return this.typeError(fname, args, n, 'string');
  }

  optString(fname: string, args: readonly LuaValue[], n: number, fallback: string): string {
    const value = args[n - 1];
    return value === undefined ? fallback : this.string(fname, args, n);
  }

  any(fname: string, args: readonly LuaValue[], n: number): void {
    if (n > args.length) this.error(fname, n, 'value expected');
  }
}

/** A C cast of a double to an integer type: truncation toward zero (NaN and overflow give the
 * x86 "integer indefinite" value, as cvttsd2si does). */
export function toInt(value: number): number {
  if (Number.isNaN(value) || !Number.isFinite(value) || Math.abs(value) >= 2 ** 63)
    return -(2 ** 63);
  return Math.trunc(value);
}
