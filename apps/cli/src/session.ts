/**
 * What running a command means in byor-cli, shared by the prompt and one-shot mode: connecting
 * (and reconnecting after a drop), sending, printing the reply in the chosen format, following
 * the state the prompt shows (database, MULTI), and the streaming commands (SUBSCRIBE, MONITOR)
 * that print until Ctrl-C.
 */
import { ErrorReply, Push, type RespValue } from '@byor/protocol';
import type { CliOptions } from './args.js';
import { CommandHelp, loadCommandHelp } from './command-help.js';
import { Connection } from './connection.js';
import { CliError, ConnectionClosedError } from './errors.js';
import { formatInvalidate, formatReply, OutputFormats, type OutputFormat } from './format.js';
import { Output, sleep, type CliIo } from './io.js';

/**
 * How a command ended ({@link Session.execute}).
 *
 * @example
 * ```ts
 * if ((await session.execute(['PING'])) === CommandOutcomes.DISCONNECTED) process.exitCode = 1;
 * ```
 */
export const CommandOutcomes = {
  /** a reply (even an error reply) was printed */
  DONE: 'done',
  /** the reply was an error and `-e` asks to stop */
  FAILED: 'failed',
  /** the connection could not be made or was lost */
  DISCONNECTED: 'disconnected',
} as const;

/** One of {@link CommandOutcomes}. */
export type CommandOutcome = (typeof CommandOutcomes)[keyof typeof CommandOutcomes];

/** Commands whose reply is printed raw even in the standard format (redis-cli's list). */
function printsRaw(argv: readonly string[]): boolean {
  const name = argv[0]!.toLowerCase();
  const sub = argv[1]?.toLowerCase();
  if (name === 'info' || name === 'lolwut') return true;
  if (argv.length >= 2) {
    if (
      name === 'debug' &&
      (sub === 'htstats' || sub === 'htstats-key' || sub === 'client-eviction')
    ) {
      return true;
    }
    if (name === 'memory' && (sub === 'malloc-stats' || sub === 'doctor')) return true;
    if (name === 'client' && (sub === 'list' || sub === 'info')) return true;
    if (name === 'proxy' && sub === 'info') return true;
  }
  if (argv.length === 2) {
    if (name === 'cluster' && (sub === 'nodes' || sub === 'info')) return true;
    if (name === 'latency' && sub === 'doctor') return true;
  }
  if (argv.length === 3 && name === 'latency' && sub === 'graph') return true;
  return false;
}

const STREAMING = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

/** Redirections a command follows in cluster mode (-c) before its error is shown. */
const MAX_REDIRECTS = 16;

/**
 * A connection plus everything the prompt and one-shot mode remember about it.
 *
 * @example
 * ```ts
 * const session = new Session(parseCliArgs(['-p', '6380']), processIo());
 * await session.connect();
 * await session.execute(['INCR', 'counter']); // prints (integer) 1
 * session.close();
 * ```
 */
export class Session {
  readonly options: CliOptions;
  readonly io: CliIo;
  readonly out: Output;
  readonly err: Output;
  /** The output format in use. */
  format: OutputFormat;
  /** Whether RESP3 pushes are printed. */
  showPushes: boolean;
  /** True for the prompt (and a script on stdin): errors do not end the program. */
  interactive = false;
  #connection: Connection | undefined = undefined;
  /** the database selected on the current connection */
  #db = 0;
  /** the database to select on the next connection */
  #wantedDb: number;
  #inMulti = false;
  #preMultiDb = 0;
  #abort: AbortController | undefined = undefined;
  #help: Promise<CommandHelp> | undefined = undefined;
  /** Where asynchronous output (pushes) goes; the prompt replaces it to redraw its line. */
  printAsync: (text: string) => void;

  constructor(options: CliOptions, io: CliIo) {
    this.options = options;
    this.io = io;
    this.out = new Output(io.stdout);
    this.err = new Output(io.stderr);
    // redis-cli's FAKETTY (its test suite sets it): format as for a terminal
    const terminal = io.stdout.isTTY === true || io.env['FAKETTY'] !== undefined;
    this.format = options.output ?? (terminal ? OutputFormats.STANDARD : OutputFormats.RAW);
    this.showPushes = options.showPushes ?? terminal;
    this.#wantedDb = options.db;
    this.printAsync = (text) => this.out.write(text);
  }

  /** The connection, if one is open. */
  get connection(): Connection | undefined {
    return this.#connection?.isOpen === true ? this.#connection : undefined;
  }

