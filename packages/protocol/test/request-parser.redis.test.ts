/**
 * Parity with redis-server itself: the same bytes go to a real redis-server and to the parser.
 * The commands are PING and ECHO only, whose replies are easy to predict from the parsed argv, so
 * that any difference in parsing (argument boundaries, quoting, skipped frames, error text,
 * closing the connection) shows as a difference in reply bytes. Skipped without redis-server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError, RequestParser } from '../src/index.js';
import { hasRedisServer, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import { exchange } from './support/exchange.js';

/** What redis-server answers to the commands our parser reads from `input`. */
function predictedReply(input: Buffer): { reply: string; closes: boolean } {
  const parser = new RequestParser();
  parser.push(input);
  let reply = '';
  try {
    for (let argv = parser.next(); argv !== undefined; argv = parser.next()) {
      const name = argv[0]!.toLowerCase();
      if (name === 'ping' && argv.length === 1) reply += '+PONG\r\n';
      else if (name === 'ping' && argv.length === 2)
        reply += `$${argv[1]!.length}\r\n${argv[1]}\r\n`;
      else if (name === 'echo' && argv.length === 2)
        reply += `$${argv[1]!.length}\r\n${argv[1]}\r\n`;
      else if (name === 'ping' || name === 'echo') {
        reply += `-ERR wrong number of arguments for '${name}' command\r\n`;
      } else throw new Error(`the corpus sends PING and ECHO only, got ${JSON.stringify(argv)}`);
    }
  } catch (error) {
    if (!ProtocolError.isInstance(error)) throw error;
    return { reply: `${reply}-ERR ${error.message}\r\n`, closes: true };
  }
  return { reply, closes: false };
}

const corpus: string[] = [
  '*1\r\n$4\r\nPING\r\n',
  '*2\r\n$4\r\nECHO\r\n$5\r\n\r\n\0\xff*\r\n',
  '*0\r\n*-1\r\n*-5\r\nPING\r\n',
  '\r\n   \r\n\n\t\r\nPING\r\n',
  'ECHO "\\x41\\x4g\\n\\q\\\\"\r\n',
  "ECHO 'a\\'b'\r\nECHO 'a\\nb'\r\n",
  'ECHO a\x0bb\r\nECHO \x0bab\r\nECHO "a"\x0b\r\n',
  'ECHO "a"\x0c1\r\n',
  'ECHO x\ry\r\n',
  'ECHO ""\r\nECHO \'\'\r\n',
  'ECHO \xe9\xff\r\n',
  'ECHO "\\xFf"\r\n',
  'ECHO "a\\"b"\r\n',
  '*1\rX$4\r\nPING\r\n',
  '*1\r\n$4\rXPING\r\n',
  '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n',
  '*1\r\n$4\r\nPING\r\nPING\r\n',
  'PING "a"b\r\n',
  'ECHO "abc\r\n',
  "ECHO 'abc\r\n",
  'ECHO "a\\\r\n',
  'ECHO "\\x\r\n',
  'ECHO a"b c"d\r\n',
  "ECHO a'b c'd\r\n",
  'ECHO "a"\'b\'\r\n',
  '*\r\n',
  '*-\r\n',
  '*01\r\n',
  '*+1\r\n',
  '*2147483648\r\n',
  '*9223372036854775807\r\n',
  '*-9223372036854775809\r\n',
  '*1\r\n$\r\n',
  '*1\r\n$ 1\r\n',
  '*1\r\n$1 \r\n',
  '*1\r\n$-1\r\n',
  '*1\r\n$-0\r\n',
  '*1\r\n$01\r\n',
  '*1\r\n$536870913\r\n',
  '*1\r\n$9223372036854775808\r\n',
  '*1\r\nx4\r\n',
  '*1\r\n\r\r\n',
  '*1\r\n:1\r\n',
  'PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n',
  // incomplete: both wait
  '*1\r\n$4\r\nPING',
  '*3\n',
  'ECHO a\0b\r\nPING\r\n',
  '*1\r\n\0$4\r\n',
  // limits
  `ECHO ${'a'.repeat(70 * 1024)}`,
  `*${'1'.repeat(70 * 1024)}`,
  `*1\r\n$${'1'.repeat(70 * 1024)}`,
];

describe.skipIf(!hasRedisServer)('RequestParser: parity with redis-server', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  for (const input of corpus) {
    it(JSON.stringify(input.length > 60 ? input.slice(0, 60) + '...' : input), async () => {
      const bytes = Buffer.from(input, 'latin1');
      const expected = predictedReply(bytes);
      const actual = await exchange(server.port, bytes, expected.reply.length);
      expect(actual.reply).toBe(expected.reply);
      expect(actual.closed).toBe(expected.closes);
    });
  }

  it('random inline lines tokenise as in redis-server', async () => {
    const alphabet = [
      'a',
      'b',
      ' ',
      '"',
      "'",
      '\\',
      'x',
      '4',
      'f',
      'n',
      '\t',
      '\x0b',
      '\x0c',
      '\r',
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...alphabet), { maxLength: 14 }), async (chars) => {
        const bytes = Buffer.from(`ECHO ${chars.join('')}\r\n`, 'latin1');
        const expected = predictedReply(bytes);
        const actual = await exchange(server.port, bytes, expected.reply.length);
        expect(actual.reply).toBe(expected.reply);
        expect(actual.closed).toBe(expected.closes);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('unauthenticated limits match requirepass', async () => {
    const guarded = await startRedisServer(['--requirepass', 'secret']);
    try {
      for (const [input, error] of [
        ['*11\r\n', 'Protocol error: unauthenticated multibulk length'],
        ['*1\r\n$16385\r\n', 'Protocol error: unauthenticated bulk length'],
      ] as const) {
        const parser = new RequestParser({ authRequired: true });
        parser.push(Buffer.from(input));
        expect(() => parser.next()).toThrow(error);
        const actual = await exchange(guarded.port, Buffer.from(input), 1);
        expect(actual.reply).toBe(`-ERR ${error}\r\n`);
        expect(actual.closed).toBe(true);
      }
    } finally {
      await guarded.stop();
    }
  });
});
