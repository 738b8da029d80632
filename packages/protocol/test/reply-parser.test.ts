import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AttributedValue,
  BigNumber,
  ErrorReply,
  ProtocolError,
  Push,
  ReplyParser,
  RespDouble,
  RespWriter,
  SimpleString,
  VerbatimString,
  type ReplyParserOptions,
  type RespValue,
} from '../src/index.js';
import { byteByByte, latin1String, splitAt } from './support/chunks.js';

interface Outcome {
  replies: RespValue[];
  error: string | undefined;
}

/** Parses the chunks with next() (or drain()), stopping at the first error. */
function parse(
  chunks: readonly Uint8Array[],
  options: ReplyParserOptions = {},
  api: 'next' | 'drain' = 'next',
): Outcome {
  const parser = new ReplyParser(options);
  const replies: RespValue[] = [];
  try {
    for (const chunk of chunks) {
      parser.push(chunk);
      if (api === 'drain') {
        const before = replies.length;
        const count = parser.drain((reply) => replies.push(reply));
        expect(count).toBe(replies.length - before);
      } else {
        for (let reply = parser.next(); reply !== undefined; reply = parser.next()) {
          replies.push(reply);
        }
      }
    }
  } catch (error) {
    if (!ProtocolError.isInstance(error)) throw error;
    return { replies, error: error.message };
  }
  expect(parser.bufferedBytes).toBe(0);
  return { replies, error: undefined };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Every way of feeding `input`: whole, byte by byte, both APIs, windowed strings or not. */
function expectReplies(
  input: string | Buffer,
  expected: RespValue[],
  options: ReplyParserOptions = {},
) {
  const stream = typeof input === 'string' ? bytes(input) : input;
  for (const chunks of [[stream], byteByByte(stream)]) {
    for (const api of ['next', 'drain'] as const) {
      for (const copyStrings of [false, true]) {
        const outcome = parse(chunks, { ...options, copyStrings }, api);
        expect(outcome.error).toBeUndefined();
        expect(outcome.replies).toEqual(expected);
      }
    }
  }
}

describe('ReplyParser: every RESP2 and RESP3 type', () => {
  const cases: [string, string, RespValue[]][] = [
    [
      'simple string',
      '+OK\r\n+PONG\r\n+hello world\r\n+\r\n',
      [SimpleString.OK, SimpleString.PONG, new SimpleString('hello world'), new SimpleString('')],
    ],
    [
      'error',
      '-ERR unknown\r\n-WRONGTYPE x\r\n',
      [new ErrorReply('ERR unknown'), new ErrorReply('WRONGTYPE x')],
    ],
    [
      'integer',
      ':0\r\n:-1\r\n:+5\r\n:123456789012345\r\n:-9007199254740991\r\n',
      [0, -1, 5, 123456789012345, -9007199254740991],
    ],
    [
      'integer beyond 2^53',
      ':9007199254740993\r\n:-9223372036854775808\r\n:9007199254740992\r\n',
      [9007199254740993n, -9223372036854775808n, 9007199254740992n],
    ],
    ['bulk string', '$5\r\nhello\r\n$0\r\n\r\n$4\r\na\r\nb\r\n', ['hello', '', 'a\r\nb']],
    ['null bulk and array (RESP2)', '$-1\r\n*-1\r\n', [null, null]],
    ['array', '*3\r\n$1\r\na\r\n:1\r\n*1\r\n+x\r\n*0\r\n', [['a', 1, [new SimpleString('x')]], []]],
    ['null (RESP3)', '_\r\n', [null]],
    ['boolean', '#t\r\n#f\r\n', [true, false]],
    [
      'double',
      ',1.5\r\n,-0\r\n,1e+20\r\n,inf\r\n,-inf\r\n,3\r\n,.5\r\n',
      [
        new RespDouble(1.5),
        new RespDouble(-0),
        new RespDouble(1e20),
        new RespDouble(Infinity),
        new RespDouble(-Infinity),
        new RespDouble(3),
        new RespDouble(0.5),
      ],
    ],
    ['double nan', ',nan\r\n', [new RespDouble(NaN)]],
    [
      'big number',
      '(3492890328409238509324850943850943825024385\r\n(-1\r\n',
      [new BigNumber(3492890328409238509324850943850943825024385n), new BigNumber(-1n)],
    ],
    [
      'bulk error',
      '!21\r\nSYNTAX invalid syntax\r\n',
      [new ErrorReply('SYNTAX invalid syntax', true)],
    ],
    [
      'verbatim string',
      '=15\r\ntxt:Some string\r\n=4\r\nmkd:\r\n',
      [new VerbatimString('txt', 'Some string'), new VerbatimString('mkd', '')],
    ],
    [
      'map',
      '%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#t\r\n%0\r\n',
      [
        new Map<RespValue, RespValue>([
          [new SimpleString('first'), 1],
          ['second', true],
        ]),
        new Map(),
      ],
    ],
    [
      'set',
      '~3\r\n+a\r\n:1\r\n_\r\n~0\r\n',
      [new Set<RespValue>([new SimpleString('a'), 1, null]), new Set()],
    ],
    [
      'push',
      '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n>0\r\n',
      [new Push(['message', 'ch', 'hi']), new Push([])],
    ],
    [
      'attribute before a top-level value',
      '|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n:2039123\r\n',
      [
        new AttributedValue(
          new Map<RespValue, RespValue>([
            [new SimpleString('key-popularity'), ['a', new RespDouble(0.1923)]],
          ]),
          2039123,
        ),
      ],
    ],
    [
      'attribute inside an array, before an aggregate',
      '*2\r\n:1\r\n|1\r\n+ttl\r\n:3\r\n*1\r\n:2\r\n',
      [
        [
          1,
          new AttributedValue(new Map<RespValue, RespValue>([[new SimpleString('ttl'), 3]]), [2]),
        ],
      ],
    ],
    ['empty attribute', '|0\r\n:7\r\n', [7]],
    [
      'deep nesting',
      '*1\r\n*1\r\n*1\r\n%1\r\n~1\r\n>1\r\n:1\r\n:2\r\n',
      [[[[new Map<RespValue, RespValue>([[new Set<RespValue>([new Push([1])]), 2]])]]]],
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expectReplies(input, expected));
  }

  it('latin1 and utf8 decoding', () => {
    const stream = Buffer.concat([
      bytes('$2\r\n'),
      Buffer.from('é'),
      bytes('\r\n+'),
      Buffer.from('ü'),
      bytes('\r\n'),
    ]);
    expectReplies(stream, ['é', new SimpleString('ü')]);
    expectReplies(stream, ['\xc3\xa9', new SimpleString('\xc3\xbc')], { encoding: 'latin1' });
  });

  it('invalid UTF-8 decodes as Buffer#toString does, window or not', () => {
    const body = Buffer.from([0x61, 0xff, 0x80, 0xc3, 0x62, 0xe2, 0x82]);
    const stream = Buffer.concat([
      bytes(`*2\r\n$${body.length}\r\n`),
      body,
      bytes('\r\n$1\r\nz\r\n'),
    ]);
    expectReplies(stream, [[body.toString('utf8'), 'z']]);
  });

  it('shares +OK, +PONG, +QUEUED', () => {
    const { replies } = parse([bytes('+OK\r\n+PONG\r\n+QUEUED\r\n')]);
    expect(replies[0]).toBe(SimpleString.OK);
    expect(replies[1]).toBe(SimpleString.PONG);
    expect(replies[2]).toBe(SimpleString.QUEUED);
    expect(Object.isFrozen(SimpleString.OK)).toBe(true);
  });

  it('value classes: code, toString, valueOf', () => {
    expect(new ErrorReply('MOVED 3999 127.0.0.1:6381').code).toBe('MOVED');
    expect(new ErrorReply('ERR').code).toBe('ERR');
    expect(String(new SimpleString('OK'))).toBe('OK');
    expect(String(new ErrorReply('ERR x'))).toBe('ERR x');
    expect(String(new VerbatimString('txt', 'abc'))).toBe('abc');
    expect(Number(new RespDouble(1.5))).toBe(1.5);
    expect(new BigNumber(5n).valueOf()).toBe(5n);
  });
});

describe('ReplyParser: streaming', () => {
  it('an array of 10,000 elements in 50 chunks', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `value:${i}`);
    const writer = new RespWriter();
    writer.bulkArray(values);
    const stream = Buffer.from(writer.view());
    const size = Math.ceil(stream.length / 50);
    const chunks = Array.from({ length: 50 }, (_, i) => stream.subarray(i * size, (i + 1) * size));
    expect(parse(chunks).replies).toEqual([values]);
    expect(parse(chunks, {}, 'drain').replies).toEqual([values]);
  });

  it('large bulk strings (ASCII, UTF-8, latin1) whole and cut anywhere', () => {
    const ascii = 'x'.repeat(300_000);
    const utf8 = 'aé€😀'.repeat(40_000); // 1-, 2-, 3- and 4-byte characters
    const mixed = 'a'.repeat(70_000) + 'é' + 'b'.repeat(200_000); // ASCII pieces, then not
    for (const text of [ascii, utf8, mixed]) {
      const body = Buffer.from(text);
      const stream = Buffer.concat([bytes(`$${body.length}\r\n`), body, bytes('\r\n:1\r\n')]);
      for (const cuts of [
        [],
        [5],
        [100, 65_536 + 3, 200_001],
        [stream.length - 1],
        [stream.length - 3],
      ]) {
        expect(parse(splitAt(stream, cuts)).replies).toEqual([text, 1]);
        expect(parse(splitAt(stream, cuts), { encoding: 'latin1' }).replies).toEqual([
          body.toString('latin1'),
          1,
        ]);
      }
    }
  });

  it('large bulk errors and verbatim strings cut into chunks', () => {
    const text = 'e'.repeat(200_000);
    const stream = bytes(`!${text.length}\r\n${text}\r\n=${text.length + 4}\r\ntxt:${text}\r\n`);
    const chunks = splitAt(stream, [10, 70_000, 200_010, 300_000]);
    expect(parse(chunks).replies).toEqual([
      new ErrorReply(text, true),
      new VerbatimString('txt', text),
    ]);
  });

  it('drain() across its batches: 2,000 plain replies with other types between them', () => {
    const expected: RespValue[] = [];
    let stream = '';
    for (let i = 0; i < 2000; i++) {
      if (i % 300 === 299) {
        stream += '*1\r\n:7\r\n';
        expected.push([7]);
      } else if (i % 2 === 0) {
        stream += `:${i * 1001}\r\n`;
        expected.push(i * 1001);
      } else {
        stream += `$${String(i).length}\r\n${i}\r\n`;
        expected.push(String(i));
      }
    }
    const parser = new ReplyParser();
    const replies: RespValue[] = [];
    parser.push(bytes(stream));
    expect(parser.drain((reply) => replies.push(reply))).toBe(2000);
    expect(replies).toEqual(expected);
  });

  it('waits for the CRLF after a bulk whose bytes are already in the decoded window', () => {
    // the first bulk decodes a window up to the end of the input, which holds the second's body
    // but not its CRLF: next() and drain() must wait for it
    for (const api of ['next', 'drain'] as const) {
      const outcome = parse([bytes('$1\r\na\r\n$3\r\nabc'), bytes('\r\n:1\r\n')], {}, api);
      expect(outcome.error).toBeUndefined();
      expect(outcome.replies).toEqual(['a', 'abc', 1]);
    }
  });

  it('counts only unconsumed bytes as buffered', () => {
    const parser = new ReplyParser();
    parser.push(bytes('*3\r\n$1\r\na\r\n$5\r\nhel'));
    expect(parser.next()).toBeUndefined();
    expect(parser.bufferedBytes).toBe(7);
    parser.push(bytes('lo\r\n:1\r\n'));
    expect(parser.next()).toEqual(['a', 'hello', 1]);
    expect(parser.next()).toBeUndefined();
    expect(parser.bufferedBytes).toBe(0);
  });

  it('reset() forgets a partial reply', () => {
    const parser = new ReplyParser();
    parser.push(bytes('*2\r\n:1\r\n'));
    expect(parser.next()).toBeUndefined();
    parser.reset();
    parser.push(bytes(':5\r\n'));
    expect(parser.next()).toBe(5);
    parser.push(bytes(`$200000\r\n${'y'.repeat(1000)}`));
    expect(parser.next()).toBeUndefined();
    parser.reset();
    parser.push(bytes('+OK\r\n'));
    expect(parser.next()).toBe(SimpleString.OK);
  });
});

