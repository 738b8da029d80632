/**
 * An echo-style codec under many clients: @byor/eventloop against a plain node:net handler
 * written the obvious way (concat the input, one socket.write per reply), in one process.
 *
 * The protocol is the inline form of RESP's PING: the client sends `PING\r\n` lines pipelined
 * (16 per round trip, like `redis-benchmark -P 16`) and each is answered `+PONG\r\n`.
 *
 * - "echo, N clients x P pipelined": in-process clients; ops = requests answered per second.
 * - "redis-benchmark PING_INLINE": the same servers driven by redis-benchmark (a separate
 *   process), with redis-server itself as the reference, when redis-benchmark is installed.
 */
import { spawnSync, spawn } from 'node:child_process';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { compare, report, whenDone } from '../../../scripts/bench.js';
import { type Codec, type Decoder, EventLoop } from '../src/index.js';

const PONG = Buffer.from('+PONG\r\n');
const NEWLINE = 10;

/**
 * A line decoder the way a real codec buffers: a list of chunks, no concat of the whole input,
 * a frame is a view when it lies in one chunk.
 */
class LineDecoder implements Decoder<Buffer> {
  #chunks: Buffer[] = [];
  #offset = 0;
  #buffered = 0;

  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  next(): Buffer | undefined {
    const first = this.#chunks[0];
    if (first === undefined) return undefined;
    const end = first.indexOf(NEWLINE, this.#offset);
    if (end >= 0) {
      const line = first.subarray(this.#offset, end);
      this.#buffered -= end + 1 - this.#offset;
      this.#offset = end + 1;
      if (this.#offset === first.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
      return line;
    }
    if (this.#chunks.length === 1) return undefined;
    // A line across chunks: join the chunks once (rare with small requests).
    const joined = Buffer.concat(this.#chunks).subarray(this.#offset);
    this.#chunks = [joined];
    this.#offset = 0;
    return joined.includes(NEWLINE) ? this.next() : undefined;
  }
}

const lineCodec: Codec<Buffer> = { createDecoder: () => new LineDecoder() };

async function startEventLoop(): Promise<{ port: number; close: () => Promise<void> }> {
  const loop = new EventLoop();
  const listener = await loop.listen(
    { port: 0, host: '127.0.0.1' },
    {
      codec: lineCodec,
      createState: () => undefined,
      onFrame: (_line, connection) => connection.write(PONG),
    },
  );
  return { port: (listener.address as AddressInfo).port, close: () => loop.close() };
}

/** The obvious node:net server: concat input, split lines, one write per reply. */
async function startPlainNet(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let end: number;
      while ((end = pending.indexOf(NEWLINE)) >= 0) {
        pending = pending.subarray(end + 1);
        socket.write(PONG);
      }
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client that sends a pipeline and resolves when every reply arrived. */
class PipelineClient {
  readonly #socket: Socket;
  readonly #request: Buffer;
  readonly #expected: number;
  #received = 0;
  #resolve: (() => void) | undefined = undefined;

  private constructor(socket: Socket, pipeline: number) {
    this.#socket = socket;
    this.#request = Buffer.from('PING\r\n'.repeat(pipeline));
    this.#expected = pipeline * PONG.length;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#received >= this.#expected && this.#resolve) {
        this.#received -= this.#expected;
        const resolve = this.#resolve;
        this.#resolve = undefined;
        resolve();
      }
    });
  }

  static async open(port: number, pipeline: number): Promise<PipelineClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return new PipelineClient(socket, pipeline);
  }

  round(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      this.#socket.write(this.#request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

const CLIENTS = 50;
const PIPELINE = 16;
const byor = await startEventLoop();
const plain = await startPlainNet();
const byorClients = await Promise.all(
  Array.from({ length: CLIENTS }, () => PipelineClient.open(byor.port, PIPELINE)),
);
const plainClients = await Promise.all(
  Array.from({ length: CLIENTS }, () => PipelineClient.open(plain.port, PIPELINE)),
);
const MANY = 200;
const manyByor = await Promise.all(
  Array.from({ length: MANY }, () => PipelineClient.open(byor.port, 1)),
);
const manyPlain = await Promise.all(
  Array.from({ length: MANY }, () => PipelineClient.open(plain.port, 1)),
);
const singleByor = await PipelineClient.open(byor.port, 1);
const singlePlain = await PipelineClient.open(plain.port, 1);

compare(
  `echo, ${CLIENTS} clients x ${PIPELINE} pipelined`,
  {
    '@byor/eventloop': () => Promise.all(byorClients.map((client) => client.round())),
    'node:net, one write per reply': () =>
      Promise.all(plainClients.map((client) => client.round())),
  },
  { opsPerCall: CLIENTS * PIPELINE },
);

compare(
  `echo, ${MANY} clients x 1`,
  {
    '@byor/eventloop': () => Promise.all(manyByor.map((client) => client.round())),
    'node:net, one write per reply': () => Promise.all(manyPlain.map((client) => client.round())),
  },
  { opsPerCall: MANY },
);

compare(
  'echo, 1 client, no pipelining',
  {
    '@byor/eventloop': () => singleByor.round(),
    'node:net, one write per reply': () => singlePlain.round(),
  },
  { opsPerCall: 1 },
);

/** requests/s from `redis-benchmark -q` output, or undefined. */
async function redisBenchmark(port: number, pipeline: number): Promise<number | undefined> {
  const child = spawn(
    'redis-benchmark',
    [
      '-p',
      String(port),
      '-t',
      'ping_inline',
      '-n',
      '200000',
      '-c',
      '50',
      '-P',
      String(pipeline),
      '-q',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  const match = /PING_INLINE: ([\d.]+) requests per second/.exec(output.replace(/\r/g, '\n'));
  return match ? Number(match[1]) : undefined;
}

const haveRedisBenchmark = spawnSync('redis-benchmark', ['--version']).status === 0;
if (haveRedisBenchmark) {
  const redisPort = 20000 + Math.floor(Math.random() * 20000);
  const redisServer = spawn(
    'redis-server',
    ['--port', String(redisPort), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const pipeline of [1, 16]) {
    const values: Record<string, number> = {};
    const ours = await redisBenchmark(byor.port, pipeline);
    const obvious = await redisBenchmark(plain.port, pipeline);
    const redis = await redisBenchmark(redisPort, pipeline);
    if (ours !== undefined) values['@byor/eventloop'] = ours;
    if (obvious !== undefined) values['node:net, one write per reply'] = obvious;
    if (redis !== undefined) values['redis-server 7 (reference)'] = redis;
    report(`redis-benchmark PING_INLINE -c 50 -P ${pipeline}`, 'requests/s', values, {
      higherIsBetter: true,
    });
  }
  redisServer.kill();
}

// Open servers and sockets keep the process alive: the runner closes them after its summary.
whenDone(async () => {
  for (const client of [...byorClients, ...plainClients, ...manyByor, ...manyPlain]) client.close();
  singleByor.close();
  singlePlain.close();
  await Promise.all([byor.close(), plain.close()]);
});
