/**
 * Every error @byor/protocol throws, in one place.
 *
 * Each class carries a stable `code`, a `Symbol.for` brand so that `isInstance()` answers
 * correctly even when two copies of the package are loaded, and accepts an ES2022 `{ cause }`.
 * Malformed input is a {@link ProtocolError}; a call the library cannot honour (an integer
 * reply of 1.5, a verbatim format of four letters) is an {@link InvalidArgumentError}.
 * Redis error *replies* (`-ERR ...`) are values, never exceptions: see `ErrorReply`.
 */

/**
 * The stable `code` of each error class.
 *
 * @example
 * ```ts
 * if ((error as { code?: string }).code === ErrorCodes.PROTOCOL) closeConnection();
 * ```
 */
export const ErrorCodes = {
  /** malformed bytes on the wire, or a limit exceeded: {@link ProtocolError} */
  PROTOCOL: 'BYOR_PROTOCOL_ERROR',
  /** an argument the library cannot encode: {@link InvalidArgumentError} */
  INVALID_ARGUMENT: 'BYOR_INVALID_ARGUMENT',
} as const;

/** One of the values of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const protocolErrorBrand = Symbol.for('@byor/protocol.ProtocolError');
const invalidArgumentErrorBrand = Symbol.for('@byor/protocol.InvalidArgumentError');

function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * Malformed input, or a declared size over a configured limit. Parsers throw it from `next()`
 * and keep throwing the same error until `reset()`: the stream cannot be resynchronised.
 *
 * For the RESP request parser the message is exactly the text redis-server 7.0 sends after
 * `-ERR `, so a server can reply `-ERR ${error.message}` and close the connection.
 *
 * @example
 * ```ts
 * try { parser.next(); } catch (error) {
 *   if (ProtocolError.isInstance(error)) socket.end(`-ERR ${error.message}\r\n`);
 * }
 * ```
 */
export class ProtocolError extends Error {
  /** {@link ErrorCodes.PROTOCOL} */
  readonly code: typeof ErrorCodes.PROTOCOL = ErrorCodes.PROTOCOL;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
  }

  /** True for a ProtocolError from any copy of this package. O(1). */
  static isInstance(value: unknown): value is ProtocolError {
    return hasBrand(value, protocolErrorBrand);
  }

  static {
    Object.defineProperty(this.prototype, protocolErrorBrand, { value: true });
  }
}

/**
 * An argument a writer or encoder cannot put on the wire: a non-integer passed as an integer
 * reply, a verbatim format that is not three bytes, a RESP3-only frame asked of a RESP2 writer.
 * A programmer fault, thrown synchronously by the call that received the argument.
 *
 * @example
 * ```ts
 * try { writer.integer(1.5); } catch (error) {
 *   InvalidArgumentError.isInstance(error); // true
 * }
 * ```
 */
export class InvalidArgumentError extends TypeError {
  /** {@link ErrorCodes.INVALID_ARGUMENT} */
  readonly code: typeof ErrorCodes.INVALID_ARGUMENT = ErrorCodes.INVALID_ARGUMENT;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidArgumentError';
  }

  /** True for an InvalidArgumentError from any copy of this package. O(1). */
  static isInstance(value: unknown): value is InvalidArgumentError {
    return hasBrand(value, invalidArgumentErrorBrand);
  }

  static {
    Object.defineProperty(this.prototype, invalidArgumentErrorBrand, { value: true });
  }
}
