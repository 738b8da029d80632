import { Socket, createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ClosedError,
  CloseReason,
  type Connection,
  EventLoop,
  type EventLoopOptions,
  HandlerError,
  InvalidOptionError,
  ListenError,
  type Listener,
  type ListenerHandlers,
  OutputClass,
} from '../src/index.js';
import {
  type ClosedRecord,
  ManualClock,
  TestClient,
  eventually,
  lineCodec,
  portOf,
} from './helpers.js';

interface State {
  batches: number;
}

/** A line server: echoes lines, plus a few commands that exercise the loop. */
class Harness {
  readonly loop: EventLoop<State>;
  readonly closed: ClosedRecord[] = [];
  readonly errors: unknown[] = [];
  readonly paused: Connection<State>[] = [];
  listener!: Listener;

  constructor(options: EventLoopOptions = {}) {
    this.loop = new EventLoop<State>({ onError: (error) => this.errors.push(error), ...options });
  }

  handlers(
    overrides: Partial<ListenerHandlers<string, State>> = {},
  ): ListenerHandlers<string, State> {
    return {
      codec: lineCodec,
      createState: () => ({ batches: 0 }),
      onFrame: (line, connection) => this.#onFrame(line, connection),
      onBatchEnd: (connection) => {
        connection.state.batches++;
      },
      onProtocolError: (error, connection) => {
        connection.write(Buffer.from(`-ERR ${(error as Error).message}\n`));
      },
      onClose: (connection, reason, error) => {
        this.closed.push({ id: connection.id, reason, error });
      },
      ...overrides,
    };
  }

  async listen(overrides: Partial<ListenerHandlers<string, State>> = {}): Promise<number> {
    this.listener = await this.loop.listen(
      { port: 0, host: '127.0.0.1' },
      this.handlers(overrides),
    );
    return portOf(this.listener);
  }

  #onFrame(line: string, connection: Connection<State>): void {
    const [command, argument] = line.split(' ');
    switch (command ?? '') {
      case 'PAUSE':
        connection.pause();
        this.paused.push(connection);
        return;
      case 'QUIT':
        connection.write(Buffer.from('BYE\n'));
        connection.closeAfterFlush();
        return;
      case 'BIG':
        connection.write(Buffer.alloc(Number(argument), 'x'));
        connection.write(Buffer.from('\n'));
        return;
      case 'THROW':
        throw new Error('handler bug');
      case 'CLOSE':
        connection.close();
        return;
      case 'PUBSUB':
        connection.outputClass = OutputClass.PUBSUB;
        connection.write(Buffer.from('OK\n'));
        return;
      case 'EXEMPT':
        connection.idleExempt = argument === 'on';
        connection.write(Buffer.from('OK\n'));
        return;
      default:
        connection.write(Buffer.from(`${line}\n`));
    }
  }

  only(): Connection<State> {
    const [connection, ...rest] = [...this.loop.connections()];
    expect(rest).toHaveLength(0);
    return connection!;
  }
}

const harnesses: Harness[] = [];
const clients: TestClient[] = [];
function harness(options: EventLoopOptions = {}): Harness {
  const created = new Harness(options);
  harnesses.push(created);
  return created;
}
async function client(target: number | string): Promise<TestClient> {
  const created = await TestClient.connect(target);
  clients.push(created);
  return created;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const created of clients.splice(0)) created.destroy();
  await Promise.all(harnesses.splice(0).map((created) => created.loop.close({ timeout: 100 })));
});

/** Counts socket.write calls made by server-side sockets of `port` (the spy calls through). */
function countServerWrites(port: number): { readonly count: number } {
  const spy = vi.spyOn(Socket.prototype, 'write');
  return {
    get count() {
      return spy.mock.contexts.filter((socket) => (socket as Socket).localPort === port).length;
    },
  };
}

