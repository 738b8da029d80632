import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/start.js';
import { createTestServer } from '../../src/testing.js';
import { Conn } from './client.js';
import { persistence, startByor, tempDir } from './helpers.js';

/**
 * When the AOF reaches the disk relative to the replies: the server's socket writes are watched
 * (Socket.prototype.write, in this process) and at each one the AOF must hold, written and (with
 * appendfsync always) fsynced, every write made so far. The SIGKILL proofs on the binary are in
 * crash.test.ts; this is the same guarantee checked at every reply, on every path a reply takes.
 */
describe('AOF writes and fsyncs before replies', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function byor(appendfsync: string): Promise<RunningServer> {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const server = await startByor({
      config: { dir: dir.path, appendonly: 'yes', appendfsync, save: '' },
    });
    cleanup.push(() => server.close());
    return server;
  }

  async function connect(port: number): Promise<Conn> {
    const conn = await Conn.connect(port);
    cleanup.push(() => conn.close());
    return conn;
  }

  /** Records, at each write of the server's sockets, what the AOF still holds back. */
  function watchReplies(server: RunningServer): { replies: number; late: string[] } {
    const aof = persistence(server).aof;
    const policy = aof.policy;
    const seen = { replies: 0, late: [] as string[] };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with apply(this) below
    const original = Socket.prototype.write;
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (
      this: Socket,
      ...args: Parameters<Socket['write']>
    ): boolean {
      if (this.localPort === server.port) {
        seen.replies++;
        const unsynced = policy === 'always' ? aof.unsyncedBytes : 0;
        if (aof.bufferLength !== 0 || unsynced !== 0) {
          const text = Buffer.from(args[0] as Uint8Array)
            .toString('latin1')
            .slice(0, 60);
          seen.late.push(
            `${JSON.stringify(text)}: ${aof.bufferLength} bytes unwritten, ${unsynced} unsynced`,
          );
        }
      }
      return original.apply(this, args);
    });
    return seen;
  }

  it.each(['always', 'everysec', 'no'])(
    'appendfsync %s: no reply leaves before the AOF has the writes (batches, EXEC, scripts, blocked clients, CLIENT REPLY OFF)',
    async (appendfsync) => {
      const server = await byor(appendfsync);
      const writer = await connect(server.port);
      const other = await connect(server.port);
      const consumer = await connect(server.port);
      const mover = await connect(server.port);
      const seen = watchReplies(server);
      await writer.pipeline(Array.from({ length: 200 }, (_, i) => ['SET', `k${i}`, String(i)]));
      await Promise.all([
        writer.pipeline(Array.from({ length: 50 }, () => ['INCR', 'counter'])),
        other.pipeline(Array.from({ length: 50 }, () => ['INCR', 'counter'])),
      ]);
      expect(
        await writer.pipeline([['MULTI'], ['SET', 'a', '1'], ['RPUSH', 'l', 'x'], ['EXEC']]),
      ).toEqual(['OK', 'QUEUED', 'QUEUED', ['OK', 1]]);
      expect(await writer.call('EVAL', "return redis.call('INCRBY', KEYS[1], 5)", 1, 'n')).toBe(5);
      // blocked clients served by another client's write: their own pops are writes too
      const popped = consumer.call('BLPOP', 'queue', 0);
      const moved = mover.call('BLMOVE', 'source', 'target', 'LEFT', 'RIGHT', 0);
      for (let i = 0; i < 100 && server.server.blockedClients < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(server.server.blockedClients).toBe(2);
      await other.pipeline([
        ['RPUSH', 'queue', 'job'],
        ['RPUSH', 'source', 'item'],
      ]);
      expect(await popped).toEqual(['queue', 'job']);
      expect(await moved).toBe('item');
      // writes without replies, then a reply
      // (the one reply, to CLIENT REPLY ON, goes to the first waiter; `other` is done after it)
      const first = other.call('CLIENT', 'REPLY', 'OFF');
      void other.call('SET', 'quiet', '1');
      void other.call('DEL', 'a');
      void other.call('CLIENT', 'REPLY', 'ON');
      expect(await first).toBe('OK');
      expect(await writer.call('GET', 'quiet')).toBe('1');
      expect(seen.replies).toBeGreaterThan(8);
      expect(seen.late).toEqual([]);
    },
  );

  it('appendfsync always: one fsync per batch of pipelined writes, not one per write', async () => {
    const server = await byor('always');
    const conn = await connect(server.port);
    const aof = persistence(server).aof;
    const seen = watchReplies(server);
    const before = aof.fsyncs;
    const replies = await conn.pipeline(
      Array.from({ length: 1000 }, (_, i) => ['SET', `key:${i}`, 'v']),
    );
    expect(replies.every((reply) => reply === 'OK')).toBe(true);
    // one fsync for each socket write of replies (the batches the pipeline arrived in)
    expect(aof.fsyncs - before).toBeGreaterThanOrEqual(1);
    expect(aof.fsyncs - before).toBeLessThanOrEqual(seen.replies);
    expect(seen.replies).toBeLessThan(100);
    expect(seen.late).toEqual([]);
    // a batch with no write syncs nothing
    const idle = aof.fsyncs;
    await conn.pipeline(Array.from({ length: 100 }, (_, i) => ['GET', `key:${i}`]));
    expect(aof.fsyncs).toBe(idle);
  });

  it('appendfsync always: the testing back door writes and fsyncs each command before returning', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const test = await createTestServer({
      config: { dir: dir.path, appendonly: 'yes', appendfsync: 'always', save: '' },
    });
    cleanup.push(() => test.close());
    const aof = persistence(test.running).aof;
    const before = aof.fsyncs;
    test.call(['SET', 'k', 'v']);
    expect(aof.bufferLength).toBe(0);
    expect(aof.unsyncedBytes).toBe(0);
    expect(aof.fsyncs).toBe(before + 1);
    test.call(['GET', 'k']);
    expect(aof.fsyncs).toBe(before + 1);
    // a client blocked over TCP, served by a back-door push: its pop is on disk before its reply
    const consumer = await connect(test.port);
    const seen = watchReplies(test.running);
    const popped = consumer.call('BLPOP', 'queue', 0);
    for (let i = 0; i < 100 && test.server.blockedClients < 1; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    test.call(['RPUSH', 'queue', 'job']);
    expect(await popped).toEqual(['queue', 'job']);
    expect(seen.replies).toBe(1);
    expect(seen.late).toEqual([]);
  });

  it('active expiry (no client, no reply) reaches the file on the next microtask', async () => {
    const server = await byor('always');
    const conn = await connect(server.port);
    const aof = persistence(server).aof;
    await conn.pipeline(Array.from({ length: 50 }, (_, i) => ['SET', `t${i}`, 'v', 'PX', '1']));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // the cron's active expiry deletes them and propagates DELs
    for (let i = 0; i < 100 && server.server.db(0).size > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.server.db(0).size).toBe(0);
    expect(aof.bufferLength).toBe(0);
    expect(aof.unsyncedBytes).toBe(0);
  });
});
