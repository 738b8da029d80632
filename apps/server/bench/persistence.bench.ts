/**
 * Persistence next to redis-server, same dataset, same machine, same run:
 *
 *   pnpm --filter @byor/server bench -- persistence        (PERSIST_BENCH_KEYS=1000000 by default)
 *
 * For each server (byor from bench/persistence-server.ts, Debian's redis-server), each its own
 * process: 1M string keys are written; SAVE is timed; then redis-benchmark runs GETs (50 clients,
 * pipeline 16) while BGSAVE runs, and the throughput during BGSAVE is compared with the throughput
 * just before it; the BGSAVE is timed; finally the server is restarted on the file and the load
 * time it logs ("DB loaded from disk: N seconds") is read.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadPool } from '@byor/threadpool';
import { report } from '../../../scripts/bench.js';
import { BackgroundFileSink, Trailer } from '../src/persistence/file-sink.js';
import { workerModulePath, type PersistenceWorkerTasks } from '../src/persistence/worker-module.js';

const KEYS = Number(process.env.PERSIST_BENCH_KEYS ?? 1_000_000);
/** rounds per server, alternating; medians are reported (the machine is shared) */
const ROUNDS = Number(process.env.PERSIST_BENCH_ROUNDS ?? 3);
/** the runner's title filter (its first argument): skip the minute of measuring when it excludes us */
const FILTER = process.argv[2] ? new RegExp(process.argv[2], 'i') : undefined;
const VALUE = 'v'.repeat(16);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A connection that sends commands and counts/collects reply lines (enough for this bench). */
class Client {
  readonly #socket: Socket;
  #pending: { count: number; resolve: (text: string) => void; text: string }[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // replies here are single lines, or a bulk string ($n + line): count complete replies
      for (;;) {
        const head = this.#pending[0];
        if (!head) return;
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        let consumed = end + 2;
        if (buffer[0] === '$' && Number(buffer.slice(1, end)) >= 0) {
          const length = Number(buffer.slice(1, end));
          if (buffer.length < end + 2 + length + 2) return;
          consumed = end + 2 + length + 2;
        }
        head.text = buffer.slice(0, consumed);
        buffer = buffer.slice(consumed);
        if (--head.count === 0) {
          this.#pending.shift();
          head.resolve(head.text);
        }
      }
    });
  }

  static async connect(port: number): Promise<Client> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<Client>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(new Client(socket)));
          socket.once('error', reject);
        });
      } catch (error) {
        if (attempt > 400) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Sends `commands` in one write; resolves with the last reply's text. */
  send(commands: string[][]): Promise<string> {
    let text = '';
    for (const argv of commands) {
      text += `*${argv.length}\r\n`;
      for (const arg of argv) text += `$${arg.length}\r\n${arg}\r\n`;
    }
    return new Promise((resolve) => {
      this.#pending.push({ count: commands.length, resolve, text: '' });
      this.#socket.write(text, 'latin1');
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  output: string;
}

async function start(name: 'byor' | 'redis-server', dir: string): Promise<Running> {
  const port = await freePort();
  const args = ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'];
  const child =
    name === 'byor'
      ? spawn(
          process.execPath,
          ['--import', 'tsx', join(import.meta.dirname, 'persistence-server.ts'), ...args],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        )
      : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, port, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  (await Client.connect(port)).close();
  return running;
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGKILL');
  await exited;
}

async function fill(port: number): Promise<void> {
  const client = await Client.connect(port);
  const batch = 10_000;
  for (let from = 0; from < KEYS; from += batch) {
    const commands: string[][] = [];
    for (let i = from; i < Math.min(KEYS, from + batch); i++)
      commands.push(['SET', `key:${String(i).padStart(12, '0')}`, VALUE]);
    await client.send(commands);
  }
  client.close();
}

async function info(client: Client, field: string): Promise<string> {
  const text = await client.send([['INFO', 'persistence']]);
  return new RegExp(`${field}:(\\S+)`).exec(text)?.[1] ?? '';
}

interface Sample {
  at: number;
  rps: number;
}

/** redis-benchmark GETs in a loop; samples its per-interval rps with our timestamps. */
function loadGenerator(port: number): { samples: Sample[]; stop: () => Promise<void> } {
  const samples: Sample[] = [];
  const child = spawn(
    'redis-benchmark',
    [
      '-p',
      String(port),
      '-t',
      'get',
      '-c',
      '50',
      '-P',
      '16',
      '-r',
      String(KEYS),
      '-n',
      '2000000000',
      '-q',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    const parts = text.split('\r');
    text = parts.pop() ?? '';
    for (const part of parts) {
      const match = /rps=([\d.]+)/.exec(part);
      if (match) samples.push({ at: performance.now(), rps: Number(match[1]) });
    }
  });
  return {
    samples,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

interface Figures {
  saveMs: number;
  bgsaveMs: number;
  loadMs: number;
  fileBytes: number;
  baselineRps: number;
  duringRps: number;
}

async function measure(name: 'byor' | 'redis-server'): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), `persist-bench-${name}-`));
  try {
    const server = await start(name, dir);
    await fill(server.port);
    const client = await Client.connect(server.port);
    let started = performance.now();
    await client.send([['SAVE']]);
    const saveMs = performance.now() - started;
    const fileBytes = statSync(join(dir, 'dump.rdb')).size;

    const load = loadGenerator(server.port);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    started = performance.now();
    await client.send([['BGSAVE']]);
    while ((await info(client, 'rdb_bgsave_in_progress')) === '1')
      await new Promise((resolve) => setTimeout(resolve, 5));
    const ended = performance.now();
    await load.stop();
    client.close();
    const baseline = load.samples.filter((s) => s.at < started - 250 && s.at > started - 2250);
    const during = load.samples.filter((s) => s.at > started + 250 && s.at < ended);
    await stop(server);

    const restarted = await start(name, dir);
    for (let i = 0; i < 200 && !/DB loaded from disk: [\d.]+ seconds/.test(restarted.output); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const loaded = /DB loaded from disk: ([\d.]+) seconds/.exec(restarted.output);
    await stop(restarted);
    return {
      saveMs,
      bgsaveMs: ended - started,
      loadMs: loaded ? Number(loaded[1]) * 1000 : NaN,
      fileBytes,
      baselineRps: mean(baseline.map((s) => s.rps)),
      // a BGSAVE shorter than one sample interval: the samples that overlap it
      duringRps: mean(
        (during.length
          ? during
          : load.samples.filter((s) => s.at > started && s.at < ended + 250)
        ).map((s) => s.rps),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why the checksum and the writes of BGSAVE go to a worker: the event loop's busy time to write
 * 64 MiB of chunks with the CRC-64 computed here (writes through libuv) and handed to the worker
 * (transferred, not copied).
 */
async function measureSinks(): Promise<{ inline: number; worker: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'persist-sink-'));
  const path = workerModulePath();
  const pool = path
    ? new ThreadPool<PersistenceWorkerTasks>({ filename: path, size: 1, execArgv: [] })
    : undefined;
  try {
    const busy = async (withPool: boolean): Promise<number> => {
      const sink = new BackgroundFileSink(
        withPool ? pool : undefined,
        join(dir, 'temp.rdb'),
        join(dir, 'dump.rdb'),
        Trailer.CRC64,
      );
      if (withPool && pool) await pool.run({ job: 0 }, { handler: 'finish' }); // a warm worker
      const chunks = Array.from({ length: 64 }, (_, i) => Buffer.allocUnsafeSlow(1 << 20).fill(i));
      const before = performance.eventLoopUtilization();
      for (const chunk of chunks) {
        sink.write(chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await sink.complete();
      const used = performance.eventLoopUtilization(before);
      return used.active;
    };
    const inline: number[] = [];
    const worker: number[] = [];
    for (let round = 0; round < 5; round++) {
      inline.push(await busy(false));
      worker.push(await busy(true));
    }
    const middle = (values: number[]) => values.sort((a, b) => a - b)[2] ?? NaN;
    return { inline: middle(inline), worker: middle(worker) };
  } finally {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (FILTER && !FILTER.test('persistence')) {
  // not asked for
} else if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.log('persistence bench: redis-server is not installed, skipped');
} else {
  const sinks = await measureSinks();
  report(
    'persistence: event-loop busy time to checksum and write 64 MiB (BGSAVE sink)',
    'ms',
    {
      'byor (CRC-64 on the event loop)': sinks.inline,
      'byor (@byor/threadpool worker)': sinks.worker,
    },
    { ours: ['byor (@byor/threadpool worker)'] },
  );
  const rounds: Record<'byor' | 'redis-server', Figures[]> = { byor: [], 'redis-server': [] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.byor.push(await measure('byor'));
    rounds['redis-server'].push(await measure('redis-server'));
  }
  const median = (name: 'byor' | 'redis-server', pick: (figures: Figures) => number) => {
    const values = rounds[name].map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? NaN;
  };
  const byor: Figures = {
    saveMs: median('byor', (f) => f.saveMs),
    bgsaveMs: median('byor', (f) => f.bgsaveMs),
    loadMs: median('byor', (f) => f.loadMs),
    fileBytes: median('byor', (f) => f.fileBytes),
    baselineRps: median('byor', (f) => f.baselineRps),
    duringRps: median('byor', (f) => f.duringRps),
  };
  const redis: Figures = {
    saveMs: median('redis-server', (f) => f.saveMs),
    bgsaveMs: median('redis-server', (f) => f.bgsaveMs),
    loadMs: median('redis-server', (f) => f.loadMs),
    fileBytes: median('redis-server', (f) => f.fileBytes),
    baselineRps: median('redis-server', (f) => f.baselineRps),
    duringRps: median('redis-server', (f) => f.duringRps),
  };
  const keys = `${KEYS / 1e6}M keys`;
  report(`persistence: SAVE of ${keys}`, 'ms', { byor: byor.saveMs, 'redis-server': redis.saveMs });
  report(`persistence: BGSAVE of ${keys}`, 'ms', {
    byor: byor.bgsaveMs,
    'redis-server': redis.bgsaveMs,
  });
  report(`persistence: loading ${keys} at start-up`, 'ms', {
    byor: byor.loadMs,
    'redis-server': redis.loadMs,
  });
  report(`persistence: dump.rdb of ${keys}`, 'bytes', {
    byor: byor.fileBytes,
    'redis-server': redis.fileBytes,
  });
  report(
    `persistence: GET throughput during BGSAVE of ${keys} (50 clients, pipeline 16)`,
    'ops/s',
    { byor: byor.duringRps, 'redis-server': redis.duringRps },
    { higherIsBetter: true },
  );
  report(
    `persistence: GET throughput before BGSAVE (${keys})`,
    'ops/s',
    { byor: byor.baselineRps, 'redis-server': redis.baselineRps },
    { higherIsBetter: true },
  );
  report(
    'persistence: GET throughput during BGSAVE, % of before it',
    '%',
    {
      byor: (100 * byor.duringRps) / byor.baselineRps,
      'redis-server': (100 * redis.duringRps) / redis.baselineRps,
    },
    { higherIsBetter: true },
  );
}