/** Whether this machine can bind IPv6 (some containers have no IPv6 at all). */
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen({ port: 0, host: '::1' }, () => probe.close(() => resolve(true)));
});

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('pipelining', () => {
  it('answers frames in order whatever the chunk boundaries', async () => {
    const server = harness();
    const port = await server.listen();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z]{0,12}$/), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (lines, cuts) => {
          const input = Buffer.from(lines.map((line) => `${line}\n`).join(''));
          const points = [...new Set(cuts.map((cut) => cut % input.length))].sort((a, b) => a - b);
          const connection = await client(port);
          connection.socket.setNoDelay(true);
          let start = 0;
          for (const point of [...points, input.length]) {
            connection.send(input.subarray(start, point));
            start = point;
            await new Promise((resolve) => setImmediate(resolve));
          }
          await connection.untilBytes(input.length);
          expect(connection.received.equals(input)).toBe(true);
          connection.destroy();
        },
      ),
      { numRuns: 30 },
    );
  });

  it('writes once per batch of pipelined replies', async () => {
    const server = harness();
    const port = await server.listen();
    const writes = countServerWrites(port);
    const connection = await client(port);
    const lines = Array.from({ length: 200 }, (_, index) => `line${index}\n`).join('');
    connection.send(lines);
    await connection.untilBytes(lines.length);
    expect(connection.text).toBe(lines);
    const state = server.only().state;
    expect(state.batches).toBeGreaterThan(0);
    expect(writes.count).toBe(state.batches);
  });

  it('flushes writes made outside a batch once per connection per turn', async () => {
    const server = harness();
    const port = await server.listen();
    const writes = countServerWrites(port);
    const first = await client(port);
    const second = await client(port);
    await eventually(() => server.loop.connectionCount === 2);
    for (const connection of server.loop.connections()) {
      connection.write(Buffer.from('one '));
      connection.write(Buffer.from('two '));
      connection.write(Buffer.from('three\n'));
    }
    await first.untilBytes(14);
    await second.untilBytes(14);
    expect(first.text).toBe('one two three\n');
    expect(writes.count).toBe(2);
  });

  it("writes a pipelined read's replies at the end of the loop's turn, a lone frame's at once", async () => {
    const server = harness();
    const sentAt: Record<string, number>[] = [];
    const port = await server.listen({
      onBatchEnd: () => {
        const seen: Record<string, number> = { batchEnd: server.loop.stats.bytesSent };
        sentAt.push(seen);
        queueMicrotask(() => (seen.microtask = server.loop.stats.bytesSent));
        // registered before the loop queued its flush: runs first, in the same check phase
        setImmediate(() => (seen.immediate = server.loop.stats.bytesSent));
      },
    });
    const connection = await client(port);
    connection.send('a\nb\n');
    await connection.untilBytes(4);
    connection.send('c\n');
    await connection.untilBytes(6);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentAt).toEqual([
      { batchEnd: 0, microtask: 0, immediate: 0 },
      { batchEnd: 4, microtask: 6, immediate: 6 },
    ]);
  });

  it('in a busy loop a lone frame waits for the turn end too; a lone client is answered at once', async () => {
    const server = harness();
    // per batch: were its replies sent by the time the batch's microtasks ran?
    const sentAtOnce: boolean[] = [];
    const port = await server.listen({
      onBatchEnd: () => {
        const before = server.loop.stats.bytesSent;
        queueMicrotask(() => sentAtOnce.push(server.loop.stats.bytesSent > before));
      },
    });
    const first = await client(port);
    const second = await client(port);
    await eventually(() => server.loop.connectionCount === 2);
    // two pipelined reads in one turn: its end writes to two connections, the loop is busy
    first.send('a\nb\n');
    second.send('a\nb\n');
    await first.untilBytes(4);
    await second.untilBytes(4);
    expect(sentAtOnce).toEqual([false, false]);
    // busy: a lone frame's reply waits for the turn end, which writes to one connection only
    first.send('c\n');
    await first.untilBytes(6);
    // not busy any more: lone frames are answered at once, but one in 16 waits (the probe)
    for (let i = 0; i < 32; i++) {
      first.send('d\n');
      await first.untilBytes(8 + 2 * i);
    }
    const lone = sentAtOnce.slice(2);
    expect(lone[0]).toBe(false);
    expect(lone.slice(1).filter((sent) => !sent)).toHaveLength(2);
    expect(lone.slice(1).indexOf(false)).toBe(15);
  });

  it('a batch hook can write: its bytes go out in the same write', async () => {
    const server = harness();
    const port = await server.listen({
      onBatchEnd: (connection) => connection.write(Buffer.from('END\n')),
    });
    const writes = countServerWrites(port);
    const connection = await client(port);
    connection.send('a\nb\n');
    await connection.until((c) => c.text.endsWith('END\n'));
    expect(connection.text).toBe('a\nb\nEND\n');
    expect(writes.count).toBe(1);
  });
});

