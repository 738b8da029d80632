import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/persistence/byte-writer.js';
import { RdbFormatError } from '../../src/persistence/errors.js';
import { intsetMembers, writeIntset } from '../../src/persistence/intset-blob.js';
import {
  ListpackBuilder,
  canonicalInt,
  listpackElements,
  listpackEntrySize,
} from '../../src/persistence/listpack.js';
import { ziplistElements, zipmapElements } from '../../src/persistence/ziplist.js';

const element = fc.oneof(
  fc.integer({ min: -200, max: 200 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map(String),
  fc.constantFrom('', '-0', '007', '+1', '9223372036854775808', '1.5', ' 1'),
  fc.string({ maxLength: 80 }).map((text) => Buffer.from(text).toString('latin1')),
  fc.integer({ min: 60, max: 5000 }).map((length) => 'x'.repeat(length)),
);

function listpack(items: readonly string[]): Buffer {
  const builder = new ListpackBuilder();
  builder.begin();
  for (const item of items) builder.add(item);
  return Buffer.from(builder.end());
}

describe('listpack', () => {
  it.each([
    // [elements, hex] per listpack.c's encodings
    [[], '0700000000 00ff'],
    [['0'], '0900000001 00 0001ff'],
    [['127', '128'], '0c00000002 00 7f01 c08002 ff'],
    [['-1'], '0a00000001 00 dfff02 ff'],
    [['-4096', '4095'], '0d00000002 00 d00002 cfff02 ff'],
    [['32767'], '0b00000001 00 f1ff7f03 ff'],
    [['-8388608'], '0c00000001 00 f200008004 ff'],
    [['2147483647'], '0d00000001 00 f3ffffff7f05 ff'],
    [['-9223372036854775808'], '1100000001 00 f4000000000000008009 ff'],
    [['ab'], '0b00000001 00 82616203 ff'],
    [['01'], '0b00000001 00 82303103 ff'],
  ])('%j -> %s', (items, hex) => {
    expect(listpack(items).toString('hex')).toBe(hex.replace(/ /g, ''));
    expect(listpackElements(listpack(items), 0, listpack(items).length)).toEqual(items);
  });

  it('uses the 12-bit and 32-bit string headers and multi-byte backlens', () => {
    const medium = 'm'.repeat(200);
    const long = 'l'.repeat(5000);
    const bytes = listpack([medium, long]);
    expect(bytes[6]).toBe(0xe0);
    expect(bytes[7]).toBe(200);
    // backlen of a 202-byte entry: 2 bytes, high group first
    expect([...bytes.subarray(8 + 200, 8 + 202)]).toEqual([1, (202 & 127) | 128]);
    expect(bytes[8 + 202]).toBe(0xf0);
    expect(listpackElements(bytes, 0, bytes.length)).toEqual([medium, long]);
  });

  it('round-trips any elements, and entry sizes add up to the listpack size', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 40 }), (items) => {
        const bytes = listpack(items);
        const expected = items.map((item) => {
          const value = canonicalInt(item);
          return value === undefined ? item : String(value);
        });
        expect(listpackElements(bytes, 0, bytes.length)).toEqual(expected);
        const size = items.reduce((sum, item) => sum + listpackEntrySize(item), 7);
        expect(size).toBe(bytes.length);
      }),
    );
  });

  it('reads a listpack inside a larger buffer', () => {
    const inner = listpack(['a', '1', 'bcd']);
    const outer = Buffer.concat([Buffer.from('xyz'), inner, Buffer.from('!')]);
    expect(listpackElements(outer, 3, inner.length)).toEqual(['a', '1', 'bcd']);
  });

  it.each([
    ['too short', '0600000000ff'],
    ['total size disagrees', '0800000000 00ff'],
    ['no EOF byte', '0700000000 0000'],
    ['entry runs past the end', '0a00000001 00 85616203 ff'],
    ['count disagrees', '0900000002 00 0001ff'],
    ['unknown encoding', '0900000001 00 f501ff'],
  ])('refuses a listpack with %s', (_name, hex) => {
    const bytes = Buffer.from(hex.replace(/ /g, ''), 'hex');
    expect(() => listpackElements(bytes, 0, bytes.length)).toThrow(RdbFormatError);
  });
});

describe('intset', () => {
  function intset(members: string[]): Buffer {
    const out = new ByteWriter(16);
    writeIntset(out, members);
    return Buffer.from(out.view());
  }

  it.each([
    [['1', '2'], '02000000 02000000 0100 0200'],
    [['-40000', '5'], '04000000 02000000 c063ffff 05000000'],
    [['5', '4294967296'], '08000000 02000000 0500000000000000 0000000001000000'],
  ])('%j -> %s (narrowest width)', (members, hex) => {
    expect(intset(members).toString('hex')).toBe(hex.replace(/ /g, ''));
  });

  it('round-trips sorted members', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
        (values) => {
          const members = values.sort((a, b) => (a < b ? -1 : 1)).map(String);
          const bytes = intset(members);
          expect(intsetMembers(bytes, 0, bytes.length)).toEqual(members);
        },
      ),
    );
  });

  it.each([
    ['a bad width', '03000000 01000000 000000'],
    ['a length that disagrees', '02000000 02000000 0100'],
    ['members out of order', '02000000 02000000 0200 0100'],
  ])('refuses %s', (_name, hex) => {
    const bytes = Buffer.from(hex.replace(/ /g, ''), 'hex');
    expect(() => intsetMembers(bytes, 0, bytes.length)).toThrow(RdbFormatError);
  });
});

