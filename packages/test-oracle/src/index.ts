/**
 * Debian's redis-server as the oracle of the workspace's parity tests: the same commands go to it
 * and to byor (or to a parser, a writer, the CLI), and the replies must match byte for byte. The
 * tests that use it are skipped where redis-server is not installed (`hasRedisServer`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The redis-server binary (REDIS_SERVER overrides), or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? binary : undefined;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerProcess {
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's redis-server on a free port in a temporary directory (no persistence). The port
 * is only free when it is picked: a server in a parallel test may bind it first, and then this
 * redis-server exits, or a connection would reach that other server. So the process's pid is
 * read back through the port (INFO's process_id), and a lost race is retried on a new port.
 */
export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServerProcess> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'byor-redis-'));
    const child: ChildProcess = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const stop = (): Promise<void> =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          resolve();
          return;
        }
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGKILL');
      });
    const password = extraArgs[extraArgs.indexOf('--requirepass') + 1];
    const auth =
      extraArgs.includes('--requirepass') && password !== undefined ? password : undefined;
    if (await listensAs(port, child, auth)) return { port, dir, stop };
    await stop();
    if (attempt === 5) throw new Error(`redis-server did not start (last port ${port})`);
  }
}

/** Whether `child` answers on `port` (its pid in INFO, after AUTH with `password`), within 5 s. */
async function listensAs(
  port: number,
  child: ChildProcess,
  password: string | undefined,
): Promise<boolean> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const pid = await new Promise<number | undefined>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setTimeout(1000, () => socket.destroy());
      socket.once('connect', () =>
        socket.write((password === undefined ? '' : `AUTH ${password}\r\n`) + 'INFO server\r\n'),
      );
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        const match = /process_id:(\d+)/.exec(text);
        if (match) {
          socket.destroy();
          resolve(Number(match[1]));
        }
      });
      socket.once('close', () => resolve(undefined));
      socket.once('error', () => resolve(undefined));
    });
    if (pid === child.pid) return true;
    // another process answers on this port: the race is lost
    if (pid !== undefined) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Whether redis-server can be started here (for `describe.skipIf(!hasRedisServer)`). */
export const hasRedisServer = redisServerBinary() !== undefined;
