/**
 * Shared by the benchmark harnesses (bench/server.ts, cpu.ts, alloc.ts, dispatch.ts): their
 * command-line arguments, a free loopback port, and waiting until a started server listens on it.
 */
import { connect, createServer } from 'node:net';
import { loadavg } from 'node:os';

/** A loopback port free at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once something accepts connections on `port` (10 s at most). */
export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * The harness's own arguments: `pnpm bench:server -- --rounds 5` passes the `--` through, which
 * parseArgs would take for the end of the options.
 */
export function benchArgs(): string[] {
  return process.argv.slice(2).filter((arg) => arg !== '--');
}

/**
 * redis-benchmark's `lrange_<n>` tests run an LPUSH of as many requests first ("LPUSH (needed to
 * benchmark LRANGE)") in the same run, and print it as the first CSV row: a harness that reads
 * that row, or times the whole run, measures the LPUSH. For such a test this returns the LRANGE
 * command the test times, to run as a command after filling the list with `-t lpush` (untimed);
 * for any other test undefined.
 *
 * @example lrangeCommand('lrange_100'); // ['LRANGE', 'mylist', '0', '99']
 */
export function lrangeCommand(test: string): string[] | undefined {
  const match = /^lrange_(\d+)$/.exec(test);
  return match ? ['LRANGE', 'mylist', '0', String(Number(match[1]) - 1)] : undefined;
}

/**
 * The redis-benchmark test that fills what `test` reads, or undefined: GET reads the keys SET
 * writes, LPOP and LRANGE the list LPUSH fills. redis-benchmark's own suite runs them in that
 * order; a harness that runs a test alone (`--tests get`) would otherwise time replies to an
 * empty database.
 *
 * @example fillFor('get'); // 'set'
 */
export function fillFor(test: string): string | undefined {
  if (test === 'get') return 'set';
  if (test === 'lpop' || test === 'rpop' || lrangeCommand(test)) return 'lpush';
  return undefined;
}

/**
 * How many cores' worth of work the machine gives two busy threads right now: the time one
 * thread takes for a fixed loop, times two, over the time two threads take for it side by side
 * (2.0: two cores; 1.0: they took turns on one). On a shared VM this moves from hour to hour, and
 * with it every ratio the harnesses print: at 1.0 redis-benchmark and the server take turns, so a
 * ratio is (client + redis-server) / (client + byor) CPU. Under a second.
 */
export async function parallelCapacity(): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const spin = `
    const { parentPort } = require('node:worker_threads');
    const start = performance.now();
    let x = 0;
    for (let i = 0; i < 1e8; i++) x = (x + i * 7) % 1000003;
    parentPort.postMessage([performance.now() - start, x]);`;
  const run = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(spin, { eval: true });
      worker.once('message', ([ms]: [number, number]) => {
        void worker.terminate();
        resolve(ms);
      });
      worker.once('error', reject);
    });
  const alone = await run();
  const together = await Promise.all([run(), run()]);
  return (2 * alone) / Math.max(...together);
}

/**
 * The machine's state for a harness's header: the load average and {@link parallelCapacity}, e.g.
 * "load 1.16 1.18 1.77, 1.99 cores for two busy threads". Under a second.
 */
export async function machineNow(): Promise<string> {
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `load ${load}, ${(await parallelCapacity()).toFixed(2)} cores for two busy threads`;
}
