import {
  AttributedValue,
  BigNumber,
  ErrorReply,
  Push,
  RespDouble,
  SimpleString,
  VerbatimString,
  splitArgs,
  type RespValue,
} from '@byor/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInvalidate, formatReply, replyText } from '../src/format.js';
import { quoteBytes, quoteJson, quoteJsonAscii, toBytes } from '../src/repr.js';

const map = (...entries: [RespValue, RespValue][]): Map<RespValue, RespValue> => new Map(entries);

// Expected texts are redis-cli 7.0.15's, checked by hand against it (test/oracle.test.ts
// compares the two programs directly).
const cases: {
  name: string;
  value: RespValue;
  standard: string;
  raw: string;
  csv: string;
  json: string;
}[] = [
  {
    name: 'status',
    value: SimpleString.OK,
    standard: 'OK\n',
    raw: 'OK\n',
    csv: '"OK"\n',
    json: '"OK"\n',
  },
  {
    name: 'error',
    value: new ErrorReply('ERR bad "x"'),
    standard: '(error) ERR bad "x"\n',
    raw: 'ERR bad "x"\n\n',
    csv: 'ERROR,"ERR bad \\"x\\""\n',
    json: 'error:"ERR bad \\"x\\""\n',
  },
  {
    name: 'integer',
    value: -5,
    standard: '(integer) -5\n',
    raw: '-5\n',
    csv: '-5\n',
    json: '-5\n',
  },
  {
    name: 'big integer',
    value: 9007199254740993n,
    standard: '(integer) 9007199254740993\n',
    raw: '9007199254740993\n',
    csv: '9007199254740993\n',
    json: '9007199254740993\n',
  },
  {
    name: 'bulk with bytes',
    value: 'a\x01"\\\n\t\xff b\x7f\x00',
    standard: '"a\\x01\\"\\\\\\n\\t\\xff b\\x7f\\x00"\n',
    raw: 'a\x01"\\\n\t\xff b\x7f\x00\n',
    csv: '"a\\x01\\"\\\\\\n\\t\\xff b\\x7f\\x00"\n',
    json: '"a\\u0001\\"\\\\\\n\\t\xff b\x7f\\u0000"\n',
  },
  { name: 'nil', value: null, standard: '(nil)\n', raw: '\n', csv: 'NULL\n', json: 'null\n' },
  {
    name: 'true',
    value: true,
    standard: '(true)\n',
    raw: '(true)\n',
    csv: 'true\n',
    json: 'true\n',
  },
  {
    name: 'false',
    value: false,
    standard: '(false)\n',
    raw: '(false)\n',
    csv: 'false\n',
    json: 'false\n',
  },
  {
    name: 'double',
    value: new RespDouble(1.1),
    standard: '(double) 1.1000000000000001\n',
    raw: '1.1000000000000001\n',
    csv: '1.1000000000000001\n',
    json: '1.1000000000000001\n',
  },
  {
    name: 'infinite double',
    value: new RespDouble(-Infinity),
    standard: '(double) -inf\n',
    raw: '-inf\n',
    csv: '-inf\n',
    json: '-inf\n',
  },
  {
    name: 'big number',
    value: new BigNumber(12345678901234567890n),
    standard: '(big number) 12345678901234567890\n',
    raw: '12345678901234567890\n',
    csv: '12345678901234567890\n',
    json: '12345678901234567890\n',
  },
  {
    name: 'verbatim',
    value: new VerbatimString('txt', 'Some "text"'),
    standard: 'Some "text"\n',
    raw: 'Some "text"\n',
    csv: '"Some \\"text\\""\n',
    json: '"Some \\"text\\""\n',
  },
  {
    name: 'empty array',
    value: [],
    standard: '(empty array)\n',
    raw: '\n',
    csv: '\n',
    json: '[]\n',
  },
  {
    name: 'empty map',
    value: new Map(),
    standard: '(empty hash)\n',
    raw: '\n',
    csv: '\n',
    json: '{}\n',
  },
  {
    name: 'empty set',
    value: new Set(),
    standard: '(empty set)\n',
    raw: '\n',
    csv: '\n',
    json: '[]\n',
  },
  {
    name: 'empty push',
    value: new Push([]),
    standard: '(empty push)\n',
    raw: '\n',
    csv: '\n',
    json: '[]\n',
  },
  {
    name: 'flat array',
    value: ['a', 1, null],
    standard: '1) "a"\n2) (integer) 1\n3) (nil)\n',
    raw: 'a\n1\n\n',
    csv: '"a",1,NULL\n',
    json: '["a",1,null]\n',
  },
  {
    name: 'ten elements pad the numbers',
    value: [1, 2, 3, 4, 5, 6, 7, 8, 9, [[1], 2], []],
    standard:
      ' 1) (integer) 1\n 2) (integer) 2\n 3) (integer) 3\n 4) (integer) 4\n 5) (integer) 5\n' +
      ' 6) (integer) 6\n 7) (integer) 7\n 8) (integer) 8\n 9) (integer) 9\n' +
      '10) 1) 1) (integer) 1\n    2) (integer) 2\n11) (empty array)\n',
    raw: '1\n2\n3\n4\n5\n6\n7\n8\n9\n1\n2\n\n',
    csv: '1,2,3,4,5,6,7,8,9,1,2,\n',
    json: '[1,2,3,4,5,6,7,8,9,[[1],2],[]]\n',
  },
  {
    name: 'map of status, double, bool',
    value: map([new SimpleString('k'), new RespDouble(1.5)], ['k2', true]),
    standard: '1# k => (double) 1.5\n2# "k2" => (true)\n',
    raw: 'k 1.5\nk2 (true)\n',
    csv: '"k",1.5,"k2",true\n',
    json: '{"k":1.5,"k2":true}\n',
  },
  {
    name: 'a multi-line map value starts on its own line',
    value: map([[1, 2], map(['a', [1, 2]])]),
    standard:
      '1# 1) (integer) 1\n   2) (integer) 2 => \n   1# "a" => \n      1) (integer) 1\n      2) (integer) 2\n',
    raw: '1\n2 a 1\n2\n',
    csv: '1,2,"a",1,2\n',
    json: '{"[1,2]":{"a":[1,2]}}\n',
  },
  {
    name: 'a one-line aggregate value stays on the line',
    value: map([new SimpleString('k'), []], [new SimpleString('j'), new Set([1])]),
    standard: '1# k => (empty array)\n2# j => 1~ (integer) 1\n',
    raw: 'k \nj 1\n',
    csv: '"k",,"j",1\n',
    json: '{"k":[],"j":[1]}\n',
  },
  {
    name: 'set',
    value: new Set(['x', 2]),
    standard: '1~ "x"\n2~ (integer) 2\n',
    raw: 'x\n2\n',
    csv: '"x",2\n',
    json: '["x",2]\n',
  },
  {
    name: 'push',
    value: new Push(['message', 'ch', 'hi']),
    standard: '1) "message"\n2) "ch"\n3) "hi"\n',
    raw: 'message\nch\nhi\n',
    csv: '"message","ch","hi"\n',
    json: '["message","ch","hi"]\n',
  },
  {
    name: 'JSON keys that are not strings are quoted',
    value: map([1, 'a'], [null, 'b'], [new ErrorReply('ERR x'), 'c']),
    standard: '1# (integer) 1 => "a"\n2# (nil) => "b"\n3# (error) ERR x => "c"\n',
    raw: '1 a\n b\nERR x\n c\n',
    csv: '1,"a",NULL,"b",ERROR,"ERR x","c"\n',
    json: '{"1":"a","null":"b",error:"ERR x":"c"}\n',
  },
  {
    name: 'attributes are not printed',
    value: new AttributedValue(map([new SimpleString('ttl'), 3]), 'hi'),
    standard: '"hi"\n',
    raw: 'hi\n',
    csv: '"hi"\n',
    json: '"hi"\n',
  },
];

