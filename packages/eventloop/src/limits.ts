/**
 * The limits a loop enforces on its clients, named after redis.conf: maxclients,
 * client-query-buffer-limit, client-output-buffer-limit, timeout.
 */
import { InvalidOptionError } from './errors.js';

/**
 * The output classes of Redis's client-output-buffer-limit: the server sets a connection's class
 * (SUBSCRIBE makes it `pubsub`, REPLCONF a `replica`) and the class picks its limits.
 *
 * @example
 * ```ts
 * connection.outputClass = OutputClass.PUBSUB;
 * ```
 */
export const OutputClass = {
  NORMAL: 'normal',
  PUBSUB: 'pubsub',
  REPLICA: 'replica',
} as const;

/** One of the values of {@link OutputClass}. */
export type OutputClass = (typeof OutputClass)[keyof typeof OutputClass];

/**
 * One line of client-output-buffer-limit: a client whose pending output exceeds `hardBytes`,
 * or stays above `softBytes` for more than `softSeconds`, is disconnected. 0 disables a limit.
 *
 * @example
 * ```ts
 * const replica: OutputBufferLimit = { hardBytes: 256 << 20, softBytes: 64 << 20, softSeconds: 60 };
 * ```
 */
export interface OutputBufferLimit {
  readonly hardBytes: number;
  readonly softBytes: number;
  readonly softSeconds: number;
}

/**
 * Redis's defaults: `normal 0 0 0`, `replica 256mb 64mb 60`, `pubsub 32mb 8mb 60`.
 *
 * @example
 * ```ts
 * DEFAULT_OUTPUT_BUFFER_LIMITS.pubsub.hardBytes; // 33554432
 * ```
 */
export const DEFAULT_OUTPUT_BUFFER_LIMITS: Readonly<Record<OutputClass, OutputBufferLimit>> = {
  normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
  replica: { hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSeconds: 60 },
  pubsub: { hardBytes: 32 * 1024 * 1024, softBytes: 8 * 1024 * 1024, softSeconds: 60 },
};

/**
 * Why a connection closed, given to `onClose`.
 *
 * @example
 * ```ts
 * onClose(connection, reason) { if (reason === CloseReason.IDLE) stats.idleKills++; }
 * ```
 */
export const CloseReason = {
  /** The client closed its side (EOF) or reset the connection. */
  PEER: 'peer',
  /** A socket error other than a reset (the error is passed along). */
  ERROR: 'error',
  /** The decoder threw on malformed input. */
  PROTOCOL_ERROR: 'protocol-error',
  /** The frame handler (or the batch hook) threw. */
  HANDLER_ERROR: 'handler-error',
  /** The query buffer grew past client-query-buffer-limit. */
  QUERY_BUFFER_LIMIT: 'query-buffer-limit',
  /** Pending output passed the hard limit, or the soft limit for too long. */
  OUTPUT_BUFFER_LIMIT: 'output-buffer-limit',
  /** No interaction for longer than the idle timeout. */
  IDLE: 'idle',
  /** The application closed it (`close()` or `closeAfterFlush()`: QUIT, CLIENT KILL). */
  SERVER: 'server',
  /** The loop is shutting down. */
  SHUTDOWN: 'shutdown',
} as const;

/** One of the values of {@link CloseReason}. */
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

/**
 * The limits that can change while the loop runs (CONFIG SET), all optional.
 *
 * @example
 * ```ts
 * loop.configure({ maxClients: 20_000, idleTimeout: 300_000 });
 * ```
 */
export interface LoopLimits {
  /** maxclients: connected clients across all listeners. Default 10000. */
  readonly maxClients?: number;
  /** client-query-buffer-limit: bytes a client's decoder may hold. Default 1 GiB. */
  readonly queryBufferLimit?: number;
  /** timeout, in milliseconds: close clients idle longer. 0 = never (the default). */
  readonly idleTimeout?: number;
  /** client-output-buffer-limit per output class. Default {@link DEFAULT_OUTPUT_BUFFER_LIMITS}. */
  readonly outputBufferLimits?: Partial<Record<OutputClass, OutputBufferLimit>>;
  /**
   * Pending output (bytes) above which the loop stops reading a client's input until its
   * output drains: a client that does not read its replies stops being served. 0 = never pause.
   * Default 1 MiB.
   */
  readonly readPauseBytes?: number;
}

/** Resolved limits, every field present. @internal */
export interface ResolvedLimits {
  maxClients: number;
  queryBufferLimit: number;
  idleTimeout: number;
  outputBufferLimits: Record<OutputClass, OutputBufferLimit>;
  readPauseBytes: number;
}

/** @internal */
export function defaultLimits(): ResolvedLimits {
  return {
    maxClients: 10000,
    queryBufferLimit: 1024 * 1024 * 1024,
    idleTimeout: 0,
    outputBufferLimits: { ...DEFAULT_OUTPUT_BUFFER_LIMITS },
    readPauseBytes: 1024 * 1024,
  };
}

function checkCount(name: string, value: number | undefined, minimum: number): void {
  if (value === undefined) return;
  if (!(value >= minimum) || !Number.isFinite(value)) {
    throw new InvalidOptionError(name, value, `a finite number >= ${minimum}`);
  }
}

/** Validates `changes` and applies them to `limits`. @internal */
export function applyLimits(limits: ResolvedLimits, changes: LoopLimits): void {
  checkCount('maxClients', changes.maxClients, 1);
  checkCount('queryBufferLimit', changes.queryBufferLimit, 1);
  checkCount('idleTimeout', changes.idleTimeout, 0);
  checkCount('readPauseBytes', changes.readPauseBytes, 0);
  const classes = changes.outputBufferLimits ?? {};
  for (const [name, limit] of Object.entries(classes) as [OutputClass, OutputBufferLimit][]) {
    if (!(name in DEFAULT_OUTPUT_BUFFER_LIMITS)) {
      throw new InvalidOptionError('outputBufferLimits', name, 'normal, pubsub or replica');
    }
    checkCount(`outputBufferLimits.${name}.hardBytes`, limit.hardBytes, 0);
    checkCount(`outputBufferLimits.${name}.softBytes`, limit.softBytes, 0);
    checkCount(`outputBufferLimits.${name}.softSeconds`, limit.softSeconds, 0);
  }
  if (changes.maxClients !== undefined) limits.maxClients = changes.maxClients;
  if (changes.queryBufferLimit !== undefined) limits.queryBufferLimit = changes.queryBufferLimit;
  if (changes.idleTimeout !== undefined) limits.idleTimeout = changes.idleTimeout;
  if (changes.readPauseBytes !== undefined) limits.readPauseBytes = changes.readPauseBytes;
  for (const [name, limit] of Object.entries(classes) as [OutputClass, OutputBufferLimit][]) {
    limits.outputBufferLimits[name] = {
      hardBytes: limit.hardBytes,
      softBytes: limit.softBytes,
      softSeconds: limit.softSeconds,
    };
  }
}
