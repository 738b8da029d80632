import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BinaryErrorCodes,
  BinaryErrorReply,
  BinaryReplyParser,
  BinaryRequestParser,
  BinaryTags,
  BinaryWriter,
  DEFAULT_MAX_ARGS,
  DEFAULT_MAX_MESSAGE_LENGTH,
  encodeBinaryRequest,
  InvalidArgumentError,
  ProtocolError,
  RespDouble,
  type BinaryValue,
} from '../src/index.js';
import { byteByByte, latin1String, splitAt } from './support/chunks.js';

/** A request built by hand, as the book's client writes it. */
function request(args: readonly string[]): Buffer {
  const parts = args.map((arg) => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(arg.length);
    return Buffer.concat([header, Buffer.from(arg, 'latin1')]);
  });
  const count = Buffer.alloc(4);
  count.writeUInt32LE(args.length);
  const body = Buffer.concat([count, ...parts]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

function u32(n: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(n);
  return buffer;
}

function frame(body: Buffer): Buffer {
  return Buffer.concat([u32(body.length), body]);
}

interface Outcome<T> {
  values: T[];
  error: string | undefined;
}

function drain<T>(
  parser: { push(c: Uint8Array): void; next(): T | undefined },
  chunks: readonly Uint8Array[],
): Outcome<T> {
  const values: T[] = [];
  try {
    for (const chunk of chunks) {
      parser.push(chunk);
      for (let value = parser.next(); value !== undefined; value = parser.next())
        values.push(value);
    }
  } catch (error) {
    if (!ProtocolError.isInstance(error)) throw error;
    return { values, error: error.message };
  }
  return { values, error: undefined };
}

describe('BinaryRequestParser', () => {
  it('parses requests as the book writes them, whole and byte by byte', () => {
    const stream = Buffer.concat([
      request(['set', 'k', 'v']),
      request(['get', 'k']),
      request(['keys']),
      request([]),
    ]);
    const expected = [['set', 'k', 'v'], ['get', 'k'], ['keys'], []];
    expect(drain(new BinaryRequestParser(), [stream]).values).toEqual(expected);
    expect(drain(new BinaryRequestParser(), byteByByte(stream)).values).toEqual(expected);
  });

  it('reports buffered bytes and releases them', () => {
    const parser = new BinaryRequestParser();
    const message = request(['zadd', 'z', '1', 'm']);
    parser.push(message.subarray(0, 7));
    expect(parser.next()).toBeUndefined();
    expect(parser.bufferedBytes).toBe(7);
    parser.push(message.subarray(7));
    expect(parser.next()).toEqual(['zadd', 'z', '1', 'm']);
    expect(parser.next()).toBeUndefined();
    expect(parser.bufferedBytes).toBe(0);
  });

  const malformed: [string, Buffer, string][] = [
    [
      'a message over 32 MiB',
      u32(DEFAULT_MAX_MESSAGE_LENGTH + 1),
      'Protocol error: message too long (33554433 bytes, at most 33554432)',
    ],
    [
      'no string count',
      frame(Buffer.from([1, 2])),
      'Protocol error: bad request (no string count)',
    ],
    [
      'too many strings',
      frame(u32(DEFAULT_MAX_ARGS + 1)),
      'Protocol error: bad request (200001 strings, at most 200000)',
    ],
    [
      'a string length cut short',
      frame(Buffer.concat([u32(1), Buffer.from([3, 0])])),
      'Protocol error: bad request (truncated string length)',
    ],
    [
      'a string past the end',
      frame(Buffer.concat([u32(1), u32(10), Buffer.from('abc')])),
      'Protocol error: bad request (string past the end)',
    ],
    [
      'trailing garbage',
      frame(Buffer.concat([u32(1), u32(1), Buffer.from('ab')])),
      'Protocol error: bad request (trailing garbage)',
    ],
  ];
  for (const [name, input, error] of malformed) {
    it(`refuses ${name}`, () => {
      expect(drain(new BinaryRequestParser(), [input]).error).toBe(error);
      expect(drain(new BinaryRequestParser(), byteByByte(input)).error).toBe(error);
    });
  }

  it('refuses a huge declared length at once, without allocating it', () => {
    const parser = new BinaryRequestParser();
    parser.push(u32(0xffffffff));
    expect(() => parser.next()).toThrow('message too long');
    expect(() => parser.next()).toThrow(ProtocolError);
    parser.reset();
    parser.push(request(['get', 'k']));
    expect(parser.next()).toEqual(['get', 'k']);
    const small = new BinaryRequestParser({ maxMessageLength: 10, maxArgs: 1 });
    small.push(request(['get', 'k']));
    expect(() => small.next()).toThrow('message too long (16 bytes, at most 10)');
  });

  it('encodeBinaryRequest is the book’s request format', () => {
    expect(encodeBinaryRequest(['set', 'k', 'v'])).toEqual(request(['set', 'k', 'v']));
    expect(encodeBinaryRequest(['get', 'é'])).toEqual(request(['get', '\xc3\xa9']));
    expect(encodeBinaryRequest(['get', '\xe9'], 'latin1')).toEqual(request(['get', '\xe9']));
    expect(encodeBinaryRequest(['get', new Uint8Array([0, 255])])).toEqual(
      request(['get', '\x00\xff']),
    );
  });

  it('round trips any requests under any chunk split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latin1String(), { maxLength: 6 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (requests, cuts) => {
          const stream = Buffer.concat(requests.map((args) => encodeBinaryRequest(args, 'latin1')));
          const chunks = splitAt(
            stream,
            cuts.map((cut) => cut % (stream.length + 1)),
          );
          const outcome = drain(new BinaryRequestParser(), chunks);
          expect(outcome.error).toBeUndefined();
          expect(outcome.values).toEqual(requests);
        },
      ),
    );
  });

  it('detach() copies a request cut by a chunk out of a shared, reused read buffer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latin1String(), { maxLength: 6 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (requests, cuts) => {
          const stream = Buffer.concat(requests.map((args) => encodeBinaryRequest(args, 'latin1')));
          const shared = Buffer.alloc(stream.length + 1);
          const parser = new BinaryRequestParser();
          const values: string[][] = [];
          for (const chunk of splitAt(
            stream,
            cuts.map((cut) => cut % (stream.length + 1)),
          )) {
            shared.set(chunk, 0);
            parser.push(shared.subarray(0, chunk.length));
            for (let value = parser.next(); value !== undefined; value = parser.next())
              values.push(value);
            parser.detach();
            shared.fill(0xff); // a stale reference would read a huge length
          }
          expect(values).toEqual(requests);
          expect(parser.bufferedBytes).toBe(0);
        },
      ),
    );
  });
});

