import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import type { Database } from '../keyspace.js';
import type { Server } from '../server.js';
import type { BitmapBuffer } from '../types/bitmap-buffer.js';
import { BitmapCache, allocLatin1 } from '../types/bitmap-buffer.js';
import { parseInt64 } from '../util/numbers.js';
import { V8_MAX_STRING_LENGTH, notString } from './args.js';
import type { HandlerTable } from './types.js';

/**
 * Bitmaps and BITFIELD (redis-server 7.0's bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
 * BITFIELD_RO, on string values. Bit 0 is the most significant bit of the first byte.
 * https://redis.io/docs/latest/develop/data-types/bitmaps/
 *
 * Writes go through a {@link BitmapBuffer} (bytes + a rope of chunk strings), so that SETBIT on a
 * large string costs O(4 KiB + log n) instead of a copy of the whole string.
 */

/**
 * Error texts of this group, as bitops.c writes them (each written once).
 *
 * @example
 * ```ts
 * client.server.errorReply(client, BitmapError.BIT_OFFSET);
 * ```
 */
export const BitmapError = {
  BIT_OFFSET: 'ERR bit offset is not an integer or out of range',
  BIT_VALUE: 'ERR bit is not an integer or out of range',
  BIT_ARGUMENT: 'ERR The bit argument must be 1 or 0.',
  BITOP_NOT: 'ERR BITOP NOT must be called with a single source key.',
  BITFIELD_TYPE:
    'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
  OVERFLOW_TYPE: 'ERR Invalid OVERFLOW type specified',
  BITFIELD_RO: 'ERR BITFIELD_RO only supports the GET subcommand',
} as const;

const caches = new WeakMap<Server, BitmapCache>();

/** The server's cache of bitmaps being edited (created on first use). */
function cacheOf(server: Server): BitmapCache {
  let cache = caches.get(server);
  if (cache === undefined) {
    cache = new BitmapCache();
    caches.set(server, cache);
  }
  return cache;
}

/** Bits set in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + (POPCOUNT[i >> 1] ?? 0);

/** The bytes of a string value (a cached buffer's view when there is one). O(n) otherwise. */
function bytesOf(client: Client, key: string, value: string): Uint8Array {
  const cached = cacheOf(client.server).peek(client.db, key, value);
  return cached !== undefined ? cached.view() : Buffer.from(value, 'latin1');
}

/** strtol-like parse of a C string: the argument up to its first NUL byte. */
function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

/**
 * getBitOffsetFromArgument: a non-negative bit offset whose byte fits proto-max-bulk-len; with
 * `bits` > 0, "#n" means n * bits (BITFIELD). Returns undefined after replying with the error.
 */
function bitOffsetArg(client: Client, text: string, bits: number): number | undefined {
  const hash = bits > 0 && text.charCodeAt(0) === 0x23; /* # */
  const parsed = parseInt64(hash ? text.slice(1) : text);
  if (parsed === undefined) {
    client.server.errorReply(client, BitmapError.BIT_OFFSET);
    return undefined;
  }
  let offset = BigInt(parsed);
  // long long multiplication: wraps on overflow in redis-server
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || offset >> 3n >= BigInt(client.server.config.number('proto-max-bulk-len'))) {
    client.server.errorReply(client, BitmapError.BIT_OFFSET);
    return undefined;
  }
  return Number(offset);
}

/**
 * lookupStringForBitCommand: the key's string padded with zero bytes so that bit `maxBit` exists,
 * as an editable buffer. Undefined (WRONGTYPE written) for another type.
 */
function bufferForWrite(
  client: Client,
  key: string,
  maxBit: number,
): { buffer: BitmapBuffer; created: boolean; grown: boolean } | undefined {
  const value = client.db.lookup(key);
  if (notString(client, value)) return undefined;
  // V8 strings stop 24 bytes short of 512 MB: the only place byor cannot follow redis-server
  if (Math.floor(maxBit / 8) >= V8_MAX_STRING_LENGTH) {
    client.server.errorReply(client, ReplyError.STRING_TOO_LONG);
    return undefined;
  }
  const buffer = cacheOf(client.server).acquire(client.db, key, value ?? '');
  const grown = buffer.grow(Math.floor(maxBit / 8) + 1);
  return { buffer, created: value === undefined, grown };
}