/** A ziplist built by the rules of ziplist.c (zipTryEncoding, zipStorePrevEntryLength...). */
function ziplist(items: readonly string[]): Buffer {
  const entries: Buffer[] = [];
  let previous = 0;
  let tail = 10;
  let offset = 10;
  for (const item of items) {
    const value = /^(?:0|-?[1-9]\d{0,18})$/.test(item) ? BigInt(item) : undefined;
    let body: Buffer;
    if (value !== undefined && value >= -(2n ** 63n) && value < 2n ** 63n) {
      if (value >= 0n && value <= 12n) body = Buffer.from([0xf1 + Number(value)]);
      else if (value >= -128n && value <= 127n) body = Buffer.from([0xfe, Number(value) & 0xff]);
      else if (value >= -32768n && value <= 32767n) {
        body = Buffer.alloc(3);
        body[0] = 0xc0;
        body.writeInt16LE(Number(value), 1);
      } else if (value >= -(2n ** 23n) && value < 2n ** 23n) {
        body = Buffer.alloc(4);
        body[0] = 0xf0;
        body.writeIntLE(Number(value), 1, 3);
      } else if (value >= -(2n ** 31n) && value < 2n ** 31n) {
        body = Buffer.alloc(5);
        body[0] = 0xd0;
        body.writeInt32LE(Number(value), 1);
      } else {
        body = Buffer.alloc(9);
        body[0] = 0xe0;
        body.writeBigInt64LE(value, 1);
      }
    } else {
      const text = Buffer.from(item, 'latin1');
      let header: Buffer;
      if (text.length <= 63) header = Buffer.from([text.length]);
      else if (text.length <= 16383)
        header = Buffer.from([0x40 | (text.length >> 8), text.length & 0xff]);
      else {
        header = Buffer.alloc(5);
        header[0] = 0x80;
        header.writeUInt32BE(text.length, 1);
      }
      body = Buffer.concat([header, text]);
    }
    let prevlen: Buffer;
    if (previous < 254) prevlen = Buffer.from([previous]);
    else {
      prevlen = Buffer.alloc(5);
      prevlen[0] = 0xfe;
      prevlen.writeUInt32LE(previous, 1);
    }
    const entry = Buffer.concat([prevlen, body]);
    entries.push(entry);
    tail = offset;
    offset += entry.length;
    previous = entry.length;
  }
  const header = Buffer.alloc(10);
  const total = offset + 1;
  header.writeUInt32LE(total, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(items.length, 65535), 8);
  return Buffer.concat([header, ...entries, Buffer.from([0xff])]);
}

describe('ziplist and zipmap (RDB files from before Redis 7)', () => {
  it('reads every ziplist encoding', () => {
    const items = [
      '0',
      '12',
      '13',
      '-128',
      '300',
      '-70000',
      '8388607',
      '2147483647',
      '-2147483649',
      'a',
      'b'.repeat(100),
      'c'.repeat(20000),
      '',
      '9223372036854775807',
    ];
    const bytes = ziplist(items);
    expect(ziplistElements(bytes, 0, bytes.length)).toEqual(items);
  });

  it('round-trips random ziplists', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 30 }), (items) => {
        const bytes = ziplist(items);
        const expected = items.map((item) =>
          /^(?:0|-?[1-9]\d{0,18})$/.test(item) &&
          BigInt(item) < 2n ** 63n &&
          BigInt(item) >= -(2n ** 63n)
            ? String(BigInt(item))
            : item,
        );
        expect(ziplistElements(bytes, 0, bytes.length)).toEqual(expected);
      }),
    );
  });

  it('refuses a truncated ziplist', () => {
    const bytes = ziplist(['hello', 'world']);
    const cut = Buffer.concat([bytes.subarray(0, bytes.length - 4), Buffer.from([0xff])]);
    cut.writeUInt32LE(cut.length, 0);
    expect(() => ziplistElements(cut, 0, cut.length)).toThrow(RdbFormatError);
  });

  it('reads a zipmap, free bytes included', () => {
    // zmlen 2, "f1" -> "v1" (2 free bytes), long key -> "x"
    const longKey = 'k'.repeat(300);
    const bytes = Buffer.concat([
      Buffer.from([2, 2]),
      Buffer.from('f1'),
      Buffer.from([2, 2]),
      Buffer.from('v1..'),
      Buffer.from([254, 300 & 0xff, 300 >> 8, 0, 0]),
      Buffer.from(longKey),
      Buffer.from([1, 0]),
      Buffer.from('x'),
      Buffer.from([0xff]),
    ]);
    expect(zipmapElements(bytes, 0, bytes.length)).toEqual(['f1', 'v1', longKey, 'x']);
    expect(() => zipmapElements(bytes, 0, bytes.length - 1)).toThrow(RdbFormatError);
  });
});