describe('pause and resume', () => {
  it('holds later frames back while paused and keeps replies in order', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    connection.send('a\nPAUSE\nb\nc\n');
    await connection.untilBytes(2);
    await eventually(() => server.paused.length === 1);
    const paused = server.paused[0]!;
    expect(paused.paused).toBe(true);
    expect(paused.queryBufferBytes).toBe(4); // 'b\nc\n' waits in the decoder
    connection.send('d\n');
    await eventually(() => paused.queryBufferBytes === 6);
    await tick();
    expect(connection.text).toBe('a\n');
    paused.write(Buffer.from('woken\n'));
    paused.resume();
    await connection.untilBytes(14);
    expect(connection.text).toBe('a\nwoken\nb\nc\nd\n');
    expect(paused.paused).toBe(false);
  });

  it('pause then resume inside the same frame does not stall', async () => {
    const server = harness();
    const port = await server.listen({
      onFrame: (line, connection) => {
        connection.pause();
        connection.write(Buffer.from(`${line}\n`));
        connection.resume();
      },
    });
    const connection = await client(port);
    connection.send('x\ny\nz\n');
    await connection.untilBytes(6);
    expect(connection.text).toBe('x\ny\nz\n');
  });

  it('the query buffer limit still applies while paused', async () => {
    const server = harness({ queryBufferLimit: 1000 });
    const port = await server.listen();
    const connection = await client(port);
    connection.send('PAUSE\n');
    await eventually(() => server.paused.length === 1);
    connection.send(`${'y'.repeat(600)}\n`.repeat(2));
    await connection.untilClosed();
    expect(server.closed).toEqual([
      { id: server.paused[0]!.id, reason: CloseReason.QUERY_BUFFER_LIMIT, error: undefined },
    ]);
    expect(server.loop.stats.queryBufferLimitDisconnections).toBe(1);
  });
});

describe('closing', () => {
  it('closeAfterFlush (QUIT) sends the reply, ignores later frames, then closes', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    connection.send('a\nQUIT\nb\n');
    await connection.untilClosed();
    expect(connection.text).toBe('a\nBYE\n');
    expect(server.closed.map((record) => record.reason)).toEqual([CloseReason.SERVER]);
  });

  it('close() drops the connection at once', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    connection.send('a\nCLOSE\nb\n');
    await connection.untilClosed();
    expect(connection.text).toBe('');
    expect(server.closed.map((record) => record.reason)).toEqual([CloseReason.SERVER]);
    expect(server.loop.connectionCount).toBe(0);
  });

  it('a client that disconnects is reported as peer', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    connection.send('a\n');
    await connection.untilBytes(2);
    connection.socket.end();
    await eventually(() => server.closed.length === 1);
    expect(server.closed[0]!.reason).toBe(CloseReason.PEER);
    expect(server.loop.stats.connectedClients).toBe(0);
  });

  it('a protocol error answers earlier frames, sends the error, then closes', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    connection.send('a\nBAD\nc\n');
    await connection.untilClosed();
    expect(connection.text).toBe('a\n-ERR Protocol error: bad line\n');
    expect(server.closed.map((record) => record.reason)).toEqual([CloseReason.PROTOCOL_ERROR]);
  });

  it('without onProtocolError a protocol error closes at once', async () => {
    const server = harness();
    const handlers = server.handlers();
    delete handlers.onProtocolError;
    server.listener = await server.loop.listen({ port: 0, host: '127.0.0.1' }, handlers);
    const port = portOf(server.listener);
    const connection = await client(port);
    connection.send('BAD\n');
    await connection.untilClosed();
    expect(server.closed[0]!.reason).toBe(CloseReason.PROTOCOL_ERROR);
    expect((server.closed[0]!.error as Error).message).toBe('Protocol error: bad line');
  });

  it('a throwing handler closes its connection and reaches onError', async () => {
    const server = harness();
    const port = await server.listen();
    const victim = await client(port);
    const bystander = await client(port);
    victim.send('a\nTHROW\nb\n');
    await victim.untilClosed();
    bystander.send('still here\n');
    await bystander.untilBytes(11);
    expect(server.errors).toHaveLength(1);
    const error = server.errors[0] as HandlerError;
    expect(HandlerError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('handler bug');
    expect(server.closed.map((record) => record.reason)).toEqual([CloseReason.HANDLER_ERROR]);
  });
});