describe('ReplyParser: malformed replies', () => {
  const cases: [string, string][] = [
    ['?x\r\n', 'Protocol error: unknown reply type byte "?"'],
    ['$x\r\n', 'Protocol error: invalid bulk length'],
    ['$-2\r\n', 'Protocol error: invalid bulk length'],
    ['$\r\n\r\n', 'Protocol error: invalid bulk length'],
    ['!-1\r\n', 'Protocol error: invalid bulk length'],
    ['$99999999999999999999\r\n', 'Protocol error: invalid bulk length'],
    ['*x\r\n', 'Protocol error: invalid multibulk length'],
    ['%-1\r\n', 'Protocol error: invalid multibulk length'],
    ['*\r\n', 'Protocol error: invalid multibulk length'],
    [':\r\n', 'Protocol error: invalid integer'],
    [':12a\r\n', 'Protocol error: invalid integer'],
    [':-\r\n', 'Protocol error: invalid integer'],
    ['#x\r\n', 'Protocol error: invalid boolean'],
    ['_x\r\n', 'Protocol error: invalid null'],
    [',abc\r\n', 'Protocol error: invalid double "abc"'],
    [', 1\r\n', 'Protocol error: invalid double " 1"'],
    ['(12x\r\n', 'Protocol error: invalid big number "12x"'],
    ['=2\r\nab\r\n', 'Protocol error: invalid verbatim string'],
    ['=5\r\ntxt-a\r\n', 'Protocol error: invalid verbatim string'],
  ];
  for (const [input, error] of cases) {
    it(JSON.stringify(input), () => {
      for (const chunks of [[bytes(input)], byteByByte(bytes(input))]) {
        expect(parse(chunks).error).toBe(error);
      }
    });
  }

  it('limits: bulk length, aggregate length, depth', () => {
    expect(parse([bytes('$11\r\nhello world\r\n')], { maxBulkLength: 10 }).error).toBe(
      'Protocol error: invalid bulk length',
    );
    expect(parse([bytes('*3\r\n')], { maxAggregateLength: 2 }).error).toBe(
      'Protocol error: invalid multibulk length',
    );
    expect(parse([bytes('*1\r\n*1\r\n*1\r\n:1\r\n')], { maxDepth: 2 }).error).toBe(
      'Protocol error: aggregates nested deeper than 2',
    );
    expect(parse([bytes('*1\r\n*1\r\n:1\r\n')], { maxDepth: 2 }).replies).toEqual([[[1]]]);
  });

  it('a declared aggregate length allocates nothing up front', () => {
    const parser = new ReplyParser();
    parser.push(bytes('*2147483647\r\n:1\r\n'));
    expect(parser.next()).toBeUndefined();
    parser.reset();
  });

  it('keeps throwing until reset', () => {
    const parser = new ReplyParser();
    parser.push(bytes('?\r\n'));
    expect(() => parser.next()).toThrow(ProtocolError);
    expect(() => parser.drain(() => undefined)).toThrow('unknown reply type byte');
    parser.reset();
    parser.push(bytes(':1\r\n'));
    expect(parser.next()).toBe(1);
  });
});

