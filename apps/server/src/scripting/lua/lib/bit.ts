import type { LuaInterpreter } from '../interpreter.js';
import { LuaTable, type LuaValue, type NativeFunction } from '../value.js';
import { ArgChecker } from './args.js';

/**
 * LuaBitOp 1.0 (the `bit` library Redis loads): 32-bit operations on numbers. Arguments are
 * normalized as LuaBitOp does (rounded to the nearest integer, then taken modulo 2^32); results
 * are signed 32-bit numbers.
 */
export function tobit(n: number): number {
  if (Math.abs(n) < 2 ** 51) {
    // the 2^52 + 2^51 trick: the addition rounds to an integer, ties to even
    return (n + 6755399441055744 - 6755399441055744) | 0;
  }
  if (!Number.isFinite(n)) return 0;
  return Number(BigInt.asIntN(32, BigInt(Math.round(n))));
}

export function bitLibrary(lua: LuaInterpreter): LuaTable {
  const check = new ArgChecker(lua.R);
  const lib = new LuaTable();
  const arg = (name: string, args: LuaValue[], n: number): number =>
    tobit(check.number(name, args, n));
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const fold = (name: string, op: (a: number, b: number) => number): void =>
    set(name, (...args) => {
      let result = arg(name, args, 1);
      for (let i = 2; i <= args.length; i++) result = op(result, arg(name, args, i));
      return [result | 0];
    });
  set('tobit', (...args) => [arg('tobit', args, 1)]);
  set('bnot', (...args) => [~arg('bnot', args, 1)]);
  fold('band', (a, b) => a & b);
  fold('bor', (a, b) => a | b);
  fold('bxor', (a, b) => a ^ b);
  set('lshift', (...args) => [arg('lshift', args, 1) << (arg('lshift', args, 2) & 31)]);
  set('rshift', (...args) => [(arg('rshift', args, 1) >>> (arg('rshift', args, 2) & 31)) | 0]);
  set('arshift', (...args) => [arg('arshift', args, 1) >> (arg('arshift', args, 2) & 31)]);
  set('rol', (...args) => {
    const x = arg('rol', args, 1);
    const n = arg('rol', args, 2) & 31;
    return [(x << n) | (x >>> (32 - n)) | 0];
  });
  set('ror', (...args) => {
    const x = arg('ror', args, 1);
    const n = arg('ror', args, 2) & 31;
    return [(x >>> n) | (x << (32 - n)) | 0];
  });
  set('bswap', (...args) => {
    const x = arg('bswap', args, 1);
    return [(x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24) | 0];
  });
  set('tohex', (...args) => {
    let x = arg('tohex', args, 1);
    let n = args.length < 2 || args[1] === undefined ? 8 : arg('tohex', args, 2);
    let digits = '0123456789abcdef';
    if (n < 0) {
      n = -n;
      digits = '0123456789ABCDEF';
    }
    if (n > 8) n = 8;
    let out = '';
    for (let i = n; i > 0; i--) {
      out = (digits[x & 15] ?? '') + out;
      x >>>= 4;
    }
    return [out];
  });
  return lib;
}