describe('BinaryWriter', () => {
  function bytesOf(write: (writer: BinaryWriter) => void): number[] {
    const writer = new BinaryWriter({ initialCapacity: 1 });
    write(writer);
    return [...writer.view()];
  }

  it('writes each value as the book does', () => {
    expect(bytesOf((w) => w.nil())).toEqual([1, 0, 0, 0, BinaryTags.NIL]);
    expect(bytesOf((w) => w.str('ab'))).toEqual([7, 0, 0, 0, BinaryTags.STR, 2, 0, 0, 0, 97, 98]);
    expect(bytesOf((w) => w.int(-2))).toEqual([
      9,
      0,
      0,
      0,
      BinaryTags.INT,
      254,
      255,
      255,
      255,
      255,
      255,
      255,
      255,
    ]);
    expect(bytesOf((w) => w.int(2 ** 40 + 1))).toEqual([
      9,
      0,
      0,
      0,
      BinaryTags.INT,
      1,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
    ]);
    expect(bytesOf((w) => w.int(-(2n ** 63n)))).toEqual([
      9,
      0,
      0,
      0,
      BinaryTags.INT,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      128,
    ]);
    expect(bytesOf((w) => w.dbl(1.5))).toEqual([
      9,
      0,
      0,
      0,
      BinaryTags.DBL,
      0,
      0,
      0,
      0,
      0,
      0,
      248,
      63,
    ]);
    expect(bytesOf((w) => w.error(BinaryErrorCodes.UNKNOWN, 'unknown command.'))).toEqual([
      25,
      0,
      0,
      0,
      BinaryTags.ERR,
      1,
      0,
      0,
      0,
      16,
      0,
      0,
      0,
      ...Buffer.from('unknown command.'),
    ]);
    expect(bytesOf((w) => w.arrayHeader(0))).toEqual([5, 0, 0, 0, BinaryTags.ARR, 0, 0, 0, 0]);
  });

  it('frames one message per top-level value, closing arrays by counting', () => {
    const writer = new BinaryWriter();
    writer.arrayHeader(2);
    expect(writer.inMessage).toBe(true);
    writer.str('m');
    writer.arrayHeader(1);
    writer.dbl(2);
    expect(writer.inMessage).toBe(false);
    writer.nil();
    expect(() => new BinaryWriter().take()).not.toThrow();
    const parsed = drain(new BinaryReplyParser(), [writer.take()]);
    expect(parsed.values).toEqual([['m', [new RespDouble(2)]], null]);
  });

  it('replaces a message over the limit by ERR 2 "response is too big."', () => {
    const writer = new BinaryWriter({ maxMessageLength: 20 });
    writer.str('small');
    writer.arrayHeader(3);
    writer.str('x'.repeat(10));
    writer.str('y'.repeat(10));
    writer.int(1);
    writer.nil();
    expect(drain(new BinaryReplyParser(), [writer.view()]).values).toEqual([
      'small',
      new BinaryErrorReply(BinaryErrorCodes.TOO_BIG, 'response is too big.'),
      null,
    ]);
  });

  it('refuses what it cannot encode, and take() while a message is open', () => {
    const writer = new BinaryWriter();
    expect(() => writer.int(1.5)).toThrow(InvalidArgumentError);
    expect(() => writer.int(2n ** 63n)).toThrow(InvalidArgumentError);
    expect(() => writer.arrayHeader(-1)).toThrow(InvalidArgumentError);
    expect(() => writer.error(-1, 'x')).toThrow(InvalidArgumentError);
    writer.arrayHeader(1);
    expect(() => writer.take()).toThrow(InvalidArgumentError);
    expect(() => writer.raw(Buffer.from([1, 0, 0, 0, 0]))).toThrow(InvalidArgumentError);
    writer.reset();
    writer.raw(Buffer.from([1, 0, 0, 0, 0]));
    writer.strArray(['a', new Uint8Array([98])]);
    expect(drain(new BinaryReplyParser(), [writer.take()]).values).toEqual([null, ['a', 'b']]);
    expect(writer.length).toBe(0);
  });
});