/** RespValues as ReplyParser returns them (latin1 strings; doubles wrapped; ints as numbers). */
const respValue: fc.Arbitrary<RespValue> = fc.letrec<{ value: RespValue }>((tie) => {
  const line = latin1String(20).map((text) => text.replace(/[\r\n]/g, ' '));
  const scalar = fc.oneof(
    latin1String(60),
    fc.maxSafeInteger(),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .filter((n) => n > 2n ** 53n - 1n || n < -(2n ** 53n - 1n)),
    fc.constant(null),
    fc.boolean(),
    line.map((text) => new SimpleString(text)),
    line.map((text) => new ErrorReply(text)),
    latin1String(30).map((text) => new ErrorReply(text, true)),
    fc.double().map((x) => new RespDouble(x)),
    fc.bigInt().map((n) => new BigNumber(n)),
    fc
      .tuple(fc.constantFrom('txt', 'mkd'), latin1String(40))
      .map(([format, text]) => new VerbatimString(format, text)),
  );
  return {
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 5 }),
      fc
        .uniqueArray(fc.tuple(latin1String(10), tie('value')), {
          selector: ([key]) => key,
          maxLength: 4,
        })
        .map((entries) => new Map<RespValue, RespValue>(entries)),
      fc
        .uniqueArray(fc.oneof(latin1String(10), fc.integer()), { maxLength: 4 })
        .map((items) => new Set<RespValue>(items)),
      fc.array(tie('value'), { maxLength: 4 }).map((values) => new Push(values)),
      fc
        .tuple(
          fc.uniqueArray(fc.tuple(latin1String(8), tie('value')), {
            selector: ([key]) => key,
            minLength: 1,
            maxLength: 2,
          }),
          tie('value'),
        )
        .map(
          ([entries, value]) => new AttributedValue(new Map<RespValue, RespValue>(entries), value),
        ),
    ),
  };
}).value;