/** Stores an edited buffer back under `key` (a new key when `created`). */
function storeBuffer(
  db: Database,
  server: Server,
  key: string,
  buffer: BitmapBuffer,
  created: boolean,
): void {
  const value = buffer.commit();
  if (created) db.add(key, value);
  else db.update(key, value);
  cacheOf(server).done(db, key, buffer);
}

function setbit(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const offset = bitOffsetArg(client, argv[2] ?? '', 0);
  if (offset === undefined) return;
  const on = parseInt64(argv[3] ?? '');
  if (on === undefined || (on !== 0 && on !== 1)) {
    client.server.errorReply(client, BitmapError.BIT_VALUE);
    return;
  }
  const target = bufferForWrite(client, key, offset);
  if (target === undefined) return;
  const { buffer, created, grown } = target;
  const byte = offset >>> 3;
  const mask = 1 << (7 - (offset & 7));
  const old = buffer.byteAt(byte);
  const previous = (old & mask) !== 0 ? 1 : 0;
  if (grown || previous !== on) {
    buffer.setByte(byte, on === 1 ? old | mask : old & ~mask);
    storeBuffer(client.db, client.server, key, buffer, created);
    client.server.notify('$', 'setbit', key, client.db);
  }
  // lookupStringForBitCommand leaves the value a raw string, changed or not
  client.db.setStringForm(key, 'raw');
  client.w.integer(previous);
}

function getbit(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const offset = bitOffsetArg(client, argv[2] ?? '', 0);
  if (offset === undefined) return;
  const value = client.db.lookupRead(key);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notString(client, value)) return;
  const byte = offset >>> 3;
  let bits = 0;
  if (byte < value.length) {
    const cached = cacheOf(client.server).peek(client.db, key, value);
    // a cached value is a rope: reading a char would flatten it, the buffer answers in O(1)
    bits = cached !== undefined ? cached.byteAt(byte) : value.charCodeAt(byte);
  }
  client.w.integer((bits >> (7 - (offset & 7))) & 1);
}

/** Bits set in bytes[start..end] (inclusive). */
function popcount(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let i = start;
  // four bytes per step through a 32-bit word when the view is aligned (SWAR popcount)
  if (end - start > 64 && (bytes.byteOffset & 3) === 0) {
    while (i & 3 && i <= end) count += POPCOUNT[bytes[i++] ?? 0] ?? 0;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end + 1 - i) >>> 2);
    for (let w = 0; w < words.length; w++) {
      let v = words[w] ?? 0;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      count += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
    }
    i += words.length * 4;
  }
  for (; i <= end; i++) count += POPCOUNT[bytes[i] ?? 0] ?? 0;
  return count;
}

/** A long long range argument (getLongLongFromObjectOrReply). */
function longLongArg(client: Client, text: string): bigint | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return undefined;
  }
  return BigInt(value);
}

/** BIT|BYTE (case-insensitive); undefined after a syntax error. */
function unitArg(client: Client, text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'bit') return true;
  if (lower === 'byte') return false;
  client.server.errorReply(client, ReplyError.SYNTAX);
  return undefined;
}

/**
 * BITCOUNT / BITPOS ranges: negative indexes from the end, clamped to the string (in bytes, or in
 * bits with BIT); with BIT the byte range and the masks of the bits of its first and last bytes
 * that lie outside. Undefined for an empty range.
 */
function byteRange(
  from: bigint,
  to: bigint,
  length: number,
  isBit: boolean,
): { start: number; end: number; firstMask: number; lastMask: number } | undefined {
  const total = BigInt(length) << (isBit ? 3n : 0n);
  if (from < 0n) from += total;
  if (to < 0n) to += total;
  if (from < 0n) from = 0n;
  if (to < 0n) to = 0n;
  if (to >= total) to = total - 1n;
  if (from > to) return undefined;
  const start = Number(from);
  const end = Number(to);
  if (!isBit) return { start, end, firstMask: 0, lastMask: 0 };
  return {
    start: Math.floor(start / 8),
    end: Math.floor(end / 8),
    firstMask: ~((1 << (8 - (start & 7))) - 1) & 0xff,
    lastMask: (1 << (7 - (end & 7))) - 1,
  };
}

