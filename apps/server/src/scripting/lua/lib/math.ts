import { LuaTable, type NativeFunction } from '../value.js';
import { ArgChecker } from './args.js';
import type { BaseHost } from './base.js';

/**
 * Redis's PRNG for scripts (rand.c, redisLrand48): the 48-bit linear congruential generator of
 * drand48, X' = (0x5DEECE66D * X + 0xB) mod 2^48, returning the top 31 bits. Kept in 24-bit
 * halves so every product is exact in a double.
 */
export class Rand48 {
  #high = 0x1234ab; // X = 0x1234ABCD330E, rand.c's initial state
  #low = 0xcd330e;

  /** redisSrand48: X = seed << 16 | 0x330E (the seed's low 32 bits). */
  seed(value: number): void {
    const seed = value >>> 0;
    const x = seed * 0x10000 + 0x330e;
    this.#high = Math.floor(x / 0x1000000) % 0x1000000;
    this.#low = x % 0x1000000;
  }

  /** redisLrand48: the next value in [0, 2^31). */
  next(): number {
    const aHigh = 0x5de;
    const aLow = 0xece66d;
    const low = aLow * this.#low + 0xb;
    const carry = Math.floor(low / 0x1000000);
    const high = (aHigh * this.#low + aLow * this.#high + carry) % 0x1000000;
    this.#low = low % 0x1000000;
    this.#high = high;
    return Math.floor(high * 0x80) + Math.floor(this.#low / 0x20000);
  }
}

const REDIS_LRAND48_MAX = 2147483647;

/** The math library of Lua 5.1 (lmathlib.c) with Redis's random and randomseed. */
export function mathLibrary(host: BaseHost, G: LuaTable): Rand48 {
  const { R } = host;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const unary = (name: string, fn: (x: number) => number): void =>
    set(name, (...args) => [fn(check.number(name, args, 1))]);

  unary('abs', Math.abs);
  unary('ceil', Math.ceil);
  unary('floor', Math.floor);
  unary('sqrt', Math.sqrt);
  unary('exp', Math.exp);
  unary('log', Math.log);
  unary('log10', Math.log10);
  unary('sin', Math.sin);
  unary('cos', Math.cos);
  unary('tan', Math.tan);
  unary('asin', Math.asin);
  unary('acos', Math.acos);
  unary('atan', Math.atan);
  unary('sinh', Math.sinh);
  unary('cosh', Math.cosh);
  unary('tanh', Math.tanh);
  unary('deg', (x) => x * (180 / Math.PI));
  unary('rad', (x) => x * (Math.PI / 180));
  set('atan2', (...args) => [
    Math.atan2(check.number('atan2', args, 1), check.number('atan2', args, 2)),
  ]);
  set('pow', (...args) => [Math.pow(check.number('pow', args, 1), check.number('pow', args, 2))]);
  const fmod: NativeFunction = (...args) => [
    check.number('fmod', args, 1) % check.number('fmod', args, 2),
  ];
  set('fmod', fmod);
  set('mod', fmod);
  set('modf', (...args) => {
    const x = check.number('modf', args, 1);
    const ip = x >= 0 ? Math.floor(x) : Math.ceil(x);
    return [ip, Number.isFinite(x) ? x - ip : 0];
  });
  set('frexp', (...args) => {
    const x = check.number('frexp', args, 1);
    if (x === 0 || !Number.isFinite(x)) return [x, 0];
    let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
    let m = x * Math.pow(2, -e);
    while (Math.abs(m) < 0.5) {
      m *= 2;
      e--;
    }
    while (Math.abs(m) >= 1) {
      m /= 2;
      e++;
    }
    return [m, e];
  });
  set('ldexp', (...args) => [
    check.number('ldexp', args, 1) * Math.pow(2, check.int('ldexp', args, 2)),
  ]);
  set('min', (...args) => {
    let min = check.number('min', args, 1);
    for (let i = 2; i <= args.length; i++) {
      const x = check.number('min', args, i);
      if (x < min) min = x;
    }
    return [min];
  });
  set('max', (...args) => {
    let max = check.number('max', args, 1);
    for (let i = 2; i <= args.length; i++) {
      const x = check.number('max', args, i);
      if (x > max) max = x;
    }
    return [max];
  });

  const rand = new Rand48();
  set('random', (...args) => {
    const r = (rand.next() % REDIS_LRAND48_MAX) / REDIS_LRAND48_MAX;
    switch (args.length) {
      case 0:
        return [r];
      case 1: {
        const u = check.int('random', args, 1);
        if (!(1 <= u)) check.error('random', 1, 'interval is empty');
        return [Math.floor(r * u) + 1];
      }
      case 2: {
        const l = check.int('random', args, 1);
        const u = check.int('random', args, 2);
        if (!(l <= u)) check.error('random', 2, 'interval is empty');
        return [Math.floor(r * (u - l + 1)) + l];
      }
      default:
        throw R.error('wrong number of arguments');
    }
  });
  set('randomseed', (...args) => {
    rand.seed(check.int('randomseed', args, 1));
    return [];
  });
  lib.set('pi', Math.PI);
  lib.set('huge', Infinity);
  G.set('math', lib);
  return rand;
}
