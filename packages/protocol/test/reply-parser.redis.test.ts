/**
 * ReplyParser against what redis-server sends: DEBUG PROTOCOL emits every RESP3 type, and real
 * commands give real RESP2 and RESP3 replies. Skipped without redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributedValue,
  BigNumber,
  encodeCommand,
  ErrorReply,
  Push,
  ReplyParser,
  RespDouble,
  SimpleString,
  VerbatimString,
  type RespValue,
} from '../src/index.js';
import { hasRedisServer, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import { exchange } from './support/exchange.js';

describe.skipIf(!hasRedisServer)('ReplyParser: replies of redis-server', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await server.stop();
  });

  /** Sends the commands on one connection and parses every reply. */
  async function replies(
    commands: (string | Uint8Array)[][],
    expected: number,
  ): Promise<RespValue[]> {
    const request = Buffer.concat(commands.map((command) => encodeCommand(command)));
    const parser = new ReplyParser();
    const parsed: RespValue[] = [];
    const { reply } = await exchange(server.port, request, 1, 80);
    // byte by byte, to exercise every cut
    for (const byte of Buffer.from(reply, 'latin1')) {
      parser.push(Buffer.from([byte]));
      for (let value = parser.next(); value !== undefined; value = parser.next())
        parsed.push(value);
    }
    expect(parsed).toHaveLength(expected);
    return parsed;
  }

  it('DEBUG PROTOCOL, RESP3', async () => {
    const types = [
      'string',
      'integer',
      'double',
      'bignum',
      'null',
      'array',
      'set',
      'map',
      'attrib',
      'push',
      'verbatim',
      'true',
      'false',
    ];
    const parsed = await replies(
      [['HELLO', '3'], ...types.map((type) => ['DEBUG', 'PROTOCOL', type])],
      15,
    );
    expect(parsed.slice(1)).toEqual([
      'Hello World',
      12345,
      new RespDouble(3.141),
      new BigNumber(1234567999999999999999999999999999999n),
      null,
      [0, 1, 2],
      new Set([0, 1, 2]),
      new Map<RespValue, RespValue>([
        [0, false],
        [1, true],
        [2, false],
      ]),
      new AttributedValue(
        new Map<RespValue, RespValue>([['key-popularity', ['key:123', 90]]]),
        'Some real reply following the attribute',
      ),
      new Push(['server-cpu-usage', 42]),
      'Some real reply following the push reply',
      new VerbatimString('txt', 'This is a verbatim\nstring'),
      true,
      false,
    ]);
  });

  it('commands, RESP2 and RESP3', async () => {
    const commands = [
      ['SET', 'k', 'héllo'],
      ['GET', 'k'],
      ['GET', 'missing'],
      ['INCR', 'n'],
      ['LPUSH', 'l', 'a', 'b'],
      ['LRANGE', 'l', '0', '-1'],
      ['HSET', 'h', 'f', 'v'],
      ['HGETALL', 'h'],
      ['ZADD', 'z', '1.5', 'm'],
      ['ZSCORE', 'z', 'm'],
      ['INCR', 'k'],
      ['FLUSHALL'],
    ];
    const resp2 = await replies(commands, commands.length);
    expect(resp2).toEqual([
      SimpleString.OK,
      'héllo',
      null,
      1,
      2,
      ['b', 'a'],
      1,
      ['f', 'v'],
      1,
      '1.5',
      new ErrorReply('ERR value is not an integer or out of range'),
      SimpleString.OK,
    ]);
    const resp3 = await replies([['HELLO', '3'], ...commands], commands.length + 1);
    expect(resp3.slice(1)).toEqual([
      SimpleString.OK,
      'héllo',
      null,
      1,
      2,
      ['b', 'a'],
      1,
      new Map([['f', 'v']]),
      1,
      new RespDouble(1.5),
      new ErrorReply('ERR value is not an integer or out of range'),
      SimpleString.OK,
    ]);
  });
});