function bitcount(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  // 7.0 looks the key up first: a missing key answers 0 whatever the arguments
  const value = client.db.lookupRead(key);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notString(client, value)) return;
  const length = value.length;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length === 4 || argv.length === 5) {
    const from = longLongArg(client, argv[2] ?? '');
    if (from === undefined) return;
    const to = longLongArg(client, argv[3] ?? '');
    if (to === undefined) return;
    if (from < 0n && to < 0n && from > to) {
      client.w.integer(0);
      return;
    }
    let isBit = false;
    if (argv.length === 5) {
      const unit = unitArg(client, argv[4] ?? '');
      if (unit === undefined) return;
      isBit = unit;
    }
    const range = byteRange(from, to, length, isBit);
    if (range === undefined) {
      client.w.integer(0);
      return;
    }
    ({ start, end, firstMask, lastMask } = range);
  } else if (argv.length === 2) {
    start = 0;
    end = length - 1;
  } else {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  if (start > end) {
    client.w.integer(0);
    return;
  }
  const bytes = bytesOf(client, key, value);
  let count = popcount(bytes, start, end);
  if (firstMask !== 0) count -= POPCOUNT[(bytes[start] ?? 0) & firstMask] ?? 0;
  if (lastMask !== 0) count -= POPCOUNT[(bytes[end] ?? 0) & lastMask] ?? 0;
  client.w.integer(count);
}

/**
 * redisBitpos: the position of the first `bit` in bytes[start, start + count), counting the
 * bytes past the range as zeros for bit 0 (so it answers count * 8 when all are ones), or -1 when
 * looking for a one in all zeros.
 */
function firstBit(bytes: Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  const stop = start + count;
  let i = start;
  while (i < stop && bytes[i] === skip) i++;
  if (i === stop) return bit === 1 ? -1 : count * 8;
  const byte = bytes[i] ?? 0;
  for (let b = 0; b < 8; b++) {
    if (((byte >> (7 - b)) & 1) === bit) return (i - start) * 8 + b;
  }
  return -1; // unreachable: the byte differs from `skip`
}

const ONE_BYTE = new Uint8Array(1);

