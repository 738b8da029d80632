/**
 * The prompt: `127.0.0.1:6379> `, with history kept across sessions, tab completion of command
 * names, grey argument hints from COMMAND DOCS (as redis-cli draws them), redis-cli's quoting
 * rules, `help`, `(TX)` inside MULTI, SUBSCRIBE and MONITOR until Ctrl-C, and reconnection
 * after a dropped connection. When stdin is not a terminal, the same commands are read line by
 * line without a prompt (a script).
 *
 * Built on node:readline, which gives line editing, history and completion; the hints are drawn
 * after readline has handled each key (and erased before the next one), since readline has none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { splitArgs } from '@byor/protocol';
import type { CommandHelp } from './command-help.js';
import { genericHelp } from './command-help.js';
import { OutputFormats } from './format.js';
import { toBytes } from './repr.js';
import type { Session } from './session.js';
import { BYOR_CLI_VERSION } from './version.js';

/** Most lines kept in the history file. */
const HISTORY_SIZE = 1000;

/**
 * Commands not written to the history file because they carry secrets (redis-cli's
 * `isSensitiveCommand`): AUTH, ACL SETUSER, CONFIG SET of a password, HELLO ... AUTH,
 * MIGRATE ... AUTH/AUTH2. O(arguments).
 *
 * @example
 * ```ts
 * isSensitiveCommand(['AUTH', 's3cret']); // true
 * ```
 */
export function isSensitiveCommand(argv: readonly string[]): boolean {
  const name = argv[0]?.toLowerCase();
  const at = (i: number): string => argv[i]?.toLowerCase() ?? '';
  if (name === 'auth') return true;
  if (name === 'acl' && at(1) === 'setuser') return true;
  if (name === 'config' && at(1) === 'set') {
    return ['masterauth', 'masteruser', 'requirepass'].includes(at(2));
  }
  if (name === 'hello' && argv.length > 4) {
    for (let j = 2; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (at(j) === 'auth' && more >= 2) return true;
      if (at(j) === 'setname' && more > 0) j++;
      else return false;
    }
  }
  if (name === 'migrate' && argv.length > 7) {
    for (let j = 6; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (at(j) === 'auth' && more > 0) return true;
      if (at(j) === 'auth2' && more >= 2) return true;
      if (at(j) === 'keys' && more > 0) return false;
    }
  }
  return false;
}

/** A dot-file: `$ENV_NAME` if set (`/dev/null` turns it off), else `~/<name>`. */
function dotFile(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  name: string,
): string | undefined {
  const override = env[variable];
  if (override !== undefined && override !== '')
    return override === '/dev/null' ? undefined : override;
  const home = env['HOME'] ?? homedir();
  return home === '' ? undefined : join(home, name);
}

function readLines(path: string | undefined): string[] {
  if (path === undefined) return [];
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** What one line of the prompt asks for. */
type LineResult = 'continue' | 'quit';

/** The prompt's handling of one line, shared by the terminal and script modes. */
class LineRunner {
  readonly #session: Session;
  hints = true;
  /** called with lines to add to the history (sensitive ones are not) */
  onHistory: (line: string, keep: boolean) => void = () => {};
  clearScreen: () => void = () => {};

  constructor(session: Session) {
    this.#session = session;
  }

  async run(line: string): Promise<LineResult> {
    const session = this.#session;
    const argv = splitArgs(Buffer.from(toBytes(line), 'latin1'));
    if (argv === undefined) {
      session.out.write('Invalid argument(s)\n');
      this.onHistory(line, true);
      return 'continue';
    }
    if (argv.length === 0) return 'continue';
    let repeat = 1;
    let skip = 0;
    if (argv.length > 1 && /^[-+]?\d+$/.test(argv[0]!)) {
      repeat = Number(argv[0]);
      if (!Number.isSafeInteger(repeat) || repeat <= 0) {
        session.out.write('Invalid byor-cli repeat command option value.\n');
        return 'continue';
      }
      skip = 1;
    }
    const command = argv.slice(skip);
    this.onHistory(line, !isSensitiveCommand(command));
    const name = command[0]!.toLowerCase();
    if (name === 'quit' || name === 'exit') return 'quit';
    if (name.startsWith(':')) {
      this.#preference(command, true);
      return 'continue';
    }
    if (name === 'connect' && command.length === 3) {
      session.retarget(command[1]!, Number.parseInt(command[2]!, 10) || 0);
      await session.connect();
      return 'continue';
    }
    if (name === 'clear' && command.length === 1) {
      this.clearScreen();
      return 'continue';
    }
    if (name === 'help' || name === '?') {
      if (command.length === 1) session.out.write(genericHelp(BYOR_CLI_VERSION));
      else session.out.write((await session.help()).describe(command.slice(1)));
      return 'continue';
    }
    const started = performance.now();
    await session.execute(command, repeat);
    const elapsed = performance.now() - started;
    if (elapsed >= 500 && session.format === OutputFormats.STANDARD) {
      session.out.write(`(${(elapsed / 1000).toFixed(2)}s)\n`);
    }
    return 'continue';
  }

  /** `:set hints` / `:set nohints`, from the prompt or ~/.byorclirc. */
  #preference(argv: readonly string[], interactive: boolean): void {
    const where = interactive ? '' : '.byorclirc: ';
    const out = this.#session.out;
    if (argv[0]!.toLowerCase() === ':set' && argv.length >= 2) {
      const value = argv[1]!.toLowerCase();
      if (value === 'hints') this.hints = true;
      else if (value === 'nohints') this.hints = false;
      else out.write(`${where}unknown byor-cli preference '${argv[1]!}'\n`);
    } else {
      out.write(`${where}unknown byor-cli internal command '${argv[0]!}'\n`);
    }
  }

  loadPreferences(path: string | undefined): void {
    for (const line of readLines(path)) {
      const argv = splitArgs(Buffer.from(line, 'utf8'));
      if (argv !== undefined && argv.length > 0) this.#preference(argv, false);
    }
  }
}

