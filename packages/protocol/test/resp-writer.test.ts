import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, RespWriter, type RespVersion } from '../src/index.js';
import { latin1String } from './support/chunks.js';

function written(protocol: RespVersion, write: (writer: RespWriter) => void, capacity = 1): string {
  const writer = new RespWriter(capacity);
  writer.protocol = protocol;
  write(writer);
  return writer.view().toString('latin1');
}

describe('RespWriter: every frame, RESP2 and RESP3', () => {
  const table: [string, (writer: RespWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['simple', (w) => w.simple('PONG'), '+PONG\r\n', '+PONG\r\n'],
    ['simple with CR LF', (w) => w.simple('a\r\nb'), '+a  b\r\n', '+a  b\r\n'],
    ['error', (w) => w.error('ERR no'), '-ERR no\r\n', '-ERR no\r\n'],
    ['error with LF', (w) => w.error('ERR a\nb'), '-ERR a b\r\n', '-ERR a b\r\n'],
    ['integer 0', (w) => w.integer(0), ':0\r\n', ':0\r\n'],
    ['integer -1', (w) => w.integer(-1), ':-1\r\n', ':-1\r\n'],
    ['integer 10', (w) => w.integer(10), ':10\r\n', ':10\r\n'],
    ['integer 2^31', (w) => w.integer(2 ** 31), ':2147483648\r\n', ':2147483648\r\n'],
    [
      'integer 2^53-1',
      (w) => w.integer(2 ** 53 - 1),
      ':9007199254740991\r\n',
      ':9007199254740991\r\n',
    ],
    ['integer 2^53', (w) => w.integer(2 ** 53), ':9007199254740992\r\n', ':9007199254740992\r\n'],
    [
      'integer -2^53',
      (w) => w.integer(-(2 ** 53)),
      ':-9007199254740992\r\n',
      ':-9007199254740992\r\n',
    ],
    [
      'integer int64 max',
      (w) => w.integer(2n ** 63n - 1n),
      ':9223372036854775807\r\n',
      ':9223372036854775807\r\n',
    ],
    [
      'integer int64 min',
      (w) => w.integer(-(2n ** 63n)),
      ':-9223372036854775808\r\n',
      ':-9223372036854775808\r\n',
    ],
    ['bulk', (w) => w.bulk('hello'), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['bulk empty', (w) => w.bulk(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['bulk latin1', (w) => w.bulk('\xe9\xff\0'), '$3\r\n\xe9\xff\0\r\n', '$3\r\n\xe9\xff\0\r\n'],
    ['bulk bytes', (w) => w.bulk(Buffer.from('é')), '$2\r\n\xc3\xa9\r\n', '$2\r\n\xc3\xa9\r\n'],
    [
      'bulk long',
      (w) => w.bulk('x'.repeat(40)),
      `$40\r\n${'x'.repeat(40)}\r\n`,
      `$40\r\n${'x'.repeat(40)}\r\n`,
    ],
    ['nil', (w) => w.nil(), '$-1\r\n', '_\r\n'],
    ['nullArray', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
    ['arrayHeader', (w) => w.arrayHeader(3), '*3\r\n', '*3\r\n'],
    ['arrayHeader 0', (w) => w.arrayHeader(0), '*0\r\n', '*0\r\n'],
    ['mapHeader', (w) => w.mapHeader(2), '*4\r\n', '%2\r\n'],
    ['setHeader', (w) => w.setHeader(12), '*12\r\n', '~12\r\n'],
    ['pushHeader', (w) => w.pushHeader(3), '*3\r\n', '>3\r\n'],
    ['double', (w) => w.double(1.1), '$18\r\n1.1000000000000001\r\n', ',1.1000000000000001\r\n'],
    ['double integer', (w) => w.double(3), '$1\r\n3\r\n', ',3\r\n'],
    ['double inf', (w) => w.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', (w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['boolean true', (w) => w.boolean(true), ':1\r\n', '#t\r\n'],
    ['boolean false', (w) => w.boolean(false), ':0\r\n', '#f\r\n'],
    ['verbatim', (w) => w.verbatim('a\nb'), '$3\r\na\nb\r\n', '=7\r\ntxt:a\nb\r\n'],
    ['verbatim mkd', (w) => w.verbatim('# x', 'mkd'), '$3\r\n# x\r\n', '=7\r\nmkd:# x\r\n'],
    [
      'bigNumber bigint',
      (w) => w.bigNumber(-(10n ** 30n)),
      `$32\r\n-1${'0'.repeat(30)}\r\n`,
      `(-1${'0'.repeat(30)}\r\n`,
    ],
    ['bigNumber string', (w) => w.bigNumber('123'), '$3\r\n123\r\n', '(123\r\n'],
    ['bulkError', (w) => w.bulkError('ERR a\r\nb'), '-ERR a  b\r\n', '!8\r\nERR a\r\nb\r\n'],
    ['raw', (w) => w.raw(Buffer.from('+QUEUED\r\n')), '+QUEUED\r\n', '+QUEUED\r\n'],
    [
      'bulkArray',
      (w) => w.bulkArray(['a', '', 'bc']),
      '*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n',
      '*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n',
    ],
    ['bulkArray empty', (w) => w.bulkArray([]), '*0\r\n', '*0\r\n'],
  ];
  for (const [name, write, resp2, resp3] of table) {
    it(name, () => {
      expect(written(2, write)).toBe(resp2);
      expect(written(3, write)).toBe(resp3);
      expect(written(3, write, 4096)).toBe(resp3);
    });
  }

  it('attributeHeader in RESP3; a RESP2 writer refuses it', () => {
    expect(written(3, (w) => w.attributeHeader(1))).toBe('|1\r\n');
    expect(() => written(2, (w) => w.attributeHeader(1))).toThrow(InvalidArgumentError);
  });

  it('refuses what it cannot encode', () => {
    const writer = new RespWriter();
    for (const bad of [1.5, NaN, Infinity, 2 ** 64]) {
      expect(() => writer.integer(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => writer.integer(2n ** 63n)).toThrow(InvalidArgumentError);
    expect(() => writer.arrayHeader(-1)).toThrow(InvalidArgumentError);
    expect(() => writer.arrayHeader(1.5)).toThrow(InvalidArgumentError);
    expect(() => writer.verbatim('x', 'markdown')).toThrow(InvalidArgumentError);
    expect(() => writer.bigNumber('12a')).toThrow(InvalidArgumentError);
    expect(() => new RespWriter(-1)).toThrow(InvalidArgumentError);
    expect(writer.length).toBe(0);
    try {
      writer.integer(0.5);
    } catch (error) {
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).code).toBe('BYOR_INVALID_ARGUMENT');
    }
  });
});

describe('RespWriter: buffer management', () => {
  it('grows, and view() shows every byte written so far', () => {
    const writer = new RespWriter(1);
    let expected = '';
    for (let i = 0; i < 2000; i++) {
      writer.integer(i);
      writer.bulk('v'.repeat(i % 50));
      expected += `:${i}\r\n$${i % 50}\r\n${'v'.repeat(i % 50)}\r\n`;
    }
    expect(writer.length).toBe(expected.length);
    expect(writer.view().toString('latin1')).toBe(expected);
  });

  it('reset() empties it; take() hands over the bytes and empties it', () => {
    const writer = new RespWriter(64);
    writer.ok();
    const small = writer.take(); // copied: the writer keeps its buffer
    writer.bulk('x'.repeat(60)); // overwrites the writer's buffer
    expect(small.toString()).toBe('+OK\r\n');
    const large = writer.take(); // given away: the writer allocates anew
    writer.bulk('y'.repeat(60));
    expect(large.toString()).toBe(`$60\r\n${'x'.repeat(60)}\r\n`);
    writer.reset();
    expect(writer.length).toBe(0);
    expect(writer.view().length).toBe(0);
    writer.ok();
    expect(writer.view().toString()).toBe('+OK\r\n');
  });

  it('shrinks back after a reply over 1 MiB', () => {
    const writer = new RespWriter(128);
    writer.bulk('z'.repeat(2 * 1024 * 1024));
    writer.reset();
    writer.ok();
    expect(writer.view().buffer.byteLength).toBeLessThan(1024 * 1024);
  });

  it('lets go of the big buffer at reset(), even after view() (an idle server keeps nothing)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const writer = new RespWriter(128);
    const big = ((): WeakRef<ArrayBufferLike> => {
      writer.bulk('z'.repeat(2 * 1024 * 1024));
      const buffer = writer.view().buffer; // the view the server hands to the socket
      writer.reset();
      return new WeakRef(buffer);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(big.deref()).toBeUndefined();
    writer.ok();
    expect(writer.view().toString()).toBe('+OK\r\n');
  });

  it('bulkArray equals arrayHeader + bulk for any strings', () => {
    fc.assert(
      fc.property(
        fc.array(latin1String(80), { maxLength: 30 }),
        fc.nat(200),
        (values, capacity) => {
          const one = new RespWriter(capacity);
          one.bulkArray(values);
          const many = new RespWriter(capacity);
          many.arrayHeader(values.length);
          for (const value of values) many.bulk(value);
          expect(one.view().equals(many.view())).toBe(true);
          const reference = `*${values.length}\r\n${values.map((v) => `$${v.length}\r\n${v}\r\n`).join('')}`;
          expect(one.view().toString('latin1')).toBe(reference);
        },
      ),
    );
  });

  it('bulkSlice equals bulk of the same bytes, wherever they sit in the source', () => {
    fc.assert(
      fc.property(
        latin1String(100),
        latin1String(20),
        latin1String(20),
        fc.nat(60),
        (value, before, after, capacity) => {
          const source = Buffer.from(before + value + after, 'latin1');
          const sliced = new RespWriter(capacity);
          sliced.ok();
          sliced.bulkSlice(source, before.length, before.length + value.length);
          const whole = new RespWriter(capacity);
          whole.ok();
          whole.bulk(value);
          expect(sliced.view().toString('latin1')).toBe(`+OK\r\n$${value.length}\r\n${value}\r\n`);
          expect(sliced.view().equals(whole.view())).toBe(true);
        },
      ),
    );
  });

  it('integer() writes the decimal of any safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(written(2, (w) => w.integer(n))).toBe(`:${n}\r\n`);
      }),
      { numRuns: 2000 },
    );
  });
});
