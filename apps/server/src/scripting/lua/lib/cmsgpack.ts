import type { LuaInterpreter } from '../interpreter.js';
import { LuaTable, type LuaResults, type LuaValue, type NativeFunction } from '../value.js';
import { ArgChecker } from './args.js';

/**
 * lua-cmsgpack 0.4 as Redis ships it: cmsgpack.pack(...) / unpack / unpack_one / unpack_limit.
 * Integral numbers pack as the smallest integer type, others as float32 when exact, else float64;
 * a table is an array when its keys are exactly 1..n; nesting deeper than 16 packs as nil.
 */
const MAX_NESTING = 16;

const scratch = new DataView(new ArrayBuffer(8));

class Packer {
  out = '';
  byte(b: number): void {
    this.out += String.fromCharCode(b & 0xff);
  }
  bytes(n: number, value: number): void {
    for (let i = n - 1; i >= 0; i--) this.byte(Math.floor(value / 2 ** (8 * i)) % 256);
  }
}

function packInteger(p: Packer, n: number): void {
  if (n >= 0) {
    if (n <= 127) p.byte(n);
    else if (n <= 0xff) {
      p.byte(0xcc);
      p.byte(n);
    } else if (n <= 0xffff) {
      p.byte(0xcd);
      p.bytes(2, n);
    } else if (n <= 0xffffffff) {
      p.byte(0xce);
      p.bytes(4, n);
    } else {
      p.byte(0xcf);
      const big = BigInt(n);
      for (let i = 7; i >= 0; i--) p.byte(Number((big >> BigInt(8 * i)) & 0xffn));
    }
    return;
  }
  if (n >= -32) p.byte(n & 0xff);
  else if (n >= -128) {
    p.byte(0xd0);
    p.byte(n & 0xff);
  } else if (n >= -32768) {
    p.byte(0xd1);
    p.bytes(2, n + 0x10000);
  } else if (n >= -2147483648) {
    p.byte(0xd2);
    p.bytes(4, n + 0x100000000);
  } else {
    p.byte(0xd3);
    const big = BigInt.asUintN(64, BigInt(n));
    for (let i = 7; i >= 0; i--) p.byte(Number((big >> BigInt(8 * i)) & 0xffn));
  }
}

function packNumber(p: Packer, n: number): void {
  if (Number.isFinite(n) && Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) {
    packInteger(p, n);
    return;
  }
  if (Math.fround(n) === n || Number.isNaN(n)) {
    p.byte(0xca);
    scratch.setFloat32(0, n);
    for (let i = 0; i < 4; i++) p.byte(scratch.getUint8(i));
    return;
  }
  p.byte(0xcb);
  scratch.setFloat64(0, n);
  for (let i = 0; i < 8; i++) p.byte(scratch.getUint8(i));
}

function packString(p: Packer, s: string): void {
  const n = s.length;
  if (n < 32) p.byte(0xa0 | n);
  else if (n <= 0xff) {
    p.byte(0xd9);
    p.byte(n);
  } else if (n <= 0xffff) {
    p.byte(0xda);
    p.bytes(2, n);
  } else {
    p.byte(0xdb);
    p.bytes(4, n);
  }
  p.out += s;
}

/** table_is_an_array: keys are integers > 0 and their count equals the largest one. */
function isArray(table: LuaTable): number {
  let max = 0;
  let count = 0;
  let entry = table.next(undefined);
  while (entry) {
    const key = entry[0];
    if (typeof key !== 'number' || !Number.isInteger(key) || key <= 0) return -1;
    if (key > max) max = key;
    count++;
    entry = table.next(key);
  }
  return max === count ? max : -1;
}

function pack(p: Packer, value: LuaValue, level: number): void {
  switch (typeof value) {
    case 'string':
      packString(p, value);
      return;
    case 'number':
      packNumber(p, value);
      return;
    case 'boolean':
      p.byte(value ? 0xc3 : 0xc2);
      return;
    case 'undefined':
    case 'function':
    case 'object':
    case 'bigint':
    case 'symbol':
    default:
      break;
  }
  if (!(value instanceof LuaTable) || level >= MAX_NESTING) {
    p.byte(0xc0);
    return;
  }
  const length = isArray(value);
  if (length >= 0) {
    if (length < 16) p.byte(0x90 | length);
    else if (length <= 0xffff) {
      p.byte(0xdc);
      p.bytes(2, length);
    } else {
      p.byte(0xdd);
      p.bytes(4, length);
    }
    for (let i = 1; i <= length; i++) pack(p, value.get(i), level + 1);
    return;
  }
  const entries: [LuaValue, LuaValue][] = [];
  let entry = value.next(undefined);
  while (entry) {
    entries.push(entry);
    entry = value.next(entry[0]);
  }
  const n = entries.length;
  if (n < 16) p.byte(0x80 | n);
  else if (n <= 0xffff) {
    p.byte(0xde);
    p.bytes(2, n);
  } else {
    p.byte(0xdf);
    p.bytes(4, n);
  }
  for (const [k, v] of entries) {
    pack(p, k, level + 1);
    pack(p, v, level + 1);
  }
}