describe('clock hold and release', () => {
  it('brackets every read, its frames and flush included, and stays paired when a handler throws', async () => {
    const events: string[] = [];
    let held = 0;
    const server = harness({
      clock: {
        now: () => {
          events.push(held > 0 ? 'now:held' : 'now:free');
          return Date.now();
        },
        hold: () => {
          held++;
          events.push('hold');
        },
        release: () => {
          held--;
          events.push('release');
        },
      },
    });
    const port = await server.listen({
      onFrame: (line, connection) => {
        events.push(`frame:${line}`);
        if (line === 'THROW') throw new Error('handler bug');
        connection.write(Buffer.from(`${line}\n`));
      },
      onBatchEnd: () => {
        events.push('batch-end');
      },
    });
    const connection = await client(port);
    connection.send('a\nb\n');
    await connection.untilBytes(4);
    // one read: hold, the read's clock reading, both frames, the batch end, release
    const read = events.slice(events.indexOf('hold'), events.indexOf('release') + 1);
    expect(read.filter((event) => event.startsWith('frame'))).toEqual(['frame:a', 'frame:b']);
    expect(read).toContain('batch-end');
    expect(read.filter((event) => event.startsWith('now'))).not.toContain('now:free');
    connection.send('THROW\n');
    await connection.untilClosed();
    await eventually(() => server.errors.length === 1);
    expect(held).toBe(0);
    expect(events.filter((event) => event === 'hold')).toHaveLength(
      events.filter((event) => event === 'release').length,
    );
  });
});

