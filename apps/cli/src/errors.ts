/**
 * Every error @byor/cli throws, in one place.
 *
 * Each class carries a stable `code`, a `Symbol.for` brand so that `isInstance()` answers
 * correctly even when two copies of the package are loaded, and accepts an ES2022 `{ cause }`.
 * Their messages are the one line the command prints before it exits (redis-cli's wording where
 * redis-cli has one: `Could not connect to Redis at 127.0.0.1:6379: Connection refused`).
 * Redis error *replies* (`-ERR ...`) are values, not exceptions: see `ErrorReply`.
 */

/** The stable `code` of each error class. */
export const CliErrorCodes = {
  /** a bad command-line flag or value: {@link UsageError} */
  USAGE: 'BYOR_CLI_USAGE',
  /** the TCP or unix-socket connection could not be made: {@link ConnectError} */
  CONNECT: 'BYOR_CLI_CONNECT',
  /** AUTH, SELECT or HELLO was refused while connecting: {@link HandshakeError} */
  HANDSHAKE: 'BYOR_CLI_HANDSHAKE',
  /** the server closed the connection or the socket failed: {@link ConnectionClosedError} */
  CONNECTION_CLOSED: 'BYOR_CLI_CONNECTION_CLOSED',
  /** the server sent bytes that are not RESP: {@link ReplyProtocolError} */
  PROTOCOL: 'BYOR_CLI_PROTOCOL',
  /** no reply within the time allowed: {@link TimeoutError} */
  TIMEOUT: 'BYOR_CLI_TIMEOUT',
  /** a latency histogram's data is inconsistent: {@link InvalidHistogramError} */
  INVALID_HISTOGRAM: 'BYOR_CLI_INVALID_HISTOGRAM',
} as const;

/** One of the values of {@link CliErrorCodes}. */
export type CliErrorCode = (typeof CliErrorCodes)[keyof typeof CliErrorCodes];

const brand = Symbol.for('@byor/cli.CliError');

/**
 * The base class of every error @byor/cli throws.
 *
 * @example
 * ```ts
 * try { await Connection.open({ port: 6390 }); } catch (error) {
 *   if (CliError.isInstance(error)) console.error(error.message); // one line, ready to print
 * }
 * ```
 */
export class CliError extends Error {
  /** One of {@link CliErrorCodes}. */
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'CliError';
  }

  /** True for a CliError (any subclass) from any copy of this package. O(1). */
  static isInstance(value: unknown): value is CliError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true
    );
  }

  static {
    Object.defineProperty(this.prototype, brand, { value: true });
  }
}

/**
 * A bad flag or flag value on the command line. The message is the line to print.
 *
 * @example
 * ```ts
 * parseCliArgs(['-p', 'x']); // throws UsageError: Invalid server port.
 * ```
 */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CliErrorCodes.USAGE, message, options);
    this.name = 'UsageError';
  }
}

/**
 * The connection could not be opened: `Could not connect to Redis at host:port: <reason>`.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectError) console.error(error.message);
 * ```
 */
export class ConnectError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CliErrorCodes.CONNECT, message, options);
    this.name = 'ConnectError';
  }
}

/**
 * The server refused a step of the handshake: `AUTH failed: WRONGPASS ...`,
 * `SELECT 99 failed: ERR DB index is out of range`, `HELLO 3 failed: ...`.
 *
 * @example
 * ```ts
 * if (error instanceof HandshakeError && error.step === 'AUTH') askForPassword();
 * ```
 */
export class HandshakeError extends CliError {
  constructor(
    /** the command that failed */
    readonly step: 'AUTH' | 'SELECT' | 'HELLO',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(CliErrorCodes.HANDSHAKE, message, options);
    this.name = 'HandshakeError';
  }
}

/**
 * The connection closed (by the server, the network, or `close()`) while replies were awaited.
 *
 * @example
 * ```ts
 * connection.send(['GET', 'k']).catch((error) => {
 *   if (error instanceof ConnectionClosedError) reconnect();
 * });
 * ```
 */
export class ConnectionClosedError extends CliError {
  constructor(message = 'Server closed the connection', options?: { cause?: unknown }) {
    super(CliErrorCodes.CONNECTION_CLOSED, message, options);
    this.name = 'ConnectionClosedError';
  }
}

/**
 * The server sent bytes that do not parse as a reply; the connection is closed.
 *
 * @example
 * ```ts
 * if (error instanceof ReplyProtocolError) console.error(`Error: ${error.message}`);
 * ```
 */
export class ReplyProtocolError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CliErrorCodes.PROTOCOL, message, options);
    this.name = 'ReplyProtocolError';
  }
}

/**
 * No reply came within the time allowed (`--pipe-timeout`, the connect timeout).
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) process.exitCode = 1;
 * ```
 */
export class TimeoutError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CliErrorCodes.TIMEOUT, message, options);
    this.name = 'TimeoutError';
  }
}

/**
 * A latency histogram built from bad data, or whose bookkeeping broke (`checkInvariants()`).
 *
 * @example
 * ```ts
 * new LatencyHistogram({ counts: new Uint32Array(3), count: 0, min: 0, max: 0, total: 0 }); // throws
 * ```
 */
export class InvalidHistogramError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CliErrorCodes.INVALID_HISTOGRAM, message, options);
    this.name = 'InvalidHistogramError';
  }
}