class Unpacker {
  at = 0;
  constructor(
    readonly s: string,
    readonly fail: (message: string) => never,
  ) {}

  #need(n: number): void {
    if (this.at + n > this.s.length) this.fail('Missing bytes in input.');
  }
  #u8(): number {
    this.#need(1);
    return this.s.charCodeAt(this.at++);
  }
  #uint(n: number): number {
    this.#need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.s.charCodeAt(this.at++);
    return v;
  }
  #big(signed: boolean): number {
    this.#need(8);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.s.charCodeAt(this.at++));
    return Number(signed ? BigInt.asIntN(64, v) : v);
  }
  #float(n: 4 | 8): number {
    this.#need(n);
    for (let i = 0; i < n; i++) scratch.setUint8(i, this.s.charCodeAt(this.at++));
    return n === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
  }
  #str(n: number): string {
    this.#need(n);
    const out = this.s.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  #array(n: number): LuaTable {
    const items: LuaValue[] = [];
    for (let i = 0; i < n; i++) items.push(this.value());
    const table = new LuaTable();
    for (let i = 0; i < n; i++) table.set(i + 1, items[i]);
    return table;
  }
  #map(n: number): LuaTable {
    const table = new LuaTable();
    for (let i = 0; i < n; i++) {
      const key = this.value();
      const value = this.value();
      if (key !== undefined && key === key) table.set(key, value);
    }
    return table;
  }

  value(): LuaValue {
    const b = this.#u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 256;
    if ((b & 0xe0) === 0xa0) return this.#str(b & 0x1f);
    if ((b & 0xf0) === 0x90) return this.#array(b & 0x0f);
    if ((b & 0xf0) === 0x80) return this.#map(b & 0x0f);
    switch (b) {
      case 0xc0:
        return undefined;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xcc:
        return this.#uint(1);
      case 0xcd:
        return this.#uint(2);
      case 0xce:
        return this.#uint(4);
      case 0xcf:
        return this.#big(false);
      case 0xd0: {
        const v = this.#uint(1);
        return v >= 0x80 ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.#uint(2);
        return v >= 0x8000 ? v - 0x10000 : v;
      }
      case 0xd2: {
        const v = this.#uint(4);
        return v >= 0x80000000 ? v - 0x100000000 : v;
      }
      case 0xd3:
        return this.#big(true);
      case 0xca:
        return this.#float(4);
      case 0xcb:
        return this.#float(8);
      case 0xd9:
      case 0xc4:
        return this.#str(this.#uint(1));
      case 0xda:
      case 0xc5:
        return this.#str(this.#uint(2));
      case 0xdb:
      case 0xc6:
        return this.#str(this.#uint(4));
      case 0xdc:
        return this.#array(this.#uint(2));
      case 0xdd:
        return this.#array(this.#uint(4));
      case 0xde:
        return this.#map(this.#uint(2));
      case 0xdf:
        return this.#map(this.#uint(4));
      default:
        return this.fail('Bad data format in input.');
    }
  }
}

export function cmsgpackLibrary(lua: LuaInterpreter): LuaTable {
  const R = lua.R;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const fail = (message: string): never => {
    throw R.error(message);
  };

  set('pack', (...args) => {
    if (args.length === 0) check.error('pack', 0, 'MessagePack pack needs input.');
    const p = new Packer();
    for (const arg of args) pack(p, arg, 0);
    return [p.out];
  });

  const unpackFull = (s: string, limit: number, offset: number): LuaResults => {
    const u = new Unpacker(s, fail);
    u.at = offset;
    const out: LuaValue[] = [];
    let count = 0;
    while (u.at < s.length && (limit <= 0 || count < limit)) {
      out.push(u.value());
      count++;
    }
    return limit > 0 || offset > 0 ? [u.at < s.length ? u.at : -1, ...out] : out;
  };
  const input = (name: string, args: LuaValue[]): string => {
    const s = args[0];
    if (typeof s !== 'string') throw R.error('MessagePack decoding needs a string as input.');
    void check;
    void name;
    return s;
  };
  set('unpack', (...args) => unpackFull(input('unpack', args), 0, 0));
  set('unpack_one', (...args) =>
    unpackFull(input('unpack_one', args), 1, check.optInt('unpack_one', args, 2, 0)),
  );
  set('unpack_limit', (...args) =>
    unpackFull(
      input('unpack_limit', args),
      check.optInt('unpack_limit', args, 2, 0),
      check.optInt('unpack_limit', args, 3, 0),
    ),
  );
  lib.set('_NAME', 'cmsgpack');
  lib.set('_VERSION', 'lua-cmsgpack 0.4.0');
  lib.set('_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo');
  lib.set('_DESCRIPTION', 'MessagePack C implementation for Lua');
  return lib;
}
