import type { DiffCase } from './harness.js';

/** HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, in Redis's own string representation. */

/** `count` distinct elements `${prefix}${i}`, from `from`. */
const elements = (prefix: string, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);

/** Binary elements of every length 0..40 (every MurmurHash64A tail length, several blocks). */
const binaryElements = Array.from({ length: 41 }, (_, n) =>
  Array.from({ length: n }, (_, i) => String.fromCharCode((i * 37 + n * 11) & 0xff)).join(''),
);

/** 16 header bytes: "HYLL", encoding, 3 unused, the cached cardinality (invalid: top bit set). */
const header = (encoding: number, card = '\x00\x00\x00\x00\x00\x00\x00\x80'): string =>
  `HYLL${String.fromCharCode(encoding)}\x00\x00\x00${card}`;

/** A dense HLL whose registers all hold `value` (four 6-bit registers every three bytes). */
const denseAll = (value: number): string => {
  const b0 = String.fromCharCode((value | (value << 6)) & 0xff);
  const b1 = String.fromCharCode(((value >> 2) | (value << 4)) & 0xff);
  const b2 = String.fromCharCode(((value >> 4) | (value << 2)) & 0xff);
  return header(0) + (b0 + b1 + b2).repeat(4096);
};

/** A dense HLL with register i = i % 52 (values up to the 51 a hash can produce, and 51 itself). */
const denseRamp = (() => {
  const bytes = new Uint8Array(12288 + 1);
  for (let i = 0; i < 16384; i++) {
    const value = i % 52;
    const byte = (i * 6) >> 3;
    const fb = (i * 6) & 7;
    bytes[byte]! |= (value << fb) & 0xff;
    bytes[byte + 1]! |= value >> (8 - fb);
  }
  return header(0) + Buffer.from(bytes.subarray(0, 12288)).toString('latin1');
})();