  /** The prompt: `127.0.0.1:6379[2](TX)> `, or `not connected> `. */
  prompt(): string {
    if (this.connection === undefined) return 'not connected> ';
    const { options } = this;
    let prompt =
      options.socket !== undefined
        ? `redis ${options.socket}`
        : `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
    if (this.#db !== 0) prompt += `[${this.#db}]`;
    if (this.#inMulti) prompt += '(TX)';
    return prompt + '> ';
  }

  /** Points the session at another server (the prompt's `connect host port`). */
  retarget(host: string, port: number): void {
    this.options.host = host;
    this.options.port = port;
    this.options.socket = undefined;
  }

  /**
   * Opens the connection (closing any previous one), printing redis-cli's error line on
   * failure unless `quiet`. Resolves true when connected.
   */
  async connect(quiet = false): Promise<boolean> {
    this.#connection?.close();
    this.#connection = undefined;
    this.#inMulti = false;
    this.#db = 0;
    const { options } = this;
    const json = this.format === OutputFormats.JSON || this.format === OutputFormats.QUOTED_JSON;
    const protocol = options.protocol ?? (json ? 3 : 2);
    try {
      const connection = await Connection.open({
        host: options.host,
        port: options.port,
        ...(options.socket !== undefined ? { socket: options.socket } : {}),
        ...(options.user !== undefined ? { user: options.user } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
        db: this.#wantedDb,
        protocol,
        requireProtocol: options.protocol === 3,
        wire: options.wire,
        onWarning: (line) => this.err.write(line + '\n'),
      });
      connection.onPush = (push) => this.#printPush(push);
      this.#connection = connection;
      this.#db = options.wire === 'resp' ? this.#wantedDb : 0;
      return true;
    } catch (error) {
      if (!quiet) this.err.write(messageOf(error) + '\n');
      return false;
    }
  }

  /** Closes the connection. */
  close(): void {
    this.#connection?.close();
    this.#connection = undefined;
    this.#abort?.abort();
  }

  /** Interrupts the running command (Ctrl-C): a stream stops, a blocked command is abandoned. */
  interrupt(): boolean {
    if (this.#abort === undefined) return false;
    this.#abort.abort();
    return true;
  }

  /** True while a command runs. */
  get busy(): boolean {
    return this.#abort !== undefined;
  }

  /** The command table for help, hints and completion (loaded once, from the server). */
  help(): Promise<CommandHelp> {
    if (this.#help === undefined) {
      if (this.options.wire === 'byor') {
        this.#help = Promise.resolve(CommandHelp.book());
      } else {
        this.#help = (async () => {
          if (this.connection === undefined && !(await this.connect(true))) {
            this.#help = undefined;
            return new CommandHelp([]);
          }
          try {
            return await loadCommandHelp((argv) => this.connection!.send(argv));
          } catch {
            this.#help = undefined;
            return new CommandHelp([]);
          }
        })();
      }
    }
    return this.#help;
  }

  #printPush(push: RespValue): void {
    if (!this.showPushes) return;
    if (this.format === OutputFormats.STANDARD && push instanceof Push) {
      const invalidate = formatInvalidate(push);
      if (invalidate !== undefined) {
        this.printAsync(invalidate);
        return;
      }
    }
    this.printAsync(this.#format(push, false));
  }

  #format(reply: RespValue, raw: boolean): string {
    if (raw)
      return formatReply(reply, OutputFormats.RAW, { ...this.#delimiters(), replyDelimiter: '' });
    return formatReply(reply, this.format, this.#delimiters());
  }

  #delimiters(): { bulkDelimiter: string; replyDelimiter: string } {
    return {
      bulkDelimiter: this.options.bulkDelimiter,
      replyDelimiter: this.options.replyDelimiter,
    };
  }

  /**
   * Runs a command `repeat` times (negative: until interrupted), `-i` apart, printing each
   * reply. Reconnects first when the connection was lost. O(replies).
   */
  async execute(argv: readonly string[], repeat = 1): Promise<CommandOutcome> {
    const name = argv[0]!.toLowerCase();
    const abort = new AbortController();
    this.#abort = abort;
    let redirects = 0;
    try {
      for (let run = 0; repeat < 0 || run < repeat; run++) {
        if (abort.signal.aborted) break;
        if (this.connection === undefined && !(await this.connect())) {
          return CommandOutcomes.DISCONNECTED;
        }
        const connection = this.connection!;
        if (STREAMING.has(name)) {
          const ended = await this.#stream(connection, argv, name === 'monitor', abort.signal);
          if (ended === 'closed') return CommandOutcomes.DISCONNECTED;
          // the connection was in subscriber or monitor mode: the prompt gets a fresh one
          if (this.interactive) await this.connect(true);
          if (ended === 'aborted') break;
          continue;
        }
        let reply: RespValue;
        try {
          reply = await raceAbort(connection.send(argv), abort.signal);
        } catch (error) {
          if (abort.signal.aborted) {
            // Ctrl-C during a blocking command: abandon it on a fresh connection
            await this.connect(true);
            return CommandOutcomes.DONE;
          }
          if (name === 'shutdown' && error instanceof ConnectionClosedError) {
            this.#connection = undefined;
            return CommandOutcomes.DONE;
          }
          this.err.write(`Error: ${messageOf(error)}\n`);
          this.#connection = undefined;
          if (this.interactive) await this.connect(true);
          return CommandOutcomes.DISCONNECTED;
        }
        if (reply instanceof ErrorReply && this.options.cluster && redirects < MAX_REDIRECTS) {
          const redirect = /^(MOVED|ASK) (\d+) (.+):(\d+)$/.exec(reply.message);
          if (redirect !== null) {
            redirects++;
            const [, kind, slot, host = '', port = '0'] = redirect;
            if (this.interactive)
              await this.out.writeAndDrain(
                `-> Redirected to slot [${slot}] located at ${host}:${port}\n`,
              );
            // cliSendCommand: the session moves to that node and the command is sent again,
            // after ASKING for an -ASK
            this.retarget(host, Number(port));
            if (!(await this.connect())) return CommandOutcomes.DISCONNECTED;
            if (kind === 'ASK' && (await this.connection!.send(['ASKING'])) instanceof ErrorReply)
              return CommandOutcomes.FAILED;
            run--;
            continue;
          }
        }
        if (reply instanceof ErrorReply && this.options.exitOnError && !this.interactive) {
          this.err.write(reply.message + '\n');
          return CommandOutcomes.FAILED;
        }
        await this.out.writeAndDrain(this.#format(reply, printsRaw(argv)));
        this.#follow(argv, reply, connection);
        if (this.options.interval > 0 && (repeat < 0 || run + 1 < repeat)) {
          await sleep(this.options.interval * 1000, abort.signal);
        }
      }
      return CommandOutcomes.DONE;
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
  }

  /** Keeps the prompt's state in step with what the command did (redis-cli's rules). */
  #follow(argv: readonly string[], reply: RespValue, connection: Connection): void {
    const name = argv[0]!.toLowerCase();
    const failed = reply instanceof ErrorReply;
    if (name === 'select' && argv.length === 2 && !failed) {
      this.#db = this.#wantedDb = Number.parseInt(argv[1]!, 10) || 0;
    } else if (name === 'multi' && argv.length === 1 && !failed) {
      this.#inMulti = true;
      this.#preMultiDb = this.#db;
    } else if (name === 'exec' && argv.length === 1 && this.#inMulti) {
      this.#inMulti = false;
      if (failed || reply === null) this.#db = this.#wantedDb = this.#preMultiDb;
    } else if (name === 'discard' && argv.length === 1 && !failed) {
      this.#inMulti = false;
      this.#db = this.#wantedDb = this.#preMultiDb;
    } else if (name === 'reset' && argv.length === 1 && !failed) {
      this.#inMulti = false;
      this.#db = this.#wantedDb = 0;
      connection.protocol = 2;
    } else if (name === 'hello' && argv.length >= 2 && !failed) {
      connection.protocol = argv[1] === '3' ? 3 : 2;
    }
  }

  /**
   * SUBSCRIBE / MONITOR: prints every message until Ctrl-C (`aborted`), an error reply
   * (`error`) or the end of the connection (`closed`). The connection is closed afterwards.
   */
  async #stream(
    connection: Connection,
    argv: readonly string[],
    monitor: boolean,
    signal: AbortSignal,
  ): Promise<'aborted' | 'error' | 'closed'> {
    if (!monitor && this.format !== OutputFormats.RAW) {
      await this.out.writeAndDrain('Reading messages... (press Ctrl-C to quit)\n');
    }
    const ended = await new Promise<'aborted' | 'error' | 'closed'>((resolve) => {
      const finish = (how: 'aborted' | 'error' | 'closed'): void => {
        signal.removeEventListener('abort', onAbort);
        connection.stream(undefined);
        resolve(how);
      };
      const onAbort = (): void => finish('aborted');
      connection.stream((message) => {
        this.out.write(this.#format(message, false));
        if (message instanceof ErrorReply) finish('error');
      });
      signal.addEventListener('abort', onAbort, { once: true });
      void connection.closed().then(() => finish('closed'));
      connection.write(connection.encode(argv));
    });
    if (ended === 'closed' && !signal.aborted) {
      this.err.write('Error: Server closed the connection\n');
    }
    connection.close();
    this.#connection = undefined;
    return ended;
  }
}

/**
 * The printable line of an error. O(1).
 *
 * @example
 * ```ts
 * messageOf(new ConnectError('Could not connect to Redis at 127.0.0.1:6379: Connection refused'));
 * ```
 */
export function messageOf(error: unknown): string {
  if (CliError.isInstance(error)) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Rejects when `signal` aborts, else settles as `promise` does. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
