import { readFileSync } from 'node:fs';
import { Config } from './config/config.js';
import { removePidFile, runsInBackground, startDaemon, writePidFile } from './daemon.js';
import { ByorServerError, ListenFailedError, loggedErrors } from './errors.js';
import { createLogger } from './logger.js';
import type { Server } from './server.js';
import { startServer } from './start.js';
import { BYOR_VERSION } from './version.js';
import { CAPTURED_REDIS_VERSION } from './commands/spec.js';

const USAGE = `Usage: byor-server [/path/to/redis.conf] [options] [-]
       byor-server - (read config from stdin)
       byor-server -v or --version
       byor-server -h or --help

Options are redis.conf directives with two dashes in front, as redis-server takes them.

Examples:
       byor-server (run the server with default conf)
       echo 'maxmemory 128mb' | byor-server -
       byor-server /etc/redis/6379.conf
       byor-server --port 7777
       byor-server --port 6380 --bind 127.0.0.1
       byor-server /etc/myredis.conf --loglevel verbose -
       byor-server --port 6379 --byor-port 1234   (also serve the book's binary protocol)
`;

/**
 * The byor-server command line: redis-server's arguments and habits. Returns the process exit
 * code once the server has stopped (or at once for --help, --version and config errors).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const first = argv[0];
  if (first === '-h' || first === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(
      `byor-server v=${BYOR_VERSION} redis=${CAPTURED_REDIS_VERSION} node=${process.version} bits=64\n`,
    );
    return 0;
  }
  let config: Config;
  // the configuration read from stdin (`-`), which a daemon gets again through its own stdin
  let stdinText: string | undefined;
  try {
    config = Config.fromArgv(argv, () => (stdinText ??= readFileSync(0, 'latin1')));
  } catch (error) {
    if (ByorServerError.isInstance(error)) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (runsInBackground(config)) {
    await startDaemon(argv, stdinText);
    return 0;
  }
  const logger = createLogger({
    level: config.string('loglevel') as 'notice',
    file: config.string('logfile'),
    // as redis-server: S while following a master
    role: () => (config.string('replicaof') === '' ? 'M' : 'S'),
  });
  logger.warning('oO0OoO0OoO0Oo byor is starting oO0OoO0OoO0Oo');
  logger.warning(
    `byor version=${BYOR_VERSION}, redis compatibility=${CAPTURED_REDIS_VERSION}, node=${process.version}, pid=${process.pid}, just started`,
  );
  logger.warning(
    config.configFile
      ? `Configuration loaded`
      : 'Warning: no config file specified, using the default config. In order to specify a config file use byor-server /path/to/redis.conf',
  );
  for (const name of config.unimplemented) {
    logger.warning(
      `Warning: directive '${name}' is accepted for compatibility but byor does not implement it yet; it has no effect`,
    );
  }
  // Signal handlers go in before anything is announced: a supervisor may signal as soon as it
  // reads "Ready to accept connections".
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  /** the server core, known once it listens (it may still be loading its data) */
  let core: Server | undefined;
  let stopping = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const stop = (signal: string) => {
    if (stopping) {
      // as redis-server: a second signal during shutdown exits at once
      logger.warning('You insist... exiting now.');
      finish(1);
      return;
    }
    stopping = true;
    if (core?.loading !== undefined) {
      // as redis-server's whileBlockedCron: prepareForShutdown(SHUTDOWN_NOSAVE), exit(0)
      logger.warning('Received shutdown signal during loading, scheduling shutdown.');
      logger.warning('User requested shutdown...');
      readyToExit();
      process.exit(0);
    }
    logger.warning(`Received ${signal} scheduling shutdown...`);
    if (!running) {
      finish(0);
      return;
    }
    // as redis-server's prepareForShutdown: save if save points are set, flush the AOF
    const error = running.server.persistence?.beforeShutdown(undefined, false);
    if (error) logger.warning(`${error} (exiting anyway)`);
    running
      .close()
      .then(() => {
        readyToExit();
        finish(0);
      })
      .catch((error: unknown) => {
        logger.warning(`Error during shutdown: ${(error as Error).message}`);
        finish(1);
      });
  };
  let pidFile: string | undefined = undefined;
  let exiting = false;
  const readyToExit = () => {
    if (exiting) return;
    exiting = true;
    removePidFile(pidFile, logger);
    logger.warning('byor is now ready to exit, bye bye...');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    running = await startServer({
      config,
      logger,
      // as redis-server: the logo and "Server initialized" before the data loads
      onListening: (server) => {
        core = server;
        const port = server.port;
        pidFile = writePidFile(config, logger);
        if (showsLogo(config)) logger.raw?.(startupLogo(port));
        else logger.notice(`Running mode=standalone, port=${port}.`);
        logger.notice('Server initialized');
      },
    });
  } catch (error) {
    // a data file's failure is logged already
    if (error instanceof Error && loggedErrors.has(error)) return 1;
    logger.warning(
      error instanceof ListenFailedError
        ? error.message
        : `Failed to start: ${(error as Error).message}`,
    );
    return 1;
  }
  if (stopping) {
    await running.close();
    return await finished;
  }
  logger.notice('Ready to accept connections tcp');
  running.closed.then(
    () => {
      // SHUTDOWN: its lines are logged by the server, these by the process
      readyToExit();
      finish(0);
    },
    () => finish(1),
  );
  return await finished;
}

/**
 * redisAsciiArt: the logo when the log goes to a terminal (no logfile, no syslog) or
 * always-show-logo says so; otherwise a "Running mode" line.
 */
function showsLogo(config: Config): boolean {
  return (
    config.bool('always-show-logo') ||
    (!config.bool('syslog-enabled') && config.string('logfile') === '' && process.stdout.isTTY)
  );
}

/** The start-up logo, with the lines redis-server's has beside it (mode, port, PID). */
function startupLogo(port: number): string {
  const art = [
    '  _',
    ' | |__  _   _  ___  _ __',
    " | '_ \\| | | |/ _ \\| '__|",
    ' | |_) | |_| | (_) | |',
    ' |_.__/ \\__, |\\___/|_|',
    '         |___/',
  ];
  const info = [
    '',
    `byor ${BYOR_VERSION} (redis ${CAPTURED_REDIS_VERSION} compatible) 64 bit`,
    '',
    'Running in standalone mode',
    `Port: ${port}`,
    `PID: ${process.pid}`,
  ];
  return `\n${art.map((line, i) => `${line.padEnd(32)}${info[i] ?? ''}`.trimEnd()).join('\n')}\n\n`;
}