describe('formatReply', () => {
  for (const format of ['standard', 'raw', 'csv', 'json'] as const) {
    it.each(cases)(`$name (${format})`, (row) => {
      expect(formatReply(row.value, format)).toBe(row[format]);
    });
  }

  it('quoted JSON keeps to ASCII', () => {
    expect(formatReply('O"K\x01\xc3\xa9', 'quoted-json')).toBe(
      '"O\\\\\\"K\\\\x01\\\\xc3\\\\xa9"\n',
    );
    expect(formatReply(new ErrorReply('ERR "bad"'), 'quoted-json')).toBe(
      'error:"ERR \\\\\\"bad\\\\\\""\n',
    );
  });

  it('raw delimiters -d and -D', () => {
    expect(formatReply(['a', ['b', 'c']], 'raw', { bulkDelimiter: ',', replyDelimiter: ';' })).toBe(
      'a,b,c;',
    );
  });

  it('renders invalidate pushes the way redis-cli does', () => {
    expect(formatInvalidate(new Push(['invalidate', ['a', 'b']]))).toBe(
      "-> invalidate: 'a', 'b'\n",
    );
    expect(formatInvalidate(new Push(['message', 'a', 'b']))).toBeUndefined();
  });

  it('replyText reads scalars', () => {
    expect(replyText(new SimpleString('OK'))).toBe('OK');
    expect(replyText(12)).toBe('12');
    expect(replyText('x')).toBe('x');
    expect(replyText(new VerbatimString('txt', 'v'))).toBe('v');
    expect(replyText(['x'])).toBe('');
  });

  it('the raw format of a flat array is its elements joined', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary-ascii' })), (items) => {
        expect(formatReply(items, 'raw')).toBe(items.join('\n') + '\n');
      }),
    );
  });

  it('the standard format prints one numbered line per scalar element', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 120 }), (items) => {
        const lines = formatReply(items, 'standard').split('\n').slice(0, -1);
        const width = String(items.length).length;
        expect(lines).toEqual(
          items.map((n, i) => `${String(i + 1).padStart(width)}) (integer) ${n}`),
        );
      }),
    );
  });
});

