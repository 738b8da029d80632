/**
 * Every error @byor/eventloop throws. Each class has a stable `code`, and a `Symbol.for` brand so
 * that `isInstance()` answers correctly even when two copies of the package are loaded.
 *
 * Limits reached by a client (max clients, query buffer, output buffer, idle) are not errors:
 * the connection is closed and `onClose` receives a {@link CloseReason}.
 *
 * @packageDocumentation
 */

const brand = Symbol.for('@byor/eventloop/error');

/**
 * The stable codes of {@link EventLoopError}s.
 *
 * @example
 * ```ts
 * if (EventLoopError.isInstance(error) && error.code === EventLoopErrorCode.CLOSED) return;
 * ```
 */
export const EventLoopErrorCode = {
  /** The loop or the timer service was closed: no new listener, timer or connection. */
  CLOSED: 'BYOR_EVENTLOOP_CLOSED',
  /** An option has a value out of its range. */
  INVALID_OPTION: 'BYOR_EVENTLOOP_INVALID_OPTION',
  /** A listener could not bind its address (the `cause` is the system error). */
  LISTEN_FAILED: 'BYOR_EVENTLOOP_LISTEN_FAILED',
  /** A connection's frame handler threw; the connection was closed (the `cause` is the throw). */
  HANDLER_FAILED: 'BYOR_EVENTLOOP_HANDLER_FAILED',
  /** `checkInvariants()` of an internal structure found an inconsistency. */
  INVARIANT: 'BYOR_EVENTLOOP_INVARIANT',
} as const;

/** One of the values of {@link EventLoopErrorCode}. */
export type EventLoopErrorCode = (typeof EventLoopErrorCode)[keyof typeof EventLoopErrorCode];

/**
 * The base class of every error this package throws.
 *
 * @example
 * ```ts
 * try { await loop.listen({ port: 6379 }, handlers); }
 * catch (error) { if (EventLoopError.isInstance(error)) console.error(error.code, error.cause); }
 * ```
 */
export class EventLoopError extends Error {
  /** A stable machine-readable code, one of {@link EventLoopErrorCode}. */
  readonly code: EventLoopErrorCode;

  constructor(code: EventLoopErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for any {@link EventLoopError}, from this copy of the package or another one. O(1). */
  static isInstance(value: unknown): value is EventLoopError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

/**
 * Thrown when the loop (or its timer service) is used after `close()`.
 *
 * @example
 * ```ts
 * await loop.close();
 * await loop.listen({ port: 0 }, handlers); // rejects with ClosedError
 * ```
 */
export class ClosedError extends EventLoopError {
  constructor(what: string, options?: ErrorOptions) {
    super(EventLoopErrorCode.CLOSED, `${what} is closed`, options);
  }

  /** True for a {@link ClosedError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is ClosedError {
    return EventLoopError.isInstance(value) && value.code === EventLoopErrorCode.CLOSED;
  }
}

/**
 * Thrown when an option is out of range (a negative limit, a zero cron interval...).
 *
 * @example
 * ```ts
 * new EventLoop({ maxClients: -1 }); // throws InvalidOptionError
 * ```
 */
export class InvalidOptionError extends EventLoopError {
  constructor(name: string, value: unknown, expected: string, options?: ErrorOptions) {
    super(
      EventLoopErrorCode.INVALID_OPTION,
      `${name} must be ${expected}, got ${String(value)}`,
      options,
    );
  }

  /** True for an {@link InvalidOptionError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is InvalidOptionError {
    return EventLoopError.isInstance(value) && value.code === EventLoopErrorCode.INVALID_OPTION;
  }
}

/**
 * Rejects `listen()` when the address cannot be bound; `cause` is the system error
 * (EADDRINUSE, EACCES...).
 *
 * @example
 * ```ts
 * await loop.listen({ port: 80 }, handlers).catch((error) => console.error(error.cause));
 * ```
 */
export class ListenError extends EventLoopError {
  constructor(address: string, options?: ErrorOptions) {
    super(EventLoopErrorCode.LISTEN_FAILED, `cannot listen on ${address}`, options);
  }

  /** True for a {@link ListenError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is ListenError {
    return EventLoopError.isInstance(value) && value.code === EventLoopErrorCode.LISTEN_FAILED;
  }
}

/**
 * Given to the loop's `onError` when a frame handler (or a batch hook) throws: the connection is
 * closed and `cause` is what was thrown. Without `onError` it is rethrown (an uncaught exception).
 *
 * @example
 * ```ts
 * new EventLoop({ onError: (error) => logger.error(error.cause) });
 * ```
 */
export class HandlerError extends EventLoopError {
  /** The id of the connection whose handler threw. */
  readonly connectionId: number;

  constructor(connectionId: number, options?: ErrorOptions) {
    super(
      EventLoopErrorCode.HANDLER_FAILED,
      `the handler of connection ${connectionId} threw`,
      options,
    );
    this.connectionId = connectionId;
  }

  /** True for a {@link HandlerError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is HandlerError {
    return EventLoopError.isInstance(value) && value.code === EventLoopErrorCode.HANDLER_FAILED;
  }
}

/**
 * Thrown by the `checkInvariants()` of an internal structure (for tests).
 *
 * @example
 * ```ts
 * list.checkInvariants(); // throws InvariantError when the links are broken
 * ```
 */
export class InvariantError extends EventLoopError {
  constructor(message: string, options?: ErrorOptions) {
    super(EventLoopErrorCode.INVARIANT, message, options);
  }

  /** True for an {@link InvariantError} from any copy of the package. O(1). */
  static override isInstance(value: unknown): value is InvariantError {
    return EventLoopError.isInstance(value) && value.code === EventLoopErrorCode.INVARIANT;
  }
}
