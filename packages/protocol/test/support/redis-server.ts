/**
 * Starts Debian's redis-server (the oracle) on a free port for parity tests, when installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const hasRedisServer =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start: ${output}`)),
      10_000,
    );
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
  child.stdout!.resume();
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Sends `bytes` on a new connection and collects what comes back: stops when the connection is
 * closed, or when at least `expectedLength` bytes arrived and nothing more came for `settleMs`.
 */
export async function exchange(
  port: number,
  bytes: Uint8Array,
  expectedLength: number,
  settleMs = 30,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    let settle: NodeJS.Timeout | undefined;
    const hardStop = setTimeout(() => finish(false), 2_000);
    let finished = false;
    function finish(closed: boolean): void {
      if (finished) return;
      finished = true;
      clearTimeout(hardStop);
      if (settle) clearTimeout(settle);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    }
    function arm(): void {
      if (settle) clearTimeout(settle);
      if (received >= expectedLength) settle = setTimeout(() => finish(false), settleMs);
    }
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      received += data.length;
      arm();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error) => {
      if (!finished) reject(error);
    });
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
  });
}