describe('ReplyParser: integers (the four-digits-at-a-time path)', () => {
  it('any integer text parses to its value, next() and drain() alike', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), {
          minLength: 1,
          maxLength: 20,
        }),
        (numbers) => {
          const stream = bytes(numbers.map((n) => `:${n}\r\n`).join(''));
          const expected = numbers.map((n) =>
            n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n ? Number(n) : n,
          );
          expect(parse([stream]).replies).toEqual(expected);
          expect(parse([stream], {}, 'drain').replies).toEqual(expected);
        },
      ),
    );
  });

  it('a non-digit anywhere in the digits is refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999_999_999 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }).filter((byte) => (byte < 48 || byte > 57) && byte !== 13),
        (n, at, byte) => {
          const digits = Buffer.from(String(n));
          const where = at % (digits.length + 1);
          const stream = Buffer.concat([
            bytes(':'),
            digits.subarray(0, where),
            Buffer.from([byte]),
            digits.subarray(where),
            bytes('\r\n'),
          ]);
          if (where === 0 && (byte === 45 || byte === 43)) return; // a sign is allowed first
          for (const api of ['next', 'drain'] as const) {
            expect(parse([stream], {}, api).error).toBe('Protocol error: invalid integer');
          }
        },
      ),
    );
  });
});