function bitpos(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const bitArg = parseInt64(argv[2] ?? '');
  if (bitArg === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return;
  }
  if (bitArg !== 0 && bitArg !== 1) {
    client.server.errorReply(client, BitmapError.BIT_ARGUMENT);
    return;
  }
  const bit = bitArg;
  const value = client.db.lookupRead(key);
  if (value === undefined) {
    client.w.integer(bit === 1 ? -1 : 0);
    return;
  }
  if (notString(client, value)) return;
  const length = value.length;
  let start: number;
  let end: number;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length >= 4 && argv.length <= 6) {
    const from = longLongArg(client, argv[3] ?? '');
    if (from === undefined) return;
    let isBit = false;
    if (argv.length === 6) {
      const unit = unitArg(client, argv[5] ?? '');
      if (unit === undefined) return;
      isBit = unit;
    }
    let to: bigint;
    if (argv.length >= 5) {
      const parsed = longLongArg(client, argv[4] ?? '');
      if (parsed === undefined) return;
      to = parsed;
      endGiven = true;
    } else {
      to = isBit ? (BigInt(length) << 3n) + 7n : BigInt(length) - 1n;
    }
    const range = byteRange(from, to, length, isBit);
    if (range === undefined) {
      client.w.integer(-1);
      return;
    }
    ({ start, end, firstMask, lastMask } = range);
  } else if (argv.length === 3) {
    start = 0;
    end = length - 1;
  } else {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  if (start > end) {
    client.w.integer(-1);
    return;
  }
  const bytes = bytesOf(client, key, value);
  let count = end - start + 1;
  let pos: number;
  // bitposCommand's three steps: a masked first byte, the whole bytes, a masked last byte
  found: {
    if (firstMask !== 0) {
      let byte = bytes[start] ?? 0;
      byte = bit === 1 ? byte & ~firstMask : byte | firstMask;
      if (lastMask !== 0 && count === 1) byte = bit === 1 ? byte & ~lastMask : byte | lastMask;
      ONE_BYTE[0] = byte & 0xff;
      pos = firstBit(ONE_BYTE, 0, 1, bit);
      if (count === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      count--;
    }
    const whole = count - (lastMask !== 0 ? 1 : 0);
    if (whole > 0) {
      pos = firstBit(bytes, start, whole, bit);
      if (count === whole || (pos !== -1 && pos !== whole * 8)) break found;
      start += whole;
      count -= whole;
    }
    const last = bytes[end] ?? 0;
    ONE_BYTE[0] = (bit === 1 ? last & ~lastMask : last | lastMask) & 0xff;
    pos = firstBit(ONE_BYTE, 0, 1, bit);
  }
  if (endGiven && bit === 0 && pos === count * 8) {
    client.w.integer(-1);
    return;
  }
  if (pos !== -1) pos += start * 8;
  client.w.integer(pos);
}

const BITOP_AND = 0;
const BITOP_OR = 1;
const BITOP_XOR = 2;
const BITOP_NOT = 3;

function bitop(client: Client, argv: string[]): void {
  const name = (argv[1] ?? '').toLowerCase();
  const op =
    name === 'and'
      ? BITOP_AND
      : name === 'or'
        ? BITOP_OR
        : name === 'xor'
          ? BITOP_XOR
          : name === 'not'
            ? BITOP_NOT
            : -1;
  if (op < 0) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  if (op === BITOP_NOT && argv.length !== 4) {
    client.server.errorReply(client, BitmapError.BITOP_NOT);
    return;
  }
  const db = client.db;
  const target = argv[2] ?? '';
  const sources: Uint8Array[] = [];
  let maxLength = 0;
  for (let i = 3; i < argv.length; i++) {
    const key = argv[i] ?? '';
    const value = db.lookupRead(key);
    if (value === undefined) {
      sources.push(EMPTY);
      continue;
    }
    if (notString(client, value)) return;
    sources.push(bytesOf(client, key, value));
    if (value.length > maxLength) maxLength = value.length;
  }
  if (maxLength > 0) {
    const result = allocLatin1(maxLength);
    const first = sources[0] ?? EMPTY;
    result.set(first);
    if (op === BITOP_NOT) {
      for (let j = 0; j < maxLength; j++) result[j] = ~(result[j] ?? 0) & 0xff;
    } else {
      for (let i = 1; i < sources.length; i++) {
        const source = sources[i] ?? EMPTY;
        const common = source.length;
        if (op === BITOP_AND) {
          for (let j = 0; j < common; j++) result[j] = (result[j] ?? 0) & (source[j] ?? 0);
          result.fill(0, common);
        } else if (op === BITOP_OR) {
          for (let j = 0; j < common; j++) result[j] = (result[j] ?? 0) | (source[j] ?? 0);
        } else {
          for (let j = 0; j < common; j++) result[j] = (result[j] ?? 0) ^ (source[j] ?? 0);
        }
      }
    }
    db.set(target, result.latin1Slice(0, maxLength));
    db.setStringForm(target, 'raw');
    client.server.notify('$', 'set', target, db);
  } else if (db.delete(target)) {
    client.server.notify('g', 'del', target, db);
  }
  client.w.integer(maxLength);
}

const EMPTY = new Uint8Array(0);

const BITFIELD_GET = 0;
const BITFIELD_SET = 1;
const BITFIELD_INCRBY = 2;

const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;

/** One parsed BITFIELD operation (struct bitfieldOp). */
interface BitfieldOp {
  readonly opcode: number;
  readonly offset: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly value: bigint;
  readonly overflow: number;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63. */
function bitfieldTypeArg(
  client: Client,
  text: string,
): { signed: boolean; bits: number } | undefined {
  const sign = text.charCodeAt(0);
  const bits =
    sign === 0x69 /* i */ || sign === 0x75 /* u */ ? parseInt64(cString(text.slice(1))) : undefined;
  const signed = sign === 0x69;
  if (bits === undefined || bits < 1 || bits > (signed ? 64 : 63)) {
    client.server.errorReply(client, BitmapError.BITFIELD_TYPE);
    return undefined;
  }
  return { signed, bits: Number(bits) };
}

/** The `bits`-wide field at bit `offset`, unsigned, reading bytes through `byteAt`. */
function readField(byteAt: (index: number) => number, offset: number, bits: number): bigint {
  const first = offset >>> 3;
  const last = (offset + bits - 1) >>> 3;
  let word = 0n;
  for (let i = first; i <= last; i++) word = (word << 8n) | BigInt(byteAt(i));
  const trailing = (last + 1) * 8 - (offset + bits);
  return (word >> BigInt(trailing)) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the low `bits` bits of `value` at bit `offset` (setUnsignedBitfield). */
function writeField(buffer: BitmapBuffer, offset: number, bits: number, value: bigint): void {
  const first = offset >>> 3;
  const last = (offset + bits - 1) >>> 3;
  const trailing = BigInt((last + 1) * 8 - (offset + bits));
  const mask = ((1n << BigInt(bits)) - 1n) << trailing;
  const field = (BigInt.asUintN(bits, value) << trailing) & mask;
  for (let i = last, shift = 0n; i >= first; i--, shift += 8n) {
    const byteMask = Number((mask >> shift) & 0xffn);
    const byteValue = Number((field >> shift) & 0xffn);
    buffer.setByte(i, (buffer.byteAt(i) & ~byteMask) | byteValue);
  }
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * checkUnsignedBitfieldOverflow / checkSignedBitfieldOverflow: the value to store for
 * `value + increment` in the field's width, or undefined when it overflows with FAIL.
 */
function applyOverflow(
  value: bigint,
  increment: bigint,
  bits: number,
  signed: boolean,
  overflow: number,
): { result: bigint; overflowed: boolean } {
  const wide = BigInt(bits);
  if (!signed) {
    const max = (1n << wide) - 1n;
    const maxIncrement = max - value;
    const minIncrement = -value;
    let direction = 0;
    if (value > max || (increment > 0n && increment > maxIncrement)) direction = 1;
    else if (increment < 0n && increment < minIncrement) direction = -1;
    if (direction === 0) return { result: value + increment, overflowed: false };
    if (overflow === OVERFLOW_SAT) return { result: direction > 0 ? max : 0n, overflowed: true };
    return { result: BigInt.asUintN(bits, value + increment), overflowed: true };
  }
  const max = bits === 64 ? INT64_MAX : (1n << (wide - 1n)) - 1n;
  const min = -max - 1n;
  // int64 arithmetic, wrapping like redis-server's casts
  const maxIncrement = BigInt.asIntN(64, max - value);
  const minIncrement = BigInt.asIntN(64, min - value);
  let direction = 0;
  if (
    value > max ||
    (bits !== 64 && increment > maxIncrement) ||
    (value >= 0n && increment > 0n && increment > maxIncrement)
  )
    direction = 1;
  else if (
    value < min ||
    (bits !== 64 && increment < minIncrement) ||
    (value < 0n && increment < 0n && increment < minIncrement)
  )
    direction = -1;
  if (direction === 0) return { result: value + increment, overflowed: false };
  if (overflow === OVERFLOW_SAT) return { result: direction > 0 ? max : min, overflowed: true };
  return { result: BigInt.asIntN(bits, value + increment), overflowed: true };
}

function bitfieldGeneric(client: Client, argv: string[], readOnlyCommand: boolean): void {
  const key = argv[1] ?? '';
  const ops: BitfieldOp[] = [];
  let overflow = OVERFLOW_WRAP;
  let readOnly = true;
  let highestWrite = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = (argv[j] ?? '').toLowerCase();
    let opcode: number;
    if (name === 'get' && remaining >= 2) opcode = BITFIELD_GET;
    else if (name === 'set' && remaining >= 3) opcode = BITFIELD_SET;
    else if (name === 'incrby' && remaining >= 3) opcode = BITFIELD_INCRBY;
    else if (name === 'overflow' && remaining >= 1) {
      const kind = (argv[++j] ?? '').toLowerCase();
      if (kind === 'wrap') overflow = OVERFLOW_WRAP;
      else if (kind === 'sat') overflow = OVERFLOW_SAT;
      else if (kind === 'fail') overflow = OVERFLOW_FAIL;
      else {
        client.server.errorReply(client, BitmapError.OVERFLOW_TYPE);
        return;
      }
      continue;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
    const type = bitfieldTypeArg(client, argv[j + 1] ?? '');
    if (type === undefined) return;
    const offset = bitOffsetArg(client, argv[j + 2] ?? '', type.bits);
    if (offset === undefined) return;
    let value = 0n;
    if (opcode !== BITFIELD_GET) {
      readOnly = false;
      if (highestWrite < offset + type.bits - 1) highestWrite = offset + type.bits - 1;
      const parsed = longLongArg(client, argv[j + 3] ?? '');
      if (parsed === undefined) return;
      value = parsed;
    }
    ops.push({ opcode, offset, bits: type.bits, signed: type.signed, value, overflow });
    j += opcode === BITFIELD_GET ? 2 : 3;
  }

  let buffer: BitmapBuffer | undefined;
  let created = false;
  let grown = false;
  let byteAt: (index: number) => number;
  if (readOnly) {
    const value = client.db.lookupRead(key);
    if (notString(client, value)) return;
    const text = value ?? '';
    const cached =
      text.length === 0 ? undefined : cacheOf(client.server).peek(client.db, key, text);
    byteAt = cached
      ? (index) => cached.byteAt(index)
      : (index) => (index < text.length ? text.charCodeAt(index) : 0);
  } else {
    if (readOnlyCommand) {
      client.server.errorReply(client, BitmapError.BITFIELD_RO);
      return;
    }
    const target = bufferForWrite(client, key, highestWrite);
    if (target === undefined) return;
    ({ buffer, created, grown } = target);
    const writable = buffer;
    byteAt = (index) => writable.byteAt(index);
  }

  client.w.arrayHeader(ops.length);
  let changes = 0;
  for (const op of ops) {
    const raw = readField(byteAt, op.offset, op.bits);
    const old = op.signed ? BigInt.asIntN(op.bits, raw) : raw;
    if (op.opcode === BITFIELD_GET || buffer === undefined) {
      client.w.integer(old);
      continue;
    }
    let next: bigint;
    let reply: bigint;
    let overflowed: boolean;
    if (op.opcode === BITFIELD_INCRBY) {
      ({ result: next, overflowed } = applyOverflow(
        old,
        op.value,
        op.bits,
        op.signed,
        op.overflow,
      ));
      reply = next;
    } else {
      // SET: an unsigned field takes the value as uint64 (a negative value is huge)
      const value = op.signed ? op.value : BigInt.asUintN(64, op.value);
      ({ result: next, overflowed } = applyOverflow(value, 0n, op.bits, op.signed, op.overflow));
      reply = old;
    }
    if (overflowed && op.overflow === OVERFLOW_FAIL) {
      client.w.nil();
      continue;
    }
    client.w.integer(reply);
    writeField(buffer, op.offset, op.bits, next);
    if (grown || old !== next) changes++;
  }
  if (buffer !== undefined) {
    // lookupStringForBitCommand added or padded the key before any operation ran (even when
    // every one of them FAILed); only actual changes are notified
    if (created || grown || changes > 0) {
      storeBuffer(client.db, client.server, key, buffer, created);
      // server.dirty += changes (the key's write counted one)
      client.server.changes(changes - 1);
    } else {
      buffer.commit();
      cacheOf(client.server).done(client.db, key, buffer);
    }
    // and left it a raw string (dbUnshareStringValue)
    client.db.setStringForm(key, 'raw');
    if (changes > 0) client.server.notify('$', 'setbit', key, client.db);
  }
}

/**
 * The handlers of the group, registered in the command table by lower-case name. Each command is
 * O(1) (SETBIT, GETBIT: O(4 KiB + log n) for a write to a large cached bitmap, O(n) the first
 * time), O(n) in the bytes it looks at (BITCOUNT, BITPOS, BITOP), or O(operations) (BITFIELD).
 *
 * @example
 * ```ts
 * const handler = bitmapCommands['setbit'];
 * handler?.(client, ['SETBIT', 'visits', '7', '1']); // replies :0
 * ```
 */
export const bitmapCommands: HandlerTable = {
  setbit,
  getbit,
  bitcount,
  bitpos,
  bitop,
  bitfield: (client, argv) => bitfieldGeneric(client, argv, false),
  bitfield_ro: (client, argv) => bitfieldGeneric(client, argv, true),
};