/**
 * Runs the prompt (or a script from a non-terminal stdin) until `quit`, Ctrl-D or Ctrl-C on an
 * empty line, and resolves with the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runRepl(new Session(parseCliArgs([]), processIo()));
 * ```
 */
export async function runRepl(session: Session): Promise<number> {
  session.interactive = true;
  await session.connect();
  const runner = new LineRunner(session);
  if (session.io.stdin.isTTY !== true) return runScript(session, runner);
  return runTerminal(session, runner);
}

/** Commands from a non-terminal stdin, one per line, no prompt. */
async function runScript(session: Session, runner: LineRunner): Promise<number> {
  const lines = createInterface({ input: session.io.stdin, terminal: false, crlfDelay: Infinity });
  const onSignal = (): void => {
    if (!session.interrupt()) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  try {
    for await (const line of lines) {
      if ((await runner.run(line)) === 'quit') break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    lines.close();
    session.close();
  }
  return 0;
}

/** The interactive prompt on a terminal. */
async function runTerminal(session: Session, runner: LineRunner): Promise<number> {
  const { io } = session;
  const stdout = io.stdout;
  const historyPath = dotFile(io.env, 'BYORCLI_HISTFILE', '.byorcli_history');
  runner.loadPreferences(dotFile(io.env, 'BYORCLI_RCFILE', '.byorclirc'));
  let help: CommandHelp | undefined;
  void session.help().then((loaded) => {
    help = loaded;
  });

  const rl: Interface = createInterface({
    input: io.stdin,
    output: stdout,
    terminal: true,
    history: readLines(historyPath).slice(-HISTORY_SIZE).reverse(),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: false,
    tabSize: 4,
    completer: (line: string): [string[], string] => [help?.complete(line) ?? [], line],
  });
  // readline keeps its history newest first; it is not in @types/node
  const history = (rl as unknown as { history: string[] }).history;

  runner.onHistory = (line, keep) => {
    if (!keep && history[0] === line) history.shift();
    if (historyPath === undefined) return;
    try {
      writeFileSync(historyPath, [...history].reverse().join('\n') + '\n', { mode: 0o600 });
    } catch {
      // a history that cannot be saved is not worth stopping for
    }
  };
  runner.clearScreen = () => stdout.write('\x1b[H\x1b[2J');

  // Hints: drawn after readline has handled a key, erased before it handles the next one.
  let hintShown = false;
  let running = false;
  const clearHint = (): void => {
    if (hintShown) {
      stdout.write('\x1b[0K');
      hintShown = false;
    }
  };
  const showHint = (): void => {
    if (running || !runner.hints || help === undefined) return;
    const line = rl.line;
    if (rl.cursor !== line.length || line.length === 0) return;
    const hint = help.hint(toBytes(line));
    if (hint === undefined || hint.trim() === '') return;
    const used = rl.getPrompt().length + line.length;
    const room = (stdout.columns ?? 80) - used - 1;
    if (room <= 0) return; // the line wraps: no room for a hint
    const shown = hint.slice(0, room);
    stdout.write(`\x1b[0;90;49m${shown}\x1b[0m\x1b[${shown.length}D`);
    hintShown = true;
  };
  io.stdin.prependListener('keypress', clearHint);
  io.stdin.on('keypress', showHint);

  // Pushes arriving while the prompt waits: print above the line being typed, then redraw it.
  session.printAsync = (text) => {
    if (running) {
      session.out.write(text);
      return;
    }
    clearHint();
    stdout.write('\r\x1b[0K');
    session.out.write(text);
    rl.prompt(true);
  };

  const queue: string[] = [];
  let closed = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const showPrompt = (): void => {
    rl.setPrompt(session.prompt());
    rl.prompt();
  };

  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    while (queue.length > 0) {
      const line = queue.shift()!;
      if ((await runner.run(line)) === 'quit') {
        closed = true;
        break;
      }
    }
    running = false;
    if (closed) {
      rl.close();
      finish(0);
      return;
    }
    showPrompt();
  };

  rl.on('line', (line) => {
    queue.push(line);
    void pump();
  });
  rl.on('SIGINT', () => {
    if (session.interrupt()) return;
    if (rl.line.length > 0) {
      clearHint();
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      return;
    }
    closed = true;
    rl.close();
  });
  rl.on('close', () => {
    closed = true;
    if (!running) finish(0);
  });

  showPrompt();
  const code = await done;
  io.stdin.off('keypress', clearHint);
  io.stdin.off('keypress', showHint);
  session.close();
  return code;
}