describe('limits', () => {
  it('refuses clients over maxclients with Redis error, across listeners', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'byor-eventloop-'));
    try {
      const server = harness({ maxClients: 2 });
      const port = await server.listen();
      const path = join(directory, 'loop.sock');
      await server.loop.listen({ path }, server.handlers());
      const first = await client(port);
      const second = await client(path);
      await eventually(() => server.loop.connectionCount === 2);
      const third = await client(port);
      await third.untilClosed();
      expect(third.text).toBe('-ERR max number of clients reached\r\n');
      const fourth = await client(path);
      await fourth.untilClosed();
      expect(server.loop.stats.rejectedConnections).toBe(2);
      expect(server.loop.stats.totalConnectionsReceived).toBe(2);
      first.send('ok\n');
      second.send('ok\n');
      await first.untilBytes(3);
      await second.untilBytes(3);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a refused client that sends at once still gets the error, then a clean close', async () => {
    const server = harness({ maxClients: 1 });
    const port = await server.listen();
    await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    for (let attempt = 0; attempt < 5; attempt++) {
      const refused = new TestClient(new Socket());
      clients.push(refused);
      let reset = false;
      refused.socket.on('error', () => (reset = true));
      refused.socket.connect(port, '127.0.0.1');
      refused.send('x'.repeat(100_000) + '\n'); // unread by the server unless it reads
      await refused.untilClosed();
      expect(refused.text).toBe('-ERR max number of clients reached\r\n');
      expect(reset).toBe(false);
    }
  });

  it('closes a client whose query buffer passes client-query-buffer-limit', async () => {
    const server = harness({ queryBufferLimit: 1024 });
    const port = await server.listen();
    const connection = await client(port);
    connection.send('z'.repeat(2000));
    await connection.untilClosed();
    expect(server.closed[0]!.reason).toBe(CloseReason.QUERY_BUFFER_LIMIT);
  });

  it('drops a client that does not read past the hard output limit of its class', async () => {
    const server = harness({
      outputBufferLimits: { pubsub: { hardBytes: 1 << 20, softBytes: 0, softSeconds: 0 } },
    });
    const port = await server.listen();
    const connection = await client(port);
    connection.send('PUBSUB\n');
    await connection.untilBytes(3);
    connection.socket.pause(); // stops reading: the kernel buffers fill, then Node's
    const subscriber = server.only();
    const message = Buffer.alloc(256 * 1024, 'm');
    for (let round = 0; round < 400 && !subscriber.closed; round++) {
      subscriber.write(message); // out of batch: flushed on the next microtask
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(subscriber.closed).toBe(true);
    expect(server.closed[0]!.reason).toBe(CloseReason.OUTPUT_BUFFER_LIMIT);
    expect(server.loop.stats.outputBufferLimitDisconnections).toBe(1);
  });

  it('drops a client above the soft output limit for longer than its seconds', async () => {
    const clock = new ManualClock();
    const server = harness({
      clock,
      outputBufferLimits: { normal: { hardBytes: 0, softBytes: 64 * 1024, softSeconds: 10 } },
      readPauseBytes: 0,
    });
    const port = await server.listen();
    const connection = await client(port);
    connection.send('hello\n');
    await connection.untilBytes(6);
    connection.socket.pause();
    const slow = server.only();
    const chunk = Buffer.alloc(256 * 1024, 's');
    for (let round = 0; round < 400 && slow.outputBytes <= 64 * 1024; round++) {
      slow.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(slow.outputBytes).toBeGreaterThan(64 * 1024);
    clock.time += 10_000; // exactly the soft seconds: not yet
    slow.write(chunk);
    await tick();
    expect(slow.closed).toBe(false);
    clock.time += 1;
    slow.write(chunk);
    await eventually(() => slow.closed);
    expect(server.closed[0]!.reason).toBe(CloseReason.OUTPUT_BUFFER_LIMIT);
  });

  it('stops reading from a client that does not read its replies, and resumes when it does', async () => {
    const server = harness({ readPauseBytes: 256 * 1024 });
    const port = await server.listen();
    const connection = await client(port);
    connection.socket.pause();
    const requests = 300;
    const replySize = 100_000;
    connection.send(`BIG ${replySize}\n`.repeat(requests));
    await eventually(() => server.loop.connectionCount === 1);
    const reader = server.only();
    await eventually(() => reader.outputBytes > 256 * 1024);
    await tick();
    const stalledAt = reader.framesProcessed;
    await tick();
    expect(reader.framesProcessed).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(requests);
    connection.socket.resume();
    await connection.untilBytes(requests * (replySize + 1));
    expect(reader.framesProcessed).toBe(requests);
    expect(reader.closed).toBe(false);
  });
});

