/**
 * RespWriter and formatDouble against redis-server itself: DEBUG PROTOCOL emits every RESP3 type
 * (and its RESP2 degradation), ZADD/ZSCORE shows the double format. Skipped without redis-server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDouble, RespWriter, type RespVersion } from '../src/index.js';
import { hasRedisServer, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';
import { exchange } from './support/exchange.js';

const HELLO_3_REPLY_END = '$7\r\nmodules\r\n*0\r\n';

describe.skipIf(!hasRedisServer)('RespWriter: parity with redis-server', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await startRedisServer(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await server.stop();
  });

  async function redisReply(protocol: RespVersion, command: string): Promise<string> {
    const hello = protocol === 3 ? 'HELLO 3\r\n' : '';
    const { reply } = await exchange(server.port, Buffer.from(`${hello}${command}\r\n`), 1, 60);
    return protocol === 3
      ? reply.slice(reply.indexOf(HELLO_3_REPLY_END) + HELLO_3_REPLY_END.length)
      : reply;
  }

  // what redis-server's debug.c writes for DEBUG PROTOCOL <type>, with our writer
  const debugProtocol: [string, (w: RespWriter) => void][] = [
    ['string', (w) => w.bulk('Hello World')],
    ['integer', (w) => w.integer(12345)],
    ['double', (w) => w.double(3.141)],
    ['bignum', (w) => w.bigNumber('1234567999999999999999999999999999999')],
    ['null', (w) => w.nil()],
    [
      'array',
      (w) => {
        w.arrayHeader(3);
        for (let i = 0; i < 3; i++) w.integer(i);
      },
    ],
    [
      'set',
      (w) => {
        w.setHeader(3);
        for (let i = 0; i < 3; i++) w.integer(i);
      },
    ],
    [
      'map',
      (w) => {
        w.mapHeader(3);
        for (let i = 0; i < 3; i++) {
          w.integer(i);
          w.boolean(i === 1);
        }
      },
    ],
    ['verbatim', (w) => w.verbatim('This is a verbatim\nstring')],
    ['true', (w) => w.boolean(true)],
    ['false', (w) => w.boolean(false)],
  ];
  for (const [type, write] of debugProtocol) {
    for (const protocol of [2, 3] as const) {
      it(`DEBUG PROTOCOL ${type}, RESP${protocol}`, async () => {
        const writer = new RespWriter();
        writer.protocol = protocol;
        write(writer);
        expect(await redisReply(protocol, `DEBUG PROTOCOL ${type}`)).toBe(
          writer.view().toString('latin1'),
        );
      });
    }
  }

  it('DEBUG PROTOCOL attrib and push, RESP3', async () => {
    const writer = new RespWriter();
    writer.protocol = 3;
    writer.attributeHeader(1);
    writer.bulk('key-popularity');
    writer.arrayHeader(2);
    writer.bulk('key:123');
    writer.integer(90);
    writer.bulk('Some real reply following the attribute');
    expect(await redisReply(3, 'DEBUG PROTOCOL attrib')).toBe(writer.view().toString('latin1'));
    writer.reset();
    writer.pushHeader(2);
    writer.bulk('server-cpu-usage');
    writer.integer(42);
    writer.bulk('Some real reply following the push reply');
    expect(await redisReply(3, 'DEBUG PROTOCOL push')).toBe(writer.view().toString('latin1'));
  });

  it('ZSCORE formats doubles as formatDouble does, in RESP2 and RESP3', async () => {
    const doubles = fc.sample(fc.double({ noNaN: true }), { numRuns: 400, seed: 42 });
    doubles.push(1.1, 3, 1e20, -0, 0.0001, 1e-5, 2000000000000000.25, 5e-324, Number.MAX_VALUE);
    for (const protocol of [2, 3] as const) {
      let commands = `CONFIG SET zset-max-listpack-entries 0\r\nDEL z${protocol}\r\n`;
      doubles.forEach((x, i) => {
        const score = Object.is(x, -0)
          ? '-0'
          : Number.isFinite(x)
            ? String(x)
            : x > 0
              ? '+inf'
              : '-inf';
        commands += `ZADD z${protocol} ${score} m${i}\r\nZSCORE z${protocol} m${i}\r\n`;
      });
      const writer = new RespWriter();
      writer.protocol = protocol;
      writer.ok();
      writer.integer(0);
      for (const x of doubles) {
        writer.integer(1);
        writer.double(x);
      }
      const expected = writer.view().toString('latin1');
      const reply = await redisReply(protocol, commands.slice(0, -2));
      expect(reply).toBe(expected);
    }
    expect(formatDouble(1.1)).toBe('1.1000000000000001');
  });
});
