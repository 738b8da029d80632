/**
 * Every error reply the server sends, written once. Texts are redis-server 7's, byte for byte
 * (without the leading "-" and trailing CRLF, which the reply writer adds). Error replies are
 * values, not exceptions: handlers write them with `client.error(...)`.
 *
 * The classes at the bottom are real exceptions, for programmer and start-up faults
 * (a bad config file, a port in use).
 */
export const ReplyError = {
  SYNTAX: 'ERR syntax error',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  INCR_NAN_OR_INF: 'ERR increment would produce NaN or Infinity',
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  NO_SUCH_KEY: 'ERR no such key',
  DB_INDEX: 'ERR DB index is out of range',
  INVALID_DB: 'ERR invalid DB index',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  NOAUTH: 'NOAUTH Authentication required.',
  LOADING: 'LOADING Redis is loading the dataset in memory',
  WRONGPASS: 'WRONGPASS invalid username-password pair or user is disabled.',
  AUTH_NO_PASSWORD:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  NOPROTO: 'NOPROTO unsupported protocol version',
  OFFSET_RANGE: 'ERR offset is out of range',
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  CLIENT_NAME: 'ERR Client names cannot contain spaces, newlines or special characters.',
  NO_SUCH_CLIENT: 'ERR No such client',
  MAX_CLIENTS: 'ERR max number of clients reached',
  TIMEOUT_NEGATIVE: 'ERR timeout is negative',
  TIMEOUT_NOT_FLOAT: 'ERR timeout is not a float or out of range',
  TIMEOUT_OUT_OF_RANGE: 'ERR timeout is out of range',
  NESTED_MULTI: 'ERR MULTI calls can not be nested',
  EXEC_WITHOUT_MULTI: 'ERR EXEC without MULTI',
  DISCARD_WITHOUT_MULTI: 'ERR DISCARD without MULTI',
  WATCH_IN_MULTI: 'ERR WATCH inside MULTI is not allowed',
  EXECABORT: 'EXECABORT Transaction discarded because of previous errors.',
  NX_XX_GT_LT: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  GT_LT_NX: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  DEBUG_DISABLED:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  MODULE_DISABLED:
    'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  PUBSUB_CONTEXT:
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
} as const;

/** `ERR wrong number of arguments for 'get' command` (subcommands: 'config|get'). */
export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

/** Quotes an argument the way redis-server's error messages do (%.128s, newlines as spaces). */
function clip(text: string, max = 128): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` */
export function unknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${(argv[i] ?? '').slice(0, 128 - args.length)}' `;
  }
  return sanitize(
    `ERR unknown command '${clip(argv[0] ?? '')}', with args beginning with: ${args}`,
  );
}

/**
 * addReplySubcommandSyntaxError: `ERR unknown subcommand or wrong number of arguments for 'x'.
 * Try CMD HELP.`, the subcommand as typed (at most 128 characters), the command upper-cased.
 */
export function subcommandSyntaxError(argv: readonly string[]): string {
  return sanitize(
    `ERR unknown subcommand or wrong number of arguments for '${(argv[1] ?? '').slice(0, 128)}'. Try ${(argv[0] ?? '').toUpperCase()} HELP.`,
  );
}

/** `ERR unknown subcommand 'foo'. Try CONFIG HELP.` */
export function unknownSubcommand(command: string, subcommand: string): string {
  return sanitize(
    `ERR unknown subcommand '${clip(subcommand)}'. Try ${command.toUpperCase()} HELP.`,
  );
}

/** Error replies are one line: redis-server turns CR and LF inside them into spaces. */
export function sanitize(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]/g, ' ') : text;
}

const BRAND = Symbol.for('byor.server.error');

/** Base of the exceptions @byor/server throws (start-up and programmer faults). */
export class ByorServerError extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
  /** True for any @byor/server error, even one thrown by another copy of the package. */
  static isInstance(value: unknown): value is ByorServerError {
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}

/** A config file or command-line option redis-server would also refuse. */
export class ConfigError extends ByorServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BYOR_ERR_CONFIG', message, options);
  }
}

/**
 * Errors whose reason the server has logged already, as redis-server logs it before it exits
 * (a data file that does not load at start-up): byor-server then exits 1 without another line.
 */
export const loggedErrors = new WeakSet<object>();

/** No TCP listener could be made at start-up (its message is redis-server's log line). */
export class ListenFailedError extends ByorServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BYOR_ERR_LISTEN', message, options);
  }
}