describe('idle timeout', () => {
  it('closes clients idle longer than the timeout, sparing exempt and active ones', async () => {
    const clock = new ManualClock();
    const server = harness({ clock, idleTimeout: 1000 });
    const port = await server.listen();
    const idle = await client(port);
    const active = await client(port);
    const exempt = await client(port);
    exempt.send('EXEMPT on\n');
    await exempt.untilBytes(3);
    await eventually(() => server.loop.connectionCount === 3);
    const [idleConnection, activeConnection] = [...server.loop.connections()];
    clock.time += 600;
    active.send('ping\n');
    await active.untilBytes(5);
    clock.time += 400; // idle: exactly 1000 ms, not more
    server.loop.timers.runDue();
    expect(idleConnection!.closed).toBe(false);
    clock.time += 1;
    server.loop.timers.runDue();
    await idle.untilClosed();
    expect(server.closed).toEqual([
      { id: idleConnection!.id, reason: CloseReason.IDLE, error: undefined },
    ]);
    clock.time += 10_000;
    server.loop.timers.runDue();
    await active.untilClosed();
    expect(activeConnection!.closed).toBe(true);
    expect(server.loop.connectionCount).toBe(1); // the exempt one
    expect(server.loop.stats.idleDisconnections).toBe(2);
  });

  it('configure() turns the idle timeout on and off at run time', async () => {
    const clock = new ManualClock();
    const server = harness({ clock });
    const port = await server.listen();
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    clock.time += 5000;
    server.loop.timers.runDue();
    expect(server.loop.connectionCount).toBe(1);
    server.loop.configure({ idleTimeout: 1000 });
    server.loop.timers.runDue();
    await connection.untilClosed();
    expect(server.closed[0]!.reason).toBe(CloseReason.IDLE);
    server.loop.configure({ idleTimeout: 0 });
    expect(server.loop.limits.idleTimeout).toBe(0);
  });
});