describe('quoting', () => {
  const bytes = fc
    .uint8Array({ maxLength: 64 })
    .map((array) => Buffer.from(array).toString('latin1'));

  it('quoteBytes prints printable ASCII only, and the prompt reads it back to the same bytes', () => {
    fc.assert(
      fc.property(bytes, (text) => {
        const quoted = quoteBytes(text);
        expect(quoted).toMatch(/^[\x20-\x7e]*$/);
        expect(splitArgs(Buffer.from(quoted, 'latin1'))).toEqual([text]);
      }),
    );
  });

  it('quoteJson output parses as JSON to the same text, bytes kept as they are', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (text) => {
        expect(JSON.parse(quoteJson(text))).toBe(text);
      }),
    );
  });

  it('quoteJsonAscii is ASCII, and JSON-decodes to the quoteBytes text', () => {
    fc.assert(
      fc.property(bytes, (text) => {
        const quoted = quoteJsonAscii(text);
        expect(quoted).toMatch(/^[\x20-\x7e]*$/);
        expect(JSON.parse(quoted)).toBe(quoteBytes(text).slice(1, -1));
      }),
    );
  });

  it.each([
    ['', '""'],
    ['plain', '"plain"'],
    ['\x07\x08', '"\\a\\b"'],
    ['\r', '"\\r"'],
    ['\x80', '"\\x80"'],
  ])('quoteBytes(%j) is %s', (input, expected) => {
    expect(quoteBytes(input)).toBe(expected);
  });

  it('toBytes gives the UTF-8 bytes of typed text', () => {
    expect(toBytes('abc')).toBe('abc');
    expect(toBytes('é')).toBe('\xc3\xa9');
    expect(toBytes('€')).toBe('\xe2\x82\xac');
  });
});
