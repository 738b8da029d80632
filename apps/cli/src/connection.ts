/**
 * One connection to a server, as byor-cli uses it: RESP2/RESP3 (or the book's binary protocol),
 * the handshake redis-cli does (AUTH, SELECT, HELLO 3), replies matched to commands in order,
 * RESP3 pushes set aside, and a streaming mode for SUBSCRIBE, MONITOR and --pipe in which every
 * reply goes to one callback.
 *
 * Arguments and replies are latin1 strings (one char per byte), so any bytes go through: a
 * binary value read with `-x`, a key typed with `\xff`, a reply printed byte for byte.
 */
import { connect as netConnect, type Socket } from 'node:net';
import {
  BinaryErrorCodes,
  BinaryErrorReply,
  BinaryReplyParser,
  ErrorReply,
  Push,
  ReplyParser,
  encodeBinaryRequest,
  encodeCommand,
  type BinaryValue,
  type RespValue,
} from '@byor/protocol';
import {
  ConnectError,
  ConnectionClosedError,
  HandshakeError,
  ReplyProtocolError,
} from './errors.js';

/**
 * Options of {@link Connection.open}.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { host: 'cache', port: 6380, password: 's3cret', db: 2, protocol: 3 };
 * ```
 */
export interface ConnectionOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 6379. */
  port?: number;
  /** A unix socket path, used instead of host and port. */
  socket?: string;
  /** ACL user name: `AUTH user password`. */
  user?: string;
  /** Sends `AUTH [user] password` first when set. */
  password?: string;
  /** Sends `SELECT db` when not 0. Default 0. */
  db?: number;
  /** 3 sends `HELLO 3`. Default 2. */
  protocol?: 2 | 3;
  /** When HELLO 3 fails: true (default) rejects with HandshakeError, false stays on RESP2. */
  requireProtocol?: boolean;
  /** `resp` (default) or `byor`: the book's binary protocol (no handshake). */
  wire?: 'resp' | 'byor';
  /** Milliseconds allowed for the TCP connection. Default 10,000. */
  connectTimeout?: number;
  /** Called with a line worth telling the user (a HELLO 3 that failed but was optional). */
  onWarning?: (line: string) => void;
}

/**
 * A callback that receives every reply, in streaming mode ({@link Connection.stream}).
 *
 * @example
 * ```ts
 * const print: ReplyHandler = (reply) => process.stdout.write(formatReply(reply, 'raw'));
 * ```
 */
export type ReplyHandler = (reply: RespValue) => void;

interface Pending {
  resolve: (reply: RespValue) => void;
  reject: (error: Error) => void;
}

/** Node's error codes as the C library words them (what redis-cli prints). */
const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
};

/**
 * The one-line reason of a system error (a socket's, a file's), worded as the C library words
 * it. O(1).
 *
 * @example
 * ```ts
 * socketErrorReason(Object.assign(new Error(), { code: 'ECONNREFUSED' })); // 'Connection refused'
 * ```
 */
export function socketErrorReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && REASONS[code] !== undefined) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

/** Why an open connection failed, in redis-cli's words where it has some. */
function closedReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') return 'Server closed the connection';
  return socketErrorReason(error);
}

const BINARY_CODE_NAMES = new Map<number, string>(
  Object.entries(BinaryErrorCodes).map(([name, code]) => [code, name]),
);

/**
 * A binary-protocol value as the RESP value byor-cli prints: ERR becomes an {@link ErrorReply}
 * named after the book's code (`BAD_TYPE expect zset`). O(size of the value).
 *
 * @example
 * ```ts
 * fromBinaryValue(new BinaryErrorReply(4, 'expect fp number')); // ErrorReply('BAD_ARGUMENT expect fp number')
 * ```
 */
export function fromBinaryValue(value: BinaryValue): RespValue {
  if (value instanceof BinaryErrorReply) {
    const name = BINARY_CODE_NAMES.get(value.code) ?? `ERR${value.code}`;
    return new ErrorReply(`${name} ${value.message}`);
  }
  if (Array.isArray(value)) return value.map(fromBinaryValue);
  return value;
}

/**
 * A connection to a Redis-compatible server.
 *
 * @example
 * ```ts
 * const connection = await Connection.open({ port: 6379, protocol: 3 });
 * await connection.send(['SET', 'greeting', 'hello']); // SimpleString { value: 'OK' }
 * await connection.send(['GET', 'greeting']);          // 'hello'
 * connection.close();
 * ```
 */
