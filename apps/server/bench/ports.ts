/**
 * Shared by the benchmark harnesses (bench/server.ts, cpu.ts, alloc.ts, dispatch.ts): their
 * command-line arguments, a free loopback port, and waiting until a started server listens on it.
 */
import { connect, createServer } from 'node:net';

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