describe('ReplyParser: round trips through RespWriter', () => {
  it('any value, written in RESP3 and cut anywhere, parses back equal', () => {
    fc.assert(
      fc.property(
        fc.array(respValue, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        fc.constantFrom<'next' | 'drain'>('next', 'drain'),
        (values, cuts, copyStrings, api) => {
          const writer = new RespWriter(16);
          writer.protocol = 3;
          for (const value of values) writer.value(value);
          const stream = Buffer.from(writer.view());
          const chunks = splitAt(
            stream,
            cuts.map((cut) => cut % (stream.length + 1)),
          );
          const outcome = parse(chunks, { encoding: 'latin1', copyStrings }, api);
          expect(outcome.error).toBeUndefined();
          expect(outcome.replies).toEqual(values);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('UTF-8 strings of any code points, cut anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (texts, cuts) => {
          const writer = new RespWriter();
          writer.arrayHeader(texts.length);
          for (const text of texts) writer.bulk(Buffer.from(text));
          const stream = Buffer.from(writer.view());
          const chunks = splitAt(
            stream,
            cuts.map((cut) => cut % (stream.length + 1)),
          );
          expect(parse(chunks).replies).toEqual([texts]);
          expect(parse(chunks, {}, 'drain').replies).toEqual([texts]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('RESP2 degradation parses to the RESP2 shapes', () => {
    const writer = new RespWriter();
    writer.value(new Map<RespValue, RespValue>([['a', 1]]));
    writer.value(new Set<RespValue>(['x']));
    writer.value(new RespDouble(1.5));
    writer.value(true);
    writer.value(null);
    writer.value(new AttributedValue(new Map<RespValue, RespValue>([['k', 'v']]), 'plain'));
    writer.value(1.25);
    expect(parse([writer.view()]).replies).toEqual([
      ['a', 1],
      ['x'],
      '1.5',
      1,
      null,
      'plain',
      '1.25',
    ]);
  });
});