export class Connection {
  readonly #socket: Socket;
  readonly #wire: 'resp' | 'byor';
  readonly #parser: ReplyParser | undefined;
  readonly #binaryParser: BinaryReplyParser | undefined;
  readonly #pending: Pending[] = [];
  #stream: ReplyHandler | undefined = undefined;
  /**
   * Replies still owed, when streaming began, to commands sent before it: the server answers in
   * order, so they come first and go to their senders, not to the stream (the prompt's COMMAND
   * DOCS, sent in the background, can still be on its way when the user types SUBSCRIBE).
   */
  #owedBeforeStream = 0;
  #closed = false;
  #closeError: Error | undefined = undefined;
  #protocol: 2 | 3 = 2;
  readonly #closeWaiters: (() => void)[] = [];
  readonly #onReply = (reply: RespValue): void => this.#dispatch(reply);
  /** Receives RESP3 push messages (and replies nobody waits for) outside streaming mode. */
  onPush: ((push: RespValue) => void) | undefined = undefined;
  /** Called once when the connection closes, with the socket error if there was one. */
  onClose: ((error: Error | undefined) => void) | undefined = undefined;

  private constructor(socket: Socket, wire: 'resp' | 'byor') {
    this.#socket = socket;
    this.#wire = wire;
    if (wire === 'resp') {
      this.#parser = new ReplyParser({ encoding: 'latin1' });
      this.#binaryParser = undefined;
    } else {
      this.#parser = undefined;
      this.#binaryParser = new BinaryReplyParser({ encoding: 'latin1' });
    }
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => {
      this.#closeError ??= new ConnectionClosedError(closedReason(error), { cause: error });
    });
    // the server's FIN: nothing more will come, and writing now would fail
    socket.on('end', () => {
      socket.destroy();
      this.#handleClose();
    });
    socket.on('close', () => this.#handleClose());
  }