describe('connection state and counters', () => {
  it('exposes ids, addresses, times and per-connection counters', async () => {
    const clock = new ManualClock();
    const server = harness({ clock });
    const port = await server.listen();
    const first = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    const second = await client(port);
    await eventually(() => server.loop.connectionCount === 2);
    const [a, b] = [...server.loop.connections()];
    expect(b!.id).toBe(a!.id + 1);
    expect(server.loop.connection(b!.id)).toBe(b);
    expect(a!.transport).toBe('tcp');
    expect(a!.remoteAddress).toBe('127.0.0.1');
    expect(a!.remotePort).toBe(first.socket.localPort);
    expect(b!.remotePort).toBe(second.socket.localPort);
    expect(a!.localPort).toBe(port);
    expect(a!.createdAt).toBe(clock.time);
    expect(a!.state).toEqual({ batches: 0 });
    clock.time += 42;
    first.send('hello\n');
    await first.untilBytes(6);
    expect(a!.lastInteraction).toBe(clock.time);
    expect(a!.bytesReceived).toBe(6);
    expect(a!.bytesSent).toBe(6);
    expect(a!.framesProcessed).toBe(1);
    expect(a!.outputClass).toBe(OutputClass.NORMAL);
    const stats = server.loop.stats;
    expect(stats.connectedClients).toBe(2);
    expect(stats.totalConnectionsReceived).toBe(2);
    expect(stats.bytesReceived).toBe(6);
    expect(stats.bytesSent).toBe(6);
    expect(stats.framesProcessed).toBe(1);
  });

  it('serves a Unix socket and refuses to replace a file that is not a socket', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'byor-eventloop-'));
    try {
      const server = harness();
      const path = join(directory, 'loop.sock');
      const listener = await server.loop.listen({ path, mode: 0o600 }, server.handlers());
      expect(listener.isUnix).toBe(true);
      expect(listener.address).toBe(path);
      const connection = await client(path);
      connection.send('unix\n');
      await connection.untilBytes(5);
      const serverSide = server.only();
      expect(serverSide.transport).toBe('unix');
      expect(serverSide.localAddress).toBe(path);
      expect(serverSide.remotePort).toBe(0);
      const file = join(directory, 'not-a-socket');
      writeFileSync(file, 'data');
      await expect(server.loop.listen({ path: file }, server.handlers())).rejects.toThrow(
        ListenError,
      );
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('rejects a port in use with ListenError carrying the system error', async () => {
    const server = harness();
    const port = await server.listen();
    const error = await server.loop
      .listen({ port, host: '127.0.0.1' }, server.handlers())
      .catch((caught: unknown) => caught);
    expect(ListenError.isInstance(error)).toBe(true);
    expect(((error as ListenError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('validates options', () => {
    expect(() => new EventLoop({ maxClients: 0 })).toThrow(InvalidOptionError);
    expect(() => new EventLoop({ idleTimeout: -1 })).toThrow(InvalidOptionError);
    expect(() => new EventLoop({ queryBufferLimit: Number.NaN })).toThrow(InvalidOptionError);
    expect(() => new EventLoop({ tcpKeepAlive: -5 })).toThrow(InvalidOptionError);
    expect(
      () =>
        new EventLoop({
          outputBufferLimits: { pubsub: { hardBytes: -1, softBytes: 0, softSeconds: 0 } },
        }),
    ).toThrow(InvalidOptionError);
    const loop = new EventLoop();
    expect(() => loop.configure({ maxClients: -1 })).toThrow(InvalidOptionError);
    expect(loop.limits.maxClients).toBe(10000);
    expect(loop.limits.queryBufferLimit).toBe(1024 * 1024 * 1024);
    expect(loop.limits.outputBufferLimits.replica).toEqual({
      hardBytes: 256 * 1024 * 1024,
      softBytes: 64 * 1024 * 1024,
      softSeconds: 60,
    });
  });
});

describe('graceful close', () => {
  it('flushes replies in flight, closes every connection and rejects new listeners', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    server.only().write(Buffer.from('last words\n'));
    await server.loop.close();
    await connection.untilClosed();
    expect(connection.text).toBe('last words\n');
    expect(server.closed.map((record) => record.reason)).toEqual([CloseReason.SHUTDOWN]);
    expect(server.loop.closed).toBe(true);
    await expect(server.loop.listen({ port: 0 }, server.handlers())).rejects.toThrow(ClosedError);
    expect(() => server.loop.timers.schedule(0, () => undefined)).toThrow(ClosedError);
  });

  it('destroys clients that do not read once the timeout passes', async () => {
    const server = harness({ readPauseBytes: 0 });
    const port = await server.listen();
    const connection = await client(port);
    connection.socket.pause();
    await eventually(() => server.loop.connectionCount === 1);
    const stuck = server.only();
    const chunk = Buffer.alloc(1 << 20, 'w');
    for (let round = 0; round < 200 && stuck.outputBytes < 4 << 20; round++) {
      stuck.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stuck.outputBytes).toBeGreaterThan(0);
    await server.loop.close({ timeout: 50 });
    expect(stuck.closed).toBe(true);
    expect(server.loop.connectionCount).toBe(0);
    expect(server.closed[0]!.reason).toBe(CloseReason.SHUTDOWN);
  });
});

describe('more lifecycle', () => {
  it('flushes a write made by a timer once, on the loop clock', async () => {
    const clock = new ManualClock();
    const server = harness({ clock });
    const port = await server.listen();
    const writes = countServerWrites(port);
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    const target = server.only();
    server.loop.timers.schedule(clock.time + 500, () => {
      target.write(Buffer.from('tick '));
      target.write(Buffer.from('tock\n'));
    });
    clock.time += 499;
    expect(server.loop.timers.runDue()).toBe(0);
    clock.time += 1;
    expect(server.loop.timers.runDue()).toBe(1);
    await connection.untilBytes(10);
    expect(connection.text).toBe('tick tock\n');
    expect(writes.count).toBe(1);
  });

  it('creates the state before onConnect, which may refuse the client', async () => {
    const order: string[] = [];
    const server = harness();
    const port = await server.listen({
      createState: (connection) => {
        order.push(`state ${connection.id}`);
        return { batches: 0 };
      },
      onConnect: (connection) => {
        order.push(`connect ${connection.id}`);
        connection.write(Buffer.from('go away\n'));
        connection.closeAfterFlush();
      },
    });
    const connection = await client(port);
    await connection.untilClosed();
    expect(connection.text).toBe('go away\n');
    const id = server.closed[0]!.id;
    expect(order).toEqual([`state ${id}`, `connect ${id}`]);
  });

  it('closing a listener stops new connections and keeps open ones', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    expect([...server.loop.listeners()]).toEqual([server.listener]);
    await server.listener.close();
    expect(server.listener.closed).toBe(true);
    expect([...server.loop.listeners()]).toEqual([]);
    await expect(TestClient.connect(port)).rejects.toThrow();
    connection.send('still\n');
    await connection.untilBytes(6);
    expect(connection.text).toBe('still\n');
  });

  it.skipIf(!hasIpv6)(
    'ipv6Only lets an IPv6 wildcard listener share the port of an IPv4 one',
    async () => {
      const server = harness();
      const handlers = server.handlers();
      const v4 = await server.loop.listen({ port: 0, host: '0.0.0.0' }, handlers);
      const port = portOf(v4);
      // without it `::` also takes IPv4, and its port is the IPv4 listener's
      await expect(server.loop.listen({ port, host: '::' }, handlers)).rejects.toThrow(ListenError);
      const v6 = await server.loop.listen({ port, host: '::', ipv6Only: true }, handlers);
      expect(portOf(v6)).toBe(port);
      const over4 = await client(port);
      over4.send('four\n');
      await over4.untilBytes(5);
      expect(over4.text).toBe('four\n');
      const over6 = await TestClient.connect(port, '::1');
      clients.push(over6);
      over6.send('six\n');
      await over6.untilBytes(4);
      expect(over6.text).toBe('six\n');
      expect([...server.loop.connections()].map((c) => c.listener)).toEqual([v4, v6]);
    },
  );

  it('a lower maxClients applies to new connections only', async () => {
    const server = harness();
    const port = await server.listen();
    await client(port);
    await client(port);
    await eventually(() => server.loop.connectionCount === 2);
    server.loop.configure({ maxClients: 1 });
    expect(server.loop.connectionCount).toBe(2);
    const refused = await client(port);
    await refused.untilClosed();
    expect(refused.text).toBe('-ERR max number of clients reached\r\n');
  });

  it('uses the listener rejectReply for refused clients', async () => {
    const server = harness({ maxClients: 1 });
    const port = await server.listen({ rejectReply: Buffer.from('full\n') });
    await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    const refused = await client(port);
    await refused.untilClosed();
    expect(refused.text).toBe('full\n');
  });

  it('a client reset is reported as peer', async () => {
    const server = harness();
    const port = await server.listen();
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    connection.socket.resetAndDestroy();
    await eventually(() => server.closed.length === 1);
    expect(server.closed[0]!.reason).toBe(CloseReason.PEER);
  });

  it('idle exemption removes the client from the idle list and clearing it touches', async () => {
    const clock = new ManualClock();
    const server = harness({ clock, idleTimeout: 100 });
    const port = await server.listen();
    const connection = await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    const target = server.only();
    target.idleExempt = true;
    clock.time += 1000;
    server.loop.timers.runDue();
    expect(target.closed).toBe(false);
    target.idleExempt = false;
    expect(target.lastInteraction).toBe(clock.time);
    clock.time += 100;
    server.loop.timers.runDue();
    expect(target.closed).toBe(false);
    clock.time += 1;
    server.loop.timers.runDue();
    await connection.untilClosed();
    expect(server.closed[0]!.reason).toBe(CloseReason.IDLE);
  });

  it('close() is idempotent and a closed loop has no connection or timer left', async () => {
    const server = harness();
    const port = await server.listen();
    await client(port);
    await eventually(() => server.loop.connectionCount === 1);
    server.loop.timers.every(10, () => undefined);
    const first = server.loop.close();
    expect(server.loop.close()).toBe(first);
    await first;
    expect(server.loop.connectionCount).toBe(0);
    expect(server.loop.timers.size).toBe(0);
    expect([...server.loop.listeners()]).toHaveLength(0);
  });
});
