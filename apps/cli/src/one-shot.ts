/**
 * `byor-cli [flags] CMD arg...`: the command given on the command line, `-r` times `-i` apart,
 * with `-x` / `-X` arguments read from stdin.
 */
import { readFileSync } from 'node:fs';
import { splitArgs } from '@byor/protocol';
import { genericHelp } from './command-help.js';
import { socketErrorReason } from './connection.js';
import { readAll } from './io.js';
import { toBytes } from './repr.js';
import { CommandOutcomes, type Session } from './session.js';
import { BYOR_CLI_VERSION } from './version.js';

/**
 * The command line's arguments as bytes (latin1 strings), `--quoted-input` applied; undefined
 * when one is not a single quoted string (getSdsArrayFromArgv).
 */
export function commandArguments(
  command: readonly string[],
  quoted: boolean,
): string[] | undefined {
  if (!quoted) return command.map(toBytes);
  const out: string[] = [];
  for (const arg of command) {
    const parts = splitArgs(Buffer.from(arg, 'utf8'));
    if (parts?.length !== 1) return undefined;
    out.push(parts[0]!);
  }
  return out;
}

/**
 * `--eval <file> key ... , arg ...` (redis-cli's evalMode): EVAL of the file's script with the
 * arguments before a lone `,` as its keys, the others as its arguments. Returns the message of a
 * file that cannot be read.
 */
export function evalCommand(file: string, args: readonly string[]): string[] | string {
  let script: string;
  try {
    script = readFileSync(file, 'latin1');
  } catch (error) {
    return `Can't open file '${file}': ${socketErrorReason(error)}\n`;
  }
  const comma = args.indexOf(',');
  const keys = comma === -1 ? args : args.slice(0, comma);
  const rest = comma === -1 ? [] : [...args.slice(comma + 1)];
  return ['EVAL', script, String(keys.length), ...keys, ...rest];
}

/**
 * Runs the command line's command and resolves with the exit status: 0, or 1 when the server
 * cannot be reached or (with `-e`) the command failed.
 *
 * @example
 * ```ts
 * const code = await runCommand(new Session(parseCliArgs(['INCR', 'c']), processIo()));
 * ```
 */
export async function runCommand(session: Session): Promise<number> {
  const { options, io } = session;
  const parsed = commandArguments(options.command, options.quotedInput);
  if (parsed === undefined) {
    // as redis-cli: on stdout, exit status 1
    session.out.write('Invalid quoted string\n');
    return 1;
  }
  let argv = parsed;
  if (options.evalFile !== undefined) {
    const command = evalCommand(options.evalFile, argv);
    if (typeof command === 'string') {
      session.err.write(command);
      return 1;
    }
    argv = command;
  }
  if (options.stdinLastArg) {
    argv.push((await readAll(io.stdin)).toString('latin1'));
  } else if (options.stdinTag !== undefined) {
    const at = argv.indexOf(toBytes(options.stdinTag));
    if (at === -1) {
      session.err.write('Using -X option but stdin tag not match.\n');
      return 1;
    }
    argv[at] = (await readAll(io.stdin)).toString('latin1');
  }
  const name = argv[0]!.toLowerCase();
  if (name === 'help' || name === '?') {
    if (argv.length === 1) {
      session.out.write(genericHelp(BYOR_CLI_VERSION));
    } else {
      const help = await session.help();
      session.out.write(help.describe(argv.slice(1)));
    }
    return 0;
  }
  if (!(await session.connect())) return 1;
  const onSignal = (): void => {
    if (!session.interrupt()) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  try {
    const outcome = await session.execute(argv, options.repeat);
    return outcome === CommandOutcomes.DONE ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    session.close();
  }
}