const binaryValue: fc.Arbitrary<BinaryValue> = fc.letrec<{ value: BinaryValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    latin1String(40),
    fc.maxSafeInteger(),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .filter((n) => n > 2n ** 53n - 1n || n < -(2n ** 53n - 1n)),
    fc.double().map((x) => new RespDouble(x)),
    fc
      .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), latin1String(20))
      .map(([code, message]) => new BinaryErrorReply(code, message)),
    fc.array(tie('value'), { maxLength: 5 }),
  ),
})).value;

function write(writer: BinaryWriter, value: BinaryValue): void {
  if (value === null) writer.nil();
  else if (typeof value === 'string') writer.str(value);
  else if (typeof value === 'number' || typeof value === 'bigint') writer.int(value);
  else if (value instanceof RespDouble) writer.dbl(value.value);
  else if (value instanceof BinaryErrorReply) writer.error(value.code, value.message);
  else {
    writer.arrayHeader(value.length);
    for (const item of value) write(writer, item);
  }
}

describe('BinaryReplyParser', () => {
  it('round trips any values through BinaryWriter under any chunk split', () => {
    fc.assert(
      fc.property(
        fc.array(binaryValue, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (values, cuts) => {
          const writer = new BinaryWriter({ initialCapacity: 8 });
          for (const value of values) write(writer, value);
          const stream = Buffer.from(writer.view());
          const chunks = splitAt(
            stream,
            cuts.map((cut) => cut % (stream.length + 1)),
          );
          const outcome = drain(new BinaryReplyParser({ encoding: 'latin1' }), chunks);
          expect(outcome.error).toBeUndefined();
          expect(outcome.values).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes STR as UTF-8 by default', () => {
    const writer = new BinaryWriter();
    writer.str(Buffer.from('héllo'));
    expect(drain(new BinaryReplyParser(), [writer.view()]).values).toEqual(['héllo']);
  });

  const malformed: [string, Buffer, string][] = [
    [
      'a message over the limit',
      u32(DEFAULT_MAX_MESSAGE_LENGTH + 1),
      'Protocol error: message too long (33554433 bytes, at most 33554432)',
    ],
    [
      'an empty message',
      frame(Buffer.alloc(0)),
      'Protocol error: value past the end of its message',
    ],
    ['an unknown tag', frame(Buffer.from([9])), 'Protocol error: unknown value tag 9'],
    [
      'trailing bytes',
      frame(Buffer.from([BinaryTags.NIL, 0])),
      'Protocol error: trailing bytes after the value',
    ],
    [
      'a string past the end',
      frame(Buffer.concat([Buffer.from([BinaryTags.STR]), u32(5), Buffer.from('ab')])),
      'Protocol error: value past the end of its message',
    ],
    [
      'an integer cut short',
      frame(Buffer.from([BinaryTags.INT, 1, 2])),
      'Protocol error: value past the end of its message',
    ],
    [
      'an array count past the end',
      frame(Buffer.concat([Buffer.from([BinaryTags.ARR]), u32(1000)])),
      'Protocol error: value past the end of its message',
    ],
  ];
  for (const [name, input, error] of malformed) {
    it(`refuses ${name}`, () => {
      expect(drain(new BinaryReplyParser(), [input]).error).toBe(error);
      expect(drain(new BinaryReplyParser(), byteByByte(input)).error).toBe(error);
    });
  }

  it('limits nesting', () => {
    const writer = new BinaryWriter();
    for (let i = 0; i < 4; i++) writer.arrayHeader(1);
    writer.nil();
    expect(drain(new BinaryReplyParser({ maxDepth: 3 }), [writer.view()]).error).toBe(
      'Protocol error: arrays nested deeper than 3',
    );
    expect(drain(new BinaryReplyParser({ maxDepth: 4 }), [writer.view()]).values).toEqual([
      [[[[null]]]],
    ]);
  });
});
