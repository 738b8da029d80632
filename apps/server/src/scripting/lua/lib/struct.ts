import type { LuaInterpreter } from '../interpreter.js';
import { LuaTable, type LuaValue, type NativeFunction } from '../value.js';
import { ArgChecker } from './args.js';

/**
 * Roberto Ierusalimschy's struct library (0.2) as Redis ships it: struct.pack(fmt, ...),
 * struct.unpack(fmt, s [, pos]) and struct.size(fmt) for a 64-bit little-endian machine.
 *
 *   >  big endian          <  little endian       !n  alignment     x  padding byte
 *   b/B  signed/unsigned char   h/H short   l/L long (8)   T size_t (8)   i/In int of n bytes
 *   f float   d double   s zero-terminated string   cn fixed string (c0: length from the last number)
 */
const MAXINTSIZE = 32;
const MAXALIGN = 8;

interface Header {
  little: boolean;
  align: number;
}

export function structLibrary(lua: LuaInterpreter): LuaTable {
  const R = lua.R;
  const check = new ArgChecker(R);
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);

  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

  /** Reads an option's size suffix. */
  const getNum = (fmt: string, at: { i: number }, fallback: number): number => {
    if (!isDigit(fmt[at.i])) return fallback;
    let a = 0;
    do {
      a = a * 10 + Number(fmt[at.i]);
      at.i++;
    } while (isDigit(fmt[at.i]) && a <= (2 ** 31 - 1 - 9) / 10);
    return a;
  };

  let fname = 'pack';
  const fail = (message: string): never => check.error(fname, 1, message);

  /** optsize: the size of one option (0 for controls). */
  const optSize = (opt: string, fmt: string, at: { i: number }): number => {
    switch (opt) {
      case 'B':
      case 'b':
        return 1;
      case 'H':
      case 'h':
        return 2;
      case 'L':
      case 'l':
      case 'T':
        return 8;
      case 'f':
        return 4;
      case 'd':
        return 8;
      case 'x':
        return 1;
      case 'c':
        return getNum(fmt, at, 1);
      case 'i':
      case 'I': {
        const size = getNum(fmt, at, 4);
        if (size > MAXINTSIZE) fail(`integral size ${size} is larger than limit of ${MAXINTSIZE}`);
        return size;
      }
      default:
        return 0;
    }
  };

  /** gettoalign: padding needed before an option of `size` at `length`. */
  const toAlign = (length: number, h: Header, opt: string, size: number): number => {
    if (size === 0 || opt === 'c') return 0;
    if (size > h.align) size = h.align;
    return (size - (length & (size - 1))) & (size - 1);
  };

  /** controloptions: endianness and alignment; returns true when `opt` was one. */
  const control = (opt: string, fmt: string, at: { i: number }, h: Header): boolean => {
    switch (opt) {
      case ' ':
        return true;
      case '>':
        h.little = false;
        return true;
      case '<':
      case '=':
        h.little = true;
        return true;
      case '!': {
        const a = getNum(fmt, at, MAXALIGN);
        if ((a & (a - 1)) !== 0) fail(`alignment ${a} is not a power of 2`);
        h.align = a;
        return true;
      }
      default:
        return fail(`invalid format option '${opt}'`);
    }
  };

  const putInteger = (value: number, little: boolean, size: number): string => {
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    const bytes: number[] = [];
    for (let i = 0; i < size; i++) {
      bytes.push(Number(v & 0xffn));
      v = i < 7 ? v >> 8n : value < 0 ? 0xffn : 0n;
      if (i >= 7) v = value < 0 ? 0xffn : 0n;
    }
    if (!little) bytes.reverse();
    return String.fromCharCode(...bytes);
  };

  set('pack', (...args) => {
    fname = 'pack';
    const fmt = check.string('pack', args, 1);
    const h: Header = { little: true, align: 1 };
    let arg = 2;
    let out = '';
    const at = { i: 0 };
    while (at.i < fmt.length) {
      const opt = fmt[at.i++] ?? '';
      const size = optSize(opt, fmt, at);
      const pad = toAlign(out.length, h, opt, size);
      out += '\0'.repeat(pad);
      switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I':
          out += putInteger(check.number('pack', args, arg++), h.little, size);
          break;
        case 'x':
          out += '\0';
          break;
        case 'f':
        case 'd': {
          const view = new DataView(new ArrayBuffer(8));
          const n = check.number('pack', args, arg++);
          if (opt === 'f') view.setFloat32(0, n, h.little);
          else view.setFloat64(0, n, h.little);
          for (let i = 0; i < size; i++) out += String.fromCharCode(view.getUint8(i));
          break;
        }
        case 'c':
        case 's': {
          const s = check.string('pack', args, arg++);
          let length = size;
          if (opt === 's' || size === 0) length = s.length;
          if (s.length < length) check.error('pack', arg - 1, 'string too short');
          out += s.slice(0, length);
          if (opt === 's') out += '\0';
          break;
        }
        default:
          control(opt, fmt, at, h);
      }
    }
    return [out];
  });

  set('unpack', (...args) => {
    fname = 'unpack';
    const fmt = check.string('unpack', args, 1);
    const data = check.string('unpack', args, 2);
    let pos = check.optInt('unpack', args, 3, 1) - 1;
    if (pos < 0) check.error('unpack', 3, 'offset must be 1 or greater');
    const h: Header = { little: true, align: 1 };
    const out: LuaValue[] = [];
    const at = { i: 0 };
    while (at.i < fmt.length) {
      const opt = fmt[at.i++] ?? '';
      const size = optSize(opt, fmt, at);
      pos += toAlign(pos, h, opt, size);
      if (size > data.length || pos > data.length - size)
        check.error('unpack', 2, 'data string too short');
      switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': {
          let v = 0n;
          for (let i = 0; i < size; i++) {
            const byte = BigInt(data.charCodeAt(h.little ? pos + size - 1 - i : pos + i));
            v = (v << 8n) | byte;
          }
          const signed = opt === 'b' || opt === 'h' || opt === 'l' || opt === 'i';
          out.push(Number(signed ? BigInt.asIntN(size * 8, v) : v));
          break;
        }
        case 'x':
          break;
        case 'f':
        case 'd': {
          const view = new DataView(new ArrayBuffer(8));
          for (let i = 0; i < size; i++) view.setUint8(i, data.charCodeAt(pos + i));
          out.push(opt === 'f' ? view.getFloat32(0, h.little) : view.getFloat64(0, h.little));
          break;
        }
        case 'c': {
          let length = size;
          if (length === 0) {
            const last = out.pop();
            if (typeof last !== 'number')
              check.error('unpack', 2, "format 'c0' needs a previous size");
            length = last as number;
            if (pos + length > data.length) check.error('unpack', 2, 'data string too short');
          }
          out.push(data.slice(pos, pos + length));
          pos += length;
          continue;
        }
        case 's': {
          const end = data.indexOf('\0', pos);
          if (end < 0) throw R.error('unfinished string in data');
          out.push(data.slice(pos, end));
          pos = end + 1;
          continue;
        }
        default:
          control(opt, fmt, at, h);
      }
      pos += size;
    }
    out.push(pos + 1);
    return out;
  });

  set('size', (...args) => {
    fname = 'size';
    const fmt = check.string('size', args, 1);
    const h: Header = { little: true, align: 1 };
    let pos = 0;
    const at = { i: 0 };
    while (at.i < fmt.length) {
      const opt = fmt[at.i++] ?? '';
      const size = optSize(opt, fmt, at);
      pos += toAlign(pos, h, opt, size);
      if (opt === 's') check.error('size', 1, "options 'c0' - 's' have undefined sizes");
      else if (opt === 'c' && size === 0)
        check.error('size', 1, "options 'c0' - 's' have undefined sizes");
      if (size === 0 && !'cs'.includes(opt)) control(opt, fmt, at, h);
      pos += size;
    }
    return [pos];
  });
  return lib;
}
