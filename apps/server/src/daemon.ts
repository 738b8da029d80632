/**
 * byor-server as a daemon (redis.conf's `daemonize yes`) and its pid file (`pidfile`), as
 * redis-server 7.0 has them.
 *
 * redis-server forks: the parent exits at once with status 0, the child (setsid, standard streams
 * on /dev/null) is the server. Node cannot fork, so the parent starts the same command line again
 * as a detached process with its standard streams ignored, tells it through the environment
 * that it is the daemon, hands it the configuration it read from stdin (`-`) through a pipe, and
 * exits 0. A supervised server (`supervised systemd`, or `auto` under systemd) stays in the
 * foreground, as redis-server's does.
 */
import { spawn } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import type { Config } from './config/config.js';
import type { Logger } from './logger.js';
import { strerror } from './util/strerror.js';

/** Set in the daemon's environment: it is the daemon, it does not start another. */
const DAEMON_ENV = 'BYOR_DAEMONIZED';

/** redis-server's CONFIG_DEFAULT_PID_FILE: the pid file of a daemon that names none. */
export const DEFAULT_PID_FILE = '/var/run/redis.pid';

/** Whether this process should start a daemon and exit (redis-server's `background`). */
export function runsInBackground(config: Config): boolean {
  if (!config.bool('daemonize') || process.env[DAEMON_ENV] !== undefined) return false;
  const supervised = config.string('supervised');
  const underSystemd = process.env.NOTIFY_SOCKET !== undefined;
  return !(supervised === 'systemd' || (supervised === 'auto' && underSystemd));
}

/**
 * Starts the daemon: this command line again (`argv` are the server's arguments), detached, with
 * `stdinText` (the configuration read from stdin, if any) on its stdin. Resolves once the
 * daemon has it; the caller then exits 0.
 */
export async function startDaemon(argv: readonly string[], stdinText?: string): Promise<void> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    detached: true,
    stdio: [stdinText === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  child.unref();
  if (stdinText !== undefined && child.stdin) {
    const input = child.stdin;
    await new Promise<void>((resolve) => {
      input.once('error', () => resolve());
      input.end(stdinText, 'latin1', () => resolve());
    });
  }
}

/**
 * The pid file of this server (createPidFile): `pidfile`, or {@link DEFAULT_PID_FILE} for a
 * daemon that names none; undefined when there is none to write. Best effort: a failure is
 * logged and the server goes on. Returns the path written.
 */
export function writePidFile(config: Config, logger: Logger): string | undefined {
  const named = config.string('pidfile');
  const daemon = config.bool('daemonize');
  if (named === '' && !daemon) return undefined;
  const path = named === '' ? DEFAULT_PID_FILE : named;
  try {
    writeFileSync(path, `${process.pid}\n`);
    return path;
  } catch (error) {
    logger.warning(
      `Failed to write PID file: ${strerror((error as NodeJS.ErrnoException).code, (error as Error).message)}`,
    );
    return undefined;
  }
}

/** Removes the pid file at shutdown (prepareForShutdown), as redis-server logs it. */
export function removePidFile(path: string | undefined, logger: Logger): void {
  if (path === undefined) return;
  logger.notice('Removing the pid file.');
  try {
    unlinkSync(path);
  } catch {
    // gone already: nothing to do
  }
}
