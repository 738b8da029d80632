import { connect, type Socket } from 'node:net';
import {
  BinaryErrorReply,
  BinaryReplyParser,
  encodeBinaryRequest,
  RespDouble,
  type BinaryValue,
} from '@byor/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { freePort } from '@byor/test-oracle';

/** A client of the book's binary protocol: one request, one reply. */
class BookClient {
  readonly #socket: Socket;
  readonly #parser = new BinaryReplyParser();
  readonly #waiters: ((value: BinaryValue) => void)[] = [];
  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      this.#parser.push(chunk);
      for (let value = this.#parser.next(); value !== undefined; value = this.#parser.next())
        this.#waiters.shift()?.(value);
    });
  }
  static async connect(port: number): Promise<BookClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return new BookClient(socket);
  }
  call(...args: string[]): Promise<BinaryValue> {
    const reply = new Promise<BinaryValue>((resolve) => this.#waiters.push(resolve));
    this.#socket.write(encodeBinaryRequest(args));
    return reply;
  }
  close(): void {
    this.#socket.destroy();
  }
}

const dbl = (value: BinaryValue) => (value instanceof RespDouble ? value.value : value);
const err = (value: BinaryValue) =>
  value instanceof BinaryErrorReply ? [value.code, value.message] : value;

describe("the book's binary protocol on byor-port", () => {
  let server: RunningServer;
  let book: BookClient;
  beforeAll(async () => {
    const bookPort = await freePort();
    server = await startServer({ port: 0, config: { 'byor-port': bookPort } });
    book = await BookClient.connect(bookPort);
  });
  afterAll(async () => {
    book.close();
    await server.close();
  });

  it('strings, keys, del', async () => {
    expect(await book.call('set', 'k', 'v')).toBeNull();
    expect(await book.call('get', 'k')).toBe('v');
    expect(await book.call('get', 'missing')).toBeNull();
    expect(await book.call('keys')).toEqual(['k']);
    expect(await book.call('del', 'k')).toBe(1);
    expect(await book.call('del', 'k')).toBe(0);
    expect(await book.call('keys')).toEqual([]);
  });

  it('sorted sets and zquery', async () => {
    expect(await book.call('zadd', 'z', '1', 'a')).toBe(1);
    expect(await book.call('zadd', 'z', '2', 'b')).toBe(1);
    expect(await book.call('zadd', 'z', '1.5', 'a')).toBe(0);
    expect(await book.call('zadd', 'z', '3', 'c')).toBe(1);
    expect(dbl(await book.call('zscore', 'z', 'a'))).toBe(1.5);
    expect(await book.call('zscore', 'z', 'nope')).toBeNull();
    const query = (await book.call('zquery', 'z', '1.5', 'a', '0', '10')) as BinaryValue[];
    expect(query.map(dbl)).toEqual(['a', 1.5, 'b', 2, 'c', 3]);
    expect(
      ((await book.call('zquery', 'z', '1.6', '', '1', '2')) as BinaryValue[]).map(dbl),
    ).toEqual(['c', 3]);
    expect(await book.call('zquery', 'z', '9', '', '0', '10')).toEqual([]);
    expect(await book.call('zrem', 'z', 'a')).toBe(1);
    expect(await book.call('zrem', 'z', 'a')).toBe(0);
  });

  it('pexpire and pttl', async () => {
    expect(await book.call('pttl', 'nokey')).toBe(-2);
    await book.call('set', 't', 'v');
    expect(await book.call('pttl', 't')).toBe(-1);
    expect(await book.call('pexpire', 't', '100000')).toBe(1);
    const ttl = (await book.call('pttl', 't')) as number;
    expect(ttl).toBeGreaterThan(99_000);
    expect(ttl).toBeLessThanOrEqual(100_000);
    expect(await book.call('pexpire', 'nokey', '10')).toBe(0);
  });

  it("errors carry the book's codes", async () => {
    expect(err(await book.call('nosuch'))).toEqual([1, 'unknown command.']);
    expect(err(await book.call('get'))).toEqual([1, 'unknown command.']);
    expect(err(await book.call('zadd', 'z', 'abc', 'm'))).toEqual([4, 'expect fp number']);
    expect(err(await book.call('zquery', 'z', '1', 'm', 'x', '1'))).toEqual([4, 'expect int']);
    expect(err(await book.call('pexpire', 'k', '1.5'))).toEqual([4, 'expect int']);
    await book.call('set', 's', 'x');
    expect(err(await book.call('zadd', 's', '1', 'm'))).toEqual([3, 'expect zset']);
    await book.call('zadd', 'zz', '1', 'm');
    expect(err(await book.call('get', 'zz'))).toEqual([3, 'not a string value']);
  });

  it('shares the keyspace with RESP clients', async () => {
    const redis = new Redis(server.port, { lazyConnect: true });
    await redis.connect();
    try {
      await book.call('set', 'shared', 'from-book');
      expect(await redis.get('shared')).toBe('from-book');
      await redis.zadd('rz', 5, 'm');
      expect(dbl(await book.call('zscore', 'rz', 'm'))).toBe(5);
    } finally {
      redis.disconnect();
    }
  });
});
