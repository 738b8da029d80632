import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BULK_LENGTH,
  DEFAULT_MAX_INLINE_LENGTH,
  DEFAULT_MAX_MULTIBULK_LENGTH,
  ProtocolError,
  RequestParser,
  type RequestParserOptions,
} from '../src/index.js';
import { byteByByte, cutPoints, latin1String, splitAt } from './support/chunks.js';

/** The reference multibulk encoding of one command (latin1 args). */
function multibulk(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join('')}`;
}

interface Outcome {
  commands: string[][];
  error: string | undefined;
  buffered: number;
}

/**
 * Pushes every chunk, draining commands after each; stops at the first error. With `shared`, each
 * chunk is first copied into one reused buffer (a server reading every socket into one buffer),
 * the parser detaches after each chunk, and the buffer is then scribbled over.
 */
function run(
  chunks: readonly Uint8Array[],
  options?: RequestParserOptions,
  shared?: Buffer,
): Outcome {
  const parser = new RequestParser(options);
  const commands: string[][] = [];
  try {
    for (const chunk of chunks) {
      if (shared) {
        shared.set(chunk, 0);
        parser.push(shared.subarray(0, chunk.length));
      } else {
        parser.push(chunk);
      }
      for (let command = parser.next(); command !== undefined; command = parser.next()) {
        commands.push(command);
      }
      if (shared) {
        parser.detach();
        shared.fill(0x2a); // '*': a stale reference would parse as garbage
      }
    }
  } catch (error) {
    if (!ProtocolError.isInstance(error)) throw error;
    return { commands, error: error.message, buffered: parser.bufferedBytes };
  }
  return { commands, error: undefined, buffered: parser.bufferedBytes };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Runs the input as one chunk and byte by byte; both must give `expected`. */
function expectBoth(input: string, expected: Partial<Outcome>, options?: RequestParserOptions) {
  for (const chunks of [[bytes(input)], byteByByte(bytes(input))]) {
    const outcome = run(chunks, options);
    expect(outcome.commands).toEqual(expected.commands ?? []);
    expect(outcome.error).toBe(expected.error);
    if (expected.buffered !== undefined) expect(outcome.buffered).toBe(expected.buffered);
  }
}

describe('RequestParser: well-formed input', () => {
  const cases: [string, string, string[][]][] = [
    ['one multibulk command', '*1\r\n$4\r\nPING\r\n', [['PING']]],
    [
      'pipelined commands',
      '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n',
      [['GET', 'k'], ['PING']],
    ],
    ['empty argument', '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', [['ECHO', '']]],
    ['binary argument', '*1\r\n$5\r\n\r\n\0\xff*\r\n', [['\r\n\0\xff*']]],
    ['*0 is skipped', '*0\r\n*1\r\n$4\r\nPING\r\n', [['PING']]],
    ['*-1 is skipped', '*-1\r\n*1\r\n$4\r\nPING\r\n', [['PING']]],
    ['any negative count is skipped', '*-9223372036854775808\r\nPING\r\n', [['PING']]],
    ['inline command', 'SET a b\r\n', [['SET', 'a', 'b']]],
    ['inline with bare \\n', 'PING\nPING\n', [['PING'], ['PING']]],
    ['blank inline lines are skipped', '\r\n   \r\n\n\t\r\nPING\r\n', [['PING']]],
    ['inline double quotes', 'SET "a b" "\\x41\\n\\"\\q"\r\n', [['SET', 'a b', 'A\n"q']]],
    ['inline single quotes', "SET 'a\\'b' 'c\\nd'\r\n", [['SET', "a'b", 'c\\nd']]],
    ['inline empty quoted args', 'ECHO "" \'\'\r\n', [['ECHO', '', '']]],
    ['inline \\v inside an argument', 'ECHO a\x0bb\r\n', [['ECHO', 'a\x0bb']]],
    ['inline \\r ends an argument', 'ECHO x\ry\r\n', [['ECHO', 'x', 'y']]],
    ['inline high bytes', 'ECHO \xe9\xff\r\n', [['ECHO', '\xe9\xff']]],
    ['a space before * makes it inline', ' *1\r\n', [['*1']]],
    ['byte after \\r of a header is not checked', '*1\rX$4\r\nPING\r\n', [['PING']]],
    [
      'bytes after a bulk are not checked',
      '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n',
      [['PING'], ['PING']],
    ],
    ['inline then multibulk', 'PING\r\n*1\r\n$4\r\nPING\r\n', [['PING'], ['PING']]],
  ];
  for (const [name, input, commands] of cases) {
    it(name, () => expectBoth(input, { commands, error: undefined, buffered: 0 }));
  }

  it('keeps partial commands pending with the exact buffered byte count', () => {
    expectBoth('*1\r\n$4\r\nPI', { commands: [], buffered: 2 });
    expectBoth('*1\r\n$4\r\nPING\r', { commands: [], buffered: 5 });
    expectBoth('*2\r\n$3\r\nGET\r\n$1', { commands: [], buffered: 2 });
    expectBoth('*3\n', { commands: [], buffered: 3 });
    expectBoth('*1\r', { commands: [], buffered: 3 });
    expectBoth('PING', { commands: [], buffered: 4 });
    expectBoth('ECHO a\0b\r\nPING\r\n', { commands: [], buffered: 16 });
    expectBoth('*1\r\n\0$4\r\n', { commands: [], buffered: 5 });
  });

  it('reports the bytes of arguments parsed for an incomplete command', () => {
    const parser = new RequestParser();
    parser.push(bytes('*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$10\r\nwor'));
    expect(parser.next()).toBeUndefined();
    expect(parser.pendingArgumentBytes).toBe(8);
    expect(parser.bufferedBytes).toBe(3);
    parser.push(bytes('ld!!!!!\r\n'));
    expect(parser.next()).toEqual(['SET', 'hello', 'world!!!!!']);
    expect(parser.pendingArgumentBytes).toBe(0);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('hands out each command in an array of its own, however many arguments', () => {
    // the arguments are gathered in an array the parser reuses: what it returned before must not
    // change as the next commands are read (long ones, past the size it keeps, and short ones)
    const long = ['MSET', ...Array.from({ length: 1500 }, (_, i) => `k${i}`)];
    const sent = [['MSET', 'a', '1', 'b', '2'], long, ['RPUSH', 'l', 'x', 'y', 'z'], long];
    const stream = bytes(sent.map(multibulk).join(''));
    const parser = new RequestParser();
    const received: string[][] = [];
    for (let at = 0; at < stream.length; at += 777) {
      parser.push(stream.subarray(at, Math.min(stream.length, at + 777)));
      for (let command = parser.next(); command !== undefined; command = parser.next()) {
        received.push(command);
      }
    }
    expect(received).toEqual(sent);
    expect(received[1]).not.toBe(received[3]);
  });

  it('accepts Uint8Array chunks that are not Buffers', () => {
    const parser = new RequestParser();
    parser.push(new Uint8Array(bytes('*1\r\n$4\r\nPI')));
    parser.push(new Uint8Array(bytes('NG\r\n')));
    expect(parser.next()).toEqual(['PING']);
  });

  it('does not change a pushed chunk', () => {
    const parser = new RequestParser();
    const first = bytes('*2\r\n$3\r\nGET\r\n$3\r\nab');
    const copy = Buffer.from(first);
    parser.push(first);
    expect(parser.next()).toBeUndefined();
    parser.push(bytes('c\r\n'));
    expect(parser.next()).toEqual(['GET', 'abc']);
    expect(first.equals(copy)).toBe(true);
  });

  it('defaults to the limits of redis-server 7.0', () => {
    expect(DEFAULT_MAX_BULK_LENGTH).toBe(536870912);
    expect(DEFAULT_MAX_MULTIBULK_LENGTH).toBe(2147483647);
    expect(DEFAULT_MAX_INLINE_LENGTH).toBe(65536);
  });
});

describe('RequestParser: malformed input gives Redis’s exact error', () => {
  const cases: [string, string, string][] = [
    ['*\r\n', 'Protocol error: invalid multibulk length', 'empty count'],
    ['*-\r\n', 'Protocol error: invalid multibulk length', 'sign only'],
    ['*01\r\n', 'Protocol error: invalid multibulk length', 'leading zero'],
    ['*+1\r\n', 'Protocol error: invalid multibulk length', 'plus sign'],
    ['*1x\r\n', 'Protocol error: invalid multibulk length', 'trailing junk'],
    ['*2147483648\r\n', 'Protocol error: invalid multibulk length', 'over INT_MAX'],
    ['*9223372036854775807\r\n', 'Protocol error: invalid multibulk length', 'LLONG_MAX'],
    ['*-9223372036854775809\r\n', 'Protocol error: invalid multibulk length', 'below LLONG_MIN'],
    ['*1\r\n$\r\n', 'Protocol error: invalid bulk length', 'empty bulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length', 'negative bulk length'],
    ['*1\r\n$-0\r\n', 'Protocol error: invalid bulk length', 'minus zero'],
    ['*1\r\n$01\r\n', 'Protocol error: invalid bulk length', 'leading zero in bulk length'],
    // the same with every byte present: the fast path of whole commands must refuse them too
    ['*1\r\n$01\r\nx\r\n', 'Protocol error: invalid bulk length', 'leading zero, whole command'],
    ['*2\r\n$1\r\na\r\n$-1\r\nx\r\n', 'Protocol error: invalid bulk length', 'negative, whole'],
    ['*2\r\n$1\r\na\r\nx1\r\nx\r\n', "Protocol error: expected '$', got 'x'", 'not a $, whole'],
    ['*1\r\n$ 1\r\n', 'Protocol error: invalid bulk length', 'space before'],
    ['*1\r\n$1 \r\n', 'Protocol error: invalid bulk length', 'space after'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length', 'over proto-max-bulk-len'],
    ['*1\r\n$9223372036854775808\r\n', 'Protocol error: invalid bulk length', 'overflow'],
    ['*1\r\n$99999999999999999999\r\n', 'Protocol error: invalid bulk length', '20 digits'],
    ['*1\r\nx4\r\n', "Protocol error: expected '$', got 'x'", 'not a $'],
    ['*1\r\n\r\r\n', "Protocol error: expected '$', got ' '", '\\r shown as a space'],
    ['*1\r\n\n\r\n', "Protocol error: expected '$', got ' '", '\\n shown as a space'],
    ['*1\r\n:1\r\n', "Protocol error: expected '$', got ':'", 'an integer frame'],
    ['PING "a"b\r\n', 'Protocol error: unbalanced quotes in request', 'text after a quote'],
    ['ECHO "abc\r\n', 'Protocol error: unbalanced quotes in request', 'unclosed double'],
    ["ECHO 'abc\r\n", 'Protocol error: unbalanced quotes in request', 'unclosed single'],
    ['ECHO "a\\\r\n', 'Protocol error: unbalanced quotes in request', 'escape at the end'],
    ['ECHO a"b c"d\r\n', 'Protocol error: unbalanced quotes in request', 'quote mid-argument'],
    ['ECHO "a"\'b\'\r\n', 'Protocol error: unbalanced quotes in request', 'two quoted parts'],
  ];
  for (const [input, error, name] of cases) {
    it(`${name}: ${JSON.stringify(input)}`, () => expectBoth(input, { commands: [], error }));
  }

  it('returns the commands before the malformed one, then the error', () => {
    expectBoth('PING\r\n*1\r\n$4\r\nECHO\r\n*x\r\n', {
      commands: [['PING'], ['ECHO']],
      error: 'Protocol error: invalid multibulk length',
    });
  });

  it('keeps throwing the same error until reset', () => {
    const parser = new RequestParser();
    parser.push(bytes('*x\r\n'));
    let first: unknown;
    try {
      parser.next();
    } catch (error) {
      first = error;
    }
    expect(ProtocolError.isInstance(first)).toBe(true);
    expect(() => parser.next()).toThrow(first);
    parser.push(bytes('PING\r\n'));
    expect(() => parser.next()).toThrow('Protocol error: invalid multibulk length');
    parser.reset();
    parser.push(bytes('PING\r\n'));
    expect(parser.next()).toEqual(['PING']);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('throws a ProtocolError with a stable code', () => {
    const parser = new RequestParser();
    parser.push(bytes('*1\r\nx\r\n'));
    expect(() => parser.next()).toThrow(ProtocolError);
    try {
      parser.next();
    } catch (error) {
      expect((error as ProtocolError).code).toBe('BYOR_PROTOCOL_ERROR');
      expect((error as ProtocolError).name).toBe('ProtocolError');
    }
  });
});

describe('RequestParser: limits', () => {
  it('too big inline request: 64 KiB without a newline, or a longer line', () => {
    const long = 'a'.repeat(DEFAULT_MAX_INLINE_LENGTH);
    expectBoth(long, { commands: [], error: undefined, buffered: DEFAULT_MAX_INLINE_LENGTH });
    expect(run([bytes(long + 'a')]).error).toBe('Protocol error: too big inline request');
    expect(run([bytes(long + 'a\r\n')]).error).toBe('Protocol error: too big inline request');
    expect(run([bytes(long.slice(2) + '\r\n')]).commands).toEqual([[long.slice(2)]]);
  });

  it('too big mbulk count string and too big bulk count string', () => {
    const digits = '1'.repeat(DEFAULT_MAX_INLINE_LENGTH + 1);
    expect(run([bytes('*' + digits)]).error).toBe('Protocol error: too big mbulk count string');
    expect(run([bytes('*1\r\n$' + digits)]).error).toBe(
      'Protocol error: too big bulk count string',
    );
    // a NUL hides the \r: the parser waits, then the limit applies
    expect(run([bytes('*1\0\r\n')]).error).toBeUndefined();
    expect(run([bytes('*1\0\r\n' + 'x'.repeat(DEFAULT_MAX_INLINE_LENGTH))]).error).toBe(
      'Protocol error: too big mbulk count string',
    );
  });

  it('configurable maxBulkLength, maxMultibulkLength, maxInlineLength', () => {
    const options = { maxBulkLength: 3, maxMultibulkLength: 2, maxInlineLength: 10 };
    expect(run([bytes(multibulk(['abc', 'def']))], options).commands).toEqual([['abc', 'def']]);
    expect(run([bytes(multibulk(['abcd']))], options).error).toBe(
      'Protocol error: invalid bulk length',
    );
    expect(run([bytes(multibulk(['a', 'b', 'c']))], options).error).toBe(
      'Protocol error: invalid multibulk length',
    );
    // the limit counts the bytes before \n, \r included, as Redis sees them when cut before \n
    expect(run([bytes('PING 1234\r\n')], options).commands).toEqual([['PING', '1234']]);
    expect(run([bytes('PING 12345\n')], options).commands).toEqual([['PING', '12345']]);
    expect(run([bytes('PING 12345\r\n')], options).error).toBe(
      'Protocol error: too big inline request',
    );
  });

  it('unauthenticated clients: at most 10 arguments of at most 16 KiB', () => {
    const parser = new RequestParser({ authRequired: true });
    parser.push(bytes(multibulk(Array.from({ length: 10 }, () => 'x'.repeat(16384)))));
    expect(parser.next()).toHaveLength(10);
    parser.push(bytes('*11\r\n'));
    expect(() => parser.next()).toThrow('Protocol error: unauthenticated multibulk length');
    parser.reset();
    parser.push(bytes('*1\r\n$16385\r\n'));
    expect(() => parser.next()).toThrow('Protocol error: unauthenticated bulk length');
    parser.reset();
    parser.push(bytes(multibulk(['SET', 'k', 'x'.repeat(16385)]))); // whole: the fast path
    expect(() => parser.next()).toThrow('Protocol error: unauthenticated bulk length');
    parser.reset();
    parser.authRequired = false;
    parser.push(bytes('*11\r\n$16385\r\n'));
    expect(parser.next()).toBeUndefined();
  });

  it('a huge declared length allocates nothing up front', () => {
    const before = process.memoryUsage().arrayBuffers;
    const parsers = Array.from({ length: 8 }, () => new RequestParser());
    for (const parser of parsers) {
      parser.push(bytes('*2\r\n$3\r\nSET\r\n$536870912\r\nabc'));
      expect(parser.next()).toBeUndefined();
      parser.push(bytes('defgh'));
      expect(parser.next()).toBeUndefined();
      expect(parser.bufferedBytes).toBe(8);
    }
    // 8 x 512 MiB would show; a few KiB of buffers will not
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    for (const parser of parsers) parser.reset();
  });

  it('a large argument arriving in 64 KiB chunks', () => {
    const value = Buffer.alloc(3 * 1024 * 1024 + 7, 'v').toString('latin1');
    const stream = bytes(multibulk(['SET', 'k', value]) + multibulk(['GET', 'k']));
    const chunks = splitAt(
      stream,
      Array.from({ length: Math.ceil(stream.length / 65536) }, (_, i) => i * 65536),
    );
    const outcome = run(chunks);
    expect(outcome.error).toBeUndefined();
    expect(outcome.commands).toHaveLength(2);
    expect(outcome.commands[0]![2]).toBe(value);
    expect(outcome.commands[1]).toEqual(['GET', 'k']);
  });
});

describe('RequestParser: properties', () => {
  const command = fc.array(latin1String(), { minLength: 1, maxLength: 6 });

  it('any commands, multibulk-encoded and cut anywhere, come back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 8 }).chain((commands) => {
          const stream = bytes(commands.map(multibulk).join(''));
          return fc.tuple(fc.constant(commands), fc.constant(stream), cutPoints(stream.length));
        }),
        ([commands, stream, cuts]) => {
          for (const shared of [undefined, Buffer.alloc(Math.max(stream.length, 1))]) {
            const outcome = run(splitAt(stream, cuts), undefined, shared);
            expect(outcome.error).toBeUndefined();
            expect(outcome.commands).toEqual(commands);
            expect(outcome.buffered).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('command names repeated, or differing in one byte, come back as sent', () => {
    // the parser hands a repeated name out as the string it made before: names of one length
    // that differ anywhere must still come back as their own bytes
    const name = fc.constantFrom('GET', 'GEt', 'SET', 'GEX', 'get', 'G\u00ffT', 'GETT', 'GE', '');
    const commands = fc.array(
      fc.tuple(name, fc.array(latin1String(), { maxLength: 3 })).map(([n, rest]) => [n, ...rest]),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        commands.chain((list) => {
          const stream = bytes(list.map(multibulk).join(''));
          return fc.tuple(fc.constant(list), fc.constant(stream), cutPoints(stream.length));
        }),
        ([list, stream, cuts]) => {
          const outcome = run(splitAt(stream, cuts));
          expect(outcome.error).toBeUndefined();
          expect(outcome.commands).toEqual(list);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keys repeated, or differing in one byte, come back as sent', () => {
    // the parser hands a key (second argument) equal to the previous command's out as the string
    // it made before; keys of one length that differ anywhere, first or last byte included, must
    // still come back as their own bytes, also in a shared read buffer scribbled over after
    const long = 'k'.repeat(65); // longer than the parser remembers
    const key = fc.constantFrom('k:1', 'k:2', 'j:1', 'k:1x', '', '\u00ff:1', long, `${long}!`);
    const commands = fc.array(
      fc.tuple(fc.constantFrom('LPUSH', 'GET'), key, fc.array(latin1String(), { maxLength: 2 })),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        commands.chain((list) => {
          const argvs = list.map(([name, k, rest]) => [name, k, ...rest]);
          const stream = bytes(argvs.map(multibulk).join(''));
          return fc.tuple(
            fc.constant(argvs),
            fc.constant(stream),
            cutPoints(stream.length),
            fc.boolean(),
          );
        }),
        ([argvs, stream, cuts, shared]) => {
          const outcome = run(
            splitAt(stream, cuts),
            {},
            shared ? Buffer.alloc(stream.length) : undefined,
          );
          expect(outcome.error).toBeUndefined();
          expect(outcome.commands).toEqual(argvs);
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Quotes an argument so that sdssplitargs gives it back. */
  function quote(arg: string): string {
    let out = '"';
    for (const char of arg) {
      const code = char.charCodeAt(0);
      if (char === '"' || char === '\\') out += '\\' + char;
      else if (code < 32 || code > 126) out += '\\x' + code.toString(16).padStart(2, '0');
      else out += char;
    }
    return out + '"';
  }

  it('inline commands with quoted arguments come back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 6 }),
        fc.constantFrom('\r\n', '\n'),
        (commands, newline) => {
          const stream = bytes(
            commands.map((args) => args.map(quote).join(' ') + newline).join(''),
          );
          expect(run([stream]).commands).toEqual(commands);
          expect(run(byteByByte(stream)).commands).toEqual(commands);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('damaged streams give the same commands and error under every chunk split', () => {
    const damage = fc.array(
      fc.tuple(fc.nat(), fc.constantFrom(0, 10, 13, 36, 42, 45, 48, 49, 57, 34, 39, 92, 120, 32)),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 6 }),
        fc.array(fc.boolean(), { maxLength: 6 }),
        damage,
        fc.array(fc.nat(), { maxLength: 12 }),
        (commands, inline, damages, cuts) => {
          const stream = bytes(
            commands
              .map((args, i) =>
                inline[i]
                  ? args.map((a) => a.replace(/[\s"'\\\0]/g, '') || 'x').join(' ') + '\r\n'
                  : multibulk(args),
              )
              .join(''),
          );
          for (const [at, byte] of damages) if (stream.length) stream[at % stream.length] = byte;
          const whole = run([stream], { maxInlineLength: 64 });
          const split = run(
            splitAt(
              stream,
              cuts.map((c) => c % (stream.length + 1)),
            ),
            { maxInlineLength: 64 },
          );
          const bytewise = run(byteByByte(stream), { maxInlineLength: 64 });
          const shared = run(
            splitAt(
              stream,
              cuts.map((c) => c % (stream.length + 1)),
            ),
            { maxInlineLength: 64 },
            Buffer.alloc(Math.max(stream.length, 1)),
          );
          for (const outcome of [split, bytewise, shared]) {
            expect(outcome.commands).toEqual(whole.commands);
            expect(outcome.error).toBe(whole.error);
            // after an error the runs stop pushing, so only a clean end has the same backlog
            if (whole.error === undefined) expect(outcome.buffered).toBe(whole.buffered);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