  /**
   * Connects and runs the handshake: `AUTH [user] password`, `SELECT db`, `HELLO 3`, in the
   * order redis-cli sends them. Rejects with {@link ConnectError} when the server cannot be
   * reached and {@link HandshakeError} when a step is refused; the messages are redis-cli's.
   * O(1) round trips.
   *
   * @example
   * ```ts
   * try {
   *   await Connection.open({ port: 6390 });
   * } catch (error) {
   *   console.error(error.message); // Could not connect to Redis at 127.0.0.1:6390: Connection refused
   * }
   * ```
   */
  static async open(options: ConnectionOptions = {}): Promise<Connection> {
    const wire = options.wire ?? 'resp';
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 6379;
    const where = options.socket ?? `${host}:${port}`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const attempt =
        options.socket !== undefined
          ? netConnect({ path: options.socket })
          : netConnect({ host, port });
      const timer = setTimeout(() => {
        attempt.destroy();
        reject(new ConnectError(`Could not connect to Redis at ${where}: Connection timed out`));
      }, options.connectTimeout ?? 10_000);
      attempt.once('connect', () => {
        clearTimeout(timer);
        attempt.removeAllListeners('error');
        resolve(attempt);
      });
      attempt.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new ConnectError(`Could not connect to Redis at ${where}: ${socketErrorReason(error)}`, {
            cause: error,
          }),
        );
      });
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    const connection = new Connection(socket, wire);
    if (wire === 'byor') return connection;
    try {
      await connection.#handshake(options);
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  async #handshake(options: ConnectionOptions): Promise<void> {
    if (options.password !== undefined) {
      const argv =
        options.user !== undefined
          ? ['AUTH', options.user, options.password]
          : ['AUTH', options.password];
      const reply = await this.send(argv.map((arg) => Buffer.from(arg, 'utf8').toString('latin1')));
      if (reply instanceof ErrorReply) {
        throw new HandshakeError('AUTH', `AUTH failed: ${reply.message}`);
      }
    }
    const db = options.db ?? 0;
    if (db !== 0) {
      const reply = await this.send(['SELECT', String(db)]);
      if (reply instanceof ErrorReply) {
        throw new HandshakeError('SELECT', `SELECT ${db} failed: ${reply.message}`);
      }
    }
    if (options.protocol === 3) {
      const reply = await this.send(['HELLO', '3']);
      if (reply instanceof ErrorReply) {
        const line = `HELLO 3 failed: ${reply.message}`;
        if (options.requireProtocol ?? true) throw new HandshakeError('HELLO', line);
        options.onWarning?.(line);
      } else {
        this.#protocol = 3;
      }
    }
  }

  /** The protocol in use: 3 after a successful HELLO 3, else 2. */
  get protocol(): 2 | 3 {
    return this.#protocol;
  }

  /** Sets the protocol after a HELLO the user sent. */
  set protocol(version: 2 | 3) {
    this.#protocol = version;
  }

  /** `resp` or `byor`. */
  get wire(): 'resp' | 'byor' {
    return this.#wire;
  }

  /** False once the connection has closed. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Replies awaited. O(1). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The underlying socket (for backpressure: `writableNeedDrain`, `'drain'`). */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Encodes a command in the connection's protocol. O(total length).
   *
   * @example
   * ```ts
   * connection.write(connection.encode(['PING']));
   * ```
   */
  encode(args: readonly (string | Uint8Array)[]): Buffer {
    return this.#wire === 'resp'
      ? encodeCommand(args, 'latin1')
      : encodeBinaryRequest(args, 'latin1');
  }

  /**
   * Sends one command and resolves with its reply (an {@link ErrorReply} for `-ERR`, never a
   * rejection for it); rejects with {@link ConnectionClosedError} if the connection closes
   * first. O(command + reply).
   *
   * @example
   * ```ts
   * const reply = await connection.send(['INCR', 'counter']); // 1
   * ```
   */
  send(args: readonly (string | Uint8Array)[]): Promise<RespValue> {
    if (this.#closed) {
      return Promise.reject(this.#closeError ?? new ConnectionClosedError());
    }
    return new Promise<RespValue>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#socket.write(this.encode(args));
    });
  }

  /**
   * Sends commands in one write (a pipeline) and resolves with their replies in order.
   * O(commands + replies).
   *
   * @example
   * ```ts
   * const [type, size] = await connection.sendMany([['TYPE', 'k'], ['STRLEN', 'k']]);
   * ```
   */
  sendMany(commands: readonly (readonly (string | Uint8Array)[])[]): Promise<RespValue[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (this.#closed) {
      return Promise.reject(this.#closeError ?? new ConnectionClosedError());
    }
    const replies = commands.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.#pending.push({ resolve, reject });
        }),
    );
    this.#socket.write(Buffer.concat(commands.map((command) => this.encode(command))));
    return Promise.all(replies);
  }

  /**
   * Writes bytes as they are (already encoded commands: `--pipe`, or a command sent in
   * streaming mode). Returns false when the socket's buffer is full: wait for `'drain'`. O(1).
   *
   * @example
   * ```ts
   * connection.stream((reply) => print(reply));
   * connection.write(connection.encode(['SUBSCRIBE', 'news']));
   * ```
   */
  write(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    return this.#socket.write(bytes);
  }

  /**
   * Streaming mode: every reply and push goes to `handler` until `stream(undefined)`, but for the
   * replies to commands sent before (awaited `send`s), which still go to them. Used for
   * SUBSCRIBE, MONITOR and --pipe, where replies are not matched to commands. O(1).
   *
   * @example
   * ```ts
   * connection.stream((message) => console.log(message));
   * connection.write(connection.encode(['MONITOR']));
   * ```
   */
  stream(handler: ReplyHandler | undefined): void {
    this.#stream = handler;
    this.#owedBeforeStream = handler === undefined ? 0 : this.#pending.length;
  }

  /**
   * Closes the connection; awaited replies reject with {@link ConnectionClosedError}. O(pending).
   *
   * @example
   * ```ts
   * connection.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closeError ??= new ConnectionClosedError('Connection closed');
    this.#socket.destroy();
    this.#handleClose();
  }

  /** Resolves once the connection has closed (at once if it has). */
  closed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  /**
   * Hands the socket over (for `--rdb`, whose SYNC stream is not made of replies): the
   * connection stops reading it and counts as closed. Call it with no reply awaited. O(1).
   *
   * @example
   * ```ts
   * const socket = connection.detach();
   * socket.write('SYNC\r\n');
   * ```
   */
  detach(): Socket {
    this.#socket.removeAllListeners('data');
    this.#socket.removeAllListeners('close');
    this.#closed = true;
    return this.#socket;
  }

  #receive(chunk: Buffer): void {
    try {
      if (this.#parser !== undefined) {
        this.#parser.push(chunk);
        this.#parser.drain(this.#onReply);
      } else {
        const parser = this.#binaryParser!;
        parser.push(chunk);
        for (let reply = parser.next(); reply !== undefined; reply = parser.next()) {
          this.#dispatch(fromBinaryValue(reply));
        }
      }
    } catch (error) {
      this.#closeError = new ReplyProtocolError(
        error instanceof Error ? error.message : String(error),
        { cause: error },
      );
      this.#socket.destroy();
      this.#handleClose();
    }
  }

  #dispatch(reply: RespValue): void {
    const isPush = reply instanceof Push;
    if (this.#stream !== undefined) {
      if (isPush || this.#owedBeforeStream === 0) {
        this.#stream(reply);
        return;
      }
      this.#owedBeforeStream--;
    }
    const pending = isPush ? undefined : this.#pending.shift();
    if (pending !== undefined) pending.resolve(reply);
    else this.onPush?.(reply);
  }

  #handleClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = this.#closeError ?? new ConnectionClosedError();
    for (const pending of this.#pending.splice(0)) pending.reject(error);
    this.onClose?.(this.#closeError);
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }
}