/** Sparse opcodes: XZERO n, ZERO n, VAL value x run. */
const xzero = (n: number) => String.fromCharCode(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
const zero = (n: number) => String.fromCharCode(n - 1);
const val = (value: number, run: number) =>
  String.fromCharCode(0x80 | ((value - 1) << 2) | (run - 1));

export const hyperloglogCases: DiffCase[] = [
  {
    name: 'pfadd/pfcount basics, the bytes of a new HLL',
    commands: [
      ['PFADD', 'h', 'a', 'b', 'c'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['GET', 'h'],
      ['PFADD', 'h', 'a'],
      ['PFADD', 'h', 'a', 'b', 'c'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h'],
      ['PFADD', 'empty'],
      ['GET', 'empty'],
      ['PFCOUNT', 'empty'],
      ['PFADD', 'empty'],
      ['PFCOUNT', 'missing'],
      ['PFCOUNT', 'missing', 'h'],
      ['PFADD', 'h', 'd', 'a'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h', 'h'],
      ['STRLEN', 'h'],
      ['TYPE', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['EXISTS', 'missing'],
    ],
  },
  {
    name: 'binary elements of every hash tail length',
    commands: [
      ['PFADD', 'h', ...binaryElements],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFDEBUG', 'DECODE', 'h'],
      ...binaryElements.map((element) => ['PFADD', 'single', element]),
      ['GET', 'single'],
      ['PFADD', 'nul', '\x00', '\x00\x00', '\xff\xff\xff\xff\xff\xff\xff\xff\xff', ''],
      ['GET', 'nul'],
    ],
  },
  {
    name: 'sparse growth: bytes, counts and opcodes at every step',
    commands: Array.from({ length: 30 }, (_, step) => [
      ['PFADD', 's', ...elements('user:', step * 40, 40)],
      ['GET', 's'],
      ['PFCOUNT', 's'],
      ['PFDEBUG', 'ENCODING', 's'],
    ]).flat(),
  },
  {
    name: 'one element per PFADD, sparse (register updates, splits and merges of VAL opcodes)',
    commands: [
      ...elements('x', 0, 300).map((element) => ['PFADD', 'one', element]),
      ['GET', 'one'],
      ['PFDEBUG', 'DECODE', 'one'],
      ['PFCOUNT', 'one'],
    ],
  },
  {
    name: 'dense: thousands of elements, counts at each step',
    commands: [
      ['PFADD', 'd', ...elements('e', 0, 5000)],
      ['PFDEBUG', 'ENCODING', 'd'],
      ['PFCOUNT', 'd'],
      ['GET', 'd'],
      ['PFADD', 'd', ...elements('e', 5000, 20000)],
      ['PFCOUNT', 'd'],
      ['PFADD', 'd', ...elements('e', 25000, 25000)],
      ['PFCOUNT', 'd'],
      ['PFADD', 'd', ...elements('e', 0, 1000)],
      ['PFCOUNT', 'd'],
      ['PFADD', 'd', ...elements('e', 50000, 50000)],
      ['PFCOUNT', 'd'],
      ['GET', 'd'],
      ['PFDEBUG', 'GETREG', 'd'],
      ['PFDEBUG', 'TODENSE', 'd'],
      ['PFDEBUG', 'DECODE', 'd'],
    ],
  },
  {
    name: 'counts at many cardinalities (the estimator on sparse and dense)',
    commands: [
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 5000, 8000, 12000, 20000,
    ].flatMap((n) => [
      ['PFADD', `c${n}`, ...elements('k', 0, n)],
      ['PFCOUNT', `c${n}`],
      ['PFDEBUG', 'ENCODING', `c${n}`],
    ]),
  },
  {
    name: 'pfdebug getreg and todense convert in place',
    commands: [
      ['PFADD', 'h', ...elements('r', 0, 200)],
      ['PFDEBUG', 'GETREG', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFADD', 't', ...elements('r', 0, 50)],
      ['PFDEBUG', 'TODENSE', 't'],
      ['PFDEBUG', 'TODENSE', 't'],
      ['PFDEBUG', 'encoding', 't'],
      ['GET', 't'],
      ['PFADD', 't', 'r1', 'new'],
      ['PFCOUNT', 't'],
      ['PFDEBUG', 'getreg', 't'],
      ['PFDEBUG', 'DECODE', 't'],
      ['PFDEBUG', 'FOO', 't'],
      ['PFDEBUG', 'FOO', 'missing'],
      ['PFDEBUG', 'GETREG', 'missing'],
      ['PFDEBUG', 'GETREG'],
      ['PFDEBUG', 'GETREG', 't', 'extra'],
      ['SET', 'str', 'hello'],
      ['PFDEBUG', 'ENCODING', 'str'],
      ['LPUSH', 'list', 'a'],
      ['PFDEBUG', 'ENCODING', 'list'],
    ],
  },
  {
    name: 'pfmerge: sparse, dense, missing keys, the destination as a source',
    commands: [
      ['PFADD', 'a', ...elements('m', 0, 100)],
      ['PFADD', 'b', ...elements('m', 50, 100)],
      ['PFMERGE', 'ab', 'a', 'b'],
      ['GET', 'ab'],
      ['PFCOUNT', 'ab'],
      ['PFCOUNT', 'a', 'b'],
      ['PFDEBUG', 'ENCODING', 'ab'],
      ['PFADD', 'big', ...elements('m', 0, 4000)],
      ['PFMERGE', 'a', 'big'],
      ['PFDEBUG', 'ENCODING', 'a'],
      ['GET', 'a'],
      ['PFCOUNT', 'a'],
      ['PFCOUNT', 'a', 'b', 'big', 'missing'],
      ['PFMERGE', 'fresh'],
      ['GET', 'fresh'],
      ['PFMERGE', 'fresh2', 'missing', 'nothing'],
      ['GET', 'fresh2'],
      ['PFMERGE', 'b'],
      ['GET', 'b'],
      ['PFMERGE', 'b', 'b', 'b'],
      ['GET', 'b'],
      ['PFMERGE', 'ab', 'big', 'b', 'missing'],
      ['PFCOUNT', 'ab'],
      ['GET', 'ab'],
      ['PFADD', 'c', ...elements('z', 0, 700)],
      ['PFADD', 'e', ...elements('y', 0, 700)],
      ['PFMERGE', 'ce', 'c', 'e'],
      ['PFDEBUG', 'ENCODING', 'ce'],
      ['GET', 'ce'],
      ['PFCOUNT', 'ce'],
      ['PFCOUNT', 'c', 'e'],
      ['PFCOUNT', 'c', 'e', 'big', 'a', 'b', 'ab'],
    ],
  },
  {
    name: 'merges of several keys against one PFADD of the union',
    commands: [
      ...Array.from({ length: 6 }, (_, i) => [
        'PFADD',
        `part${i}`,
        ...elements(`p${i}-`, 0, 800 * (i + 1)),
      ]),
      ['PFMERGE', 'all', 'part0', 'part1', 'part2', 'part3', 'part4', 'part5'],
      ['PFCOUNT', 'all'],
      ['PFCOUNT', 'part0', 'part1', 'part2', 'part3', 'part4', 'part5'],
      ['GET', 'all'],
      [
        'PFADD',
        'union',
        ...Array.from({ length: 6 }, (_, i) => elements(`p${i}-`, 0, 800 * (i + 1))).flat(),
      ],
      ['PFCOUNT', 'union'],
      ['PFMERGE', 'sparse2', 'part0'],
      ['PFDEBUG', 'ENCODING', 'sparse2'],
      ['GET', 'sparse2'],
    ],
  },
  {
    name: 'wrong types and values that are not HLLs',
    commands: [
      ['LPUSH', 'list', 'a'],
      ['PFADD', 'list', 'x'],
      ['PFCOUNT', 'list'],
      ['PFCOUNT', 'list', 'missing'],
      ['PFMERGE', 'list', 'missing'],
      ['PFMERGE', 'dest', 'list'],
      ['EXISTS', 'dest'],
      ['SET', 'str', 'not an hll at all'],
      ['PFADD', 'str', 'x'],
      ['PFCOUNT', 'str'],
      ['PFCOUNT', 'missing', 'str'],
      ['PFMERGE', 'dest', 'str'],
      ['PFMERGE', 'str'],
      ['SET', 'int', '12345'],
      ['PFADD', 'int', 'x'],
      ['SET', 'short', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'],
      ['PFCOUNT', 'short'],
      ['SET', 'badmagic', 'HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'],
      ['PFCOUNT', 'badmagic'],
      ['SET', 'badenc', header(2) + '\x7f\xff'],
      ['PFCOUNT', 'badenc'],
      ['SET', 'shortdense', header(0) + '\x00'.repeat(100)],
      ['PFCOUNT', 'shortdense'],
      ['PFADD', 'shortdense', 'a'],
      ['PFADD'],
      ['PFCOUNT'],
      ['PFMERGE'],
      ['PFSELFTEST', 'x'],
      ['PFDEBUG'],
    ],
  },
  {
    name: 'corrupted sparse representations',
    commands: [
      ['SET', 'short', header(1) + xzero(16000)],
      ['PFCOUNT', 'short'],
      ['PFADD', 'short', ...elements('q', 0, 20)],
      ['PFCOUNT', 'short', 'missing'],
      ['PFMERGE', 'dest', 'short'],
      ['EXISTS', 'dest'],
      ['PFDEBUG', 'TODENSE', 'short'],
      ['PFDEBUG', 'GETREG', 'short'],
      ['PFDEBUG', 'DECODE', 'short'],
      ['SET', 'long', header(1) + xzero(16384) + zero(3)],
      ['PFCOUNT', 'long'],
      ['PFADD', 'long', ...elements('q', 0, 20)],
      ['GET', 'long'],
      ['PFCOUNT', 'long', 'long'],
      ['SET', 'overflow', header(1) + xzero(16383) + val(3, 4)],
      ['PFCOUNT', 'overflow'],
      ['PFCOUNT', 'overflow', 'missing'],
      ['PFDEBUG', 'TODENSE', 'overflow'],
      ['SET', 'cached', header(1, '\x05\x00\x00\x00\x00\x00\x00\x00') + xzero(100)],
      ['PFCOUNT', 'cached'],
      ['PFCOUNT', 'cached', 'missing'],
      ['SET', 'emptybody', header(1)],
      ['PFCOUNT', 'emptybody'],
      ['PFADD', 'emptybody', 'a'],
      ['PFDEBUG', 'DECODE', 'emptybody'],
      // the last XZERO lacks its second byte: redis-server reads the sds terminator there, and
      // a split writes part of the new opcodes past the string's end, where the next PFADD reads
      ['SET', 'truncated', header(1, '\x00'.repeat(8)) + 'Z)['],
      ['PFADD', 'truncated', '1336'],
      ['PFDEBUG', 'DECODE', 'truncated'],
      ['PFADD', 'truncated', '0'],
      ['PFDEBUG', 'DECODE', 'truncated'],
      ['PFADD', 'truncated', '985'],
      ['GET', 'truncated'],
      ['PFDEBUG', 'DECODE', 'truncated'],
      ['SET', 'truncated2', header(1, '\x00'.repeat(8)) + 'Z)['],
      ['PFADD', 'truncated2', '1336', '0', '985', ...elements('t', 0, 50)],
      ['GET', 'truncated2'],
      ['PFCOUNT', 'truncated2'],
      ['SET', 'partial', header(1) + xzero(8000) + val(5, 1)],
      ['PFADD', 'partial', ...elements('q', 0, 200)],
      ['GET', 'partial'],
    ],
  },
  {
    name: 'sparse strings written by hand: every opcode',
    commands: [
      [
        'SET',
        'h',
        header(1) +
          zero(10) +
          val(3, 2) +
          xzero(1000) +
          val(32, 4) +
          val(1, 1) +
          xzero(16384 - 1017),
      ],
      ['PFCOUNT', 'h'],
      ['GET', 'h'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['PFADD', 'h', ...elements('w', 0, 100)],
      ['PFDEBUG', 'DECODE', 'h'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFDEBUG', 'GETREG', 'h'],
      ['SET', 'ones', header(1) + val(1, 4).repeat(4096)],
      ['PFCOUNT', 'ones'],
      ['PFADD', 'ones', 'a', 'b', 'c'],
      ['PFDEBUG', 'ENCODING', 'ones'],
      ['PFCOUNT', 'ones'],
      ['SET', 'split', header(1) + xzero(16384)],
      ['PFADD', 'split', 'a'],
      ['PFDEBUG', 'DECODE', 'split'],
    ],
  },
  {
    name: 'dense strings written by hand',
    commands: [
      ...[0, 1, 5, 20, 32, 33, 50, 51, 63].flatMap((v) => [
        ['SET', `d${v}`, denseAll(v)],
        ['PFCOUNT', `d${v}`],
        ['PFCOUNT', `d${v}`, 'missing'],
        ['PFADD', `d${v}`, 'a', 'b'],
        ['PFCOUNT', `d${v}`],
      ]),
      ['SET', 'ramp', denseRamp],
      ['PFCOUNT', 'ramp'],
      ['PFDEBUG', 'GETREG', 'ramp'],
      ['PFMERGE', 'm', 'ramp', 'd5'],
      ['GET', 'm'],
      ['PFCOUNT', 'm'],
      ['PFADD', 'sp', 'x'],
      ['PFMERGE', 'sp', 'ramp'],
      ['PFDEBUG', 'ENCODING', 'sp'],
      ['GET', 'sp'],
    ],
  },
  {
    name: 'the cached cardinality: valid, forged, invalidated',
    commands: [
      ['PFADD', 'h', ...elements('c', 0, 3000)],
      ['PFCOUNT', 'h'],
      ['GETRANGE', 'h', '0', '15'],
      ['PFCOUNT', 'h'],
      ['SETRANGE', 'h', '8', '\x01\x02\x03\x04\x05\x06\x07\x00'],
      ['PFCOUNT', 'h'],
      ['SETRANGE', 'h', '8', '\xff\xff\xff\xff\xff\xff\xff\x7f'],
      ['PFCOUNT', 'h'],
      ['SETRANGE', 'h', '8', '\xff\xff\xff\xff\xff\xff\x1f\x00'],
      ['PFCOUNT', 'h'],
      ['SETRANGE', 'h', '15', '\x80'],
      ['PFCOUNT', 'h'],
      ['GETRANGE', 'h', '0', '15'],
      ['SETRANGE', 'h', '100', '\xff\xff\xff'],
      ['PFCOUNT', 'h'],
      ['SETRANGE', 'h', '15', '\x80'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'c1'],
      ['PFCOUNT', 'h'],
      ['APPEND', 'h', 'x'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'c1'],
    ],
  },
  {
    name: 'hll-sparse-max-bytes promotes earlier or later',
    commands: [
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '100'],
      ['PFADD', 'h', ...elements('s', 0, 20)],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['GET', 'h'],
      ['PFADD', 'h', ...elements('s', 20, 40)],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFCOUNT', 'h'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '20000'],
      ['PFADD', 'big', ...elements('s', 0, 6000)],
      ['PFDEBUG', 'ENCODING', 'big'],
      ['STRLEN', 'big'],
      ['PFCOUNT', 'big'],
      ['PFADD', 'big', ...elements('s', 6000, 10000)],
      ['PFDEBUG', 'ENCODING', 'big'],
      ['PFCOUNT', 'big'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '0'],
      ['PFADD', 'zero', 'a'],
      ['PFDEBUG', 'ENCODING', 'zero'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
    ],
  },
  {
    name: 'transactions, RESP3 and other keyspace commands on HLLs',
    resp: 3,
    commands: [
      ['MULTI'],
      ['PFADD', 'h', 'a', 'b'],
      ['PFCOUNT', 'h'],
      ['PFMERGE', 'h2', 'h'],
      ['PFCOUNT', 'h', 'h2'],
      ['EXEC'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'GETREG', 'h2'],
      ['COPY', 'h', 'h3'],
      ['PFCOUNT', 'h3'],
      ['RENAME', 'h3', 'h4'],
      ['PFADD', 'h4', 'c'],
      ['PFCOUNT', 'h4'],
      ['GET', 'h4'],
      ['DUMP', 'h4'],
      ['PFADD', 'dense', ...elements('x', 0, 3000)],
      ['DUMP', 'dense'],
    ],
  },
  {
    name: 'pfselftest',
    commands: [['PFSELFTEST']],
  },
];
