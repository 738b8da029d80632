/**
 * byor-cli's entry point: reads the command line and runs the mode it asks for.
 */
import { splitArgs } from '@byor/protocol';
import { CliModes, parseCliArgs, USAGE, type CliOptions } from './args.js';
import { runBench } from './bench/run.js';
import { UsageError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { runHotKeys } from './modes/hot-keys.js';
import { runIntrinsicLatency } from './modes/intrinsic-latency.js';
import { runKeysReport } from './modes/keys-report.js';
import { runLatency } from './modes/latency.js';
import { runPipe } from './modes/pipe.js';
import { runRdb, runReplica } from './modes/rdb.js';
import { runScan } from './modes/scan.js';
import { runStat } from './modes/stat.js';
import { runCommand } from './one-shot.js';
import { runRepl } from './repl.js';
import { Session } from './session.js';
import { BYOR_CLI_VERSION } from './version.js';

/** `--quoted-pattern` and friends: one argument with the prompt's quoting rules. */
function splitLine(line: string): string[] | undefined {
  return splitArgs(Buffer.from(line, 'utf8'));
}

/** Reads a password from the terminal without echoing it (`--askpass`). */
async function askPassword(io: CliIo): Promise<string> {
  io.stderr.write('Please input password: ');
  const stdin = io.stdin;
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode!(true);
  let password = '';
  try {
    for await (const chunk of stdin) {
      const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      let finished = false;
      for (const c of text) {
        if (c === '\r' || c === '\n') {
          finished = true;
          break;
        }
        if (c === '\u0003') throw new UsageError('Interrupted.');
        if (c === '\u007f' || c === '\b') {
          if (password.length > 0) {
            password = password.slice(0, -1);
            io.stderr.write('\b \b');
          }
        } else {
          password += c;
          if (raw) io.stderr.write('*');
        }
      }
      if (finished) break;
    }
  } finally {
    if (raw) stdin.setRawMode!(false);
    io.stderr.write('\n');
  }
  return password;
}

/**
 * Runs byor-cli with the given arguments and resolves with its exit status. The command line is
 * redis-cli's (see `byor-cli --help`); `io` defaults to the real process.
 *
 * @example
 * ```ts
 * import { main } from '@byor/cli';
 * process.exitCode = await main(['-p', '6380', 'SET', 'greeting', 'hello']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv, io.env, splitLine);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(error.message + '\n');
      return 1;
    }
    throw error;
  }
  if (options.mode === CliModes.HELP) {
    io.stdout.write(`byor-cli ${BYOR_CLI_VERSION}\n\n${USAGE}`);
    return 0;
  }
  if (options.mode === CliModes.VERSION) {
    io.stdout.write(`byor-cli ${BYOR_CLI_VERSION}\n`);
    return 0;
  }
  if (options.mode === CliModes.BENCH) return runBench(options.bench!, io);
  const fromEnvironment = io.env['BYORCLI_AUTH'] ?? io.env['REDISCLI_AUTH'];
  if (options.askPassword) {
    try {
      options.password = await askPassword(io);
    } catch (error) {
      io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  } else if (
    options.password !== undefined &&
    options.password !== fromEnvironment &&
    !options.noAuthWarning
  ) {
    io.stderr.write(
      "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n",
    );
  }
  const session = new Session(options, io);
  try {
    switch (options.mode) {
      case CliModes.COMMAND:
        return await runCommand(session);
      case CliModes.REPL:
        return await runRepl(session);
      case CliModes.PIPE:
        return await runPipe(session);
      case CliModes.SCAN:
        return await runScan(session);
      case CliModes.BIGKEYS:
        return await runKeysReport(session, false);
      case CliModes.MEMKEYS:
        return await runKeysReport(session, true);
      case CliModes.HOTKEYS:
        return await runHotKeys(session);
      case CliModes.LATENCY:
        return await runLatency(session, false);
      case CliModes.LATENCY_HISTORY:
        return await runLatency(session, true);
      case CliModes.STAT:
        return await runStat(session);
      case CliModes.INTRINSIC_LATENCY:
        return await runIntrinsicLatency(session, options.intrinsicSeconds);
      case CliModes.RDB:
        return await runRdb(session);
      case CliModes.FUNCTIONS_RDB:
        return await runRdb(session, true);
      case CliModes.REPLICA:
        return await runReplica(session);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(error.message + '\n');
      return 1;
    }
    throw error;
  } finally {
    session.close();
  }
}
