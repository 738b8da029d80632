import { ByorServerError } from '../errors.js';

/**
 * The exceptions and the error replies of persistence. Replies are redis-server 7.0's texts, byte
 * for byte; exceptions carry a stable `code` and the `Symbol.for` brand of ByorServerError
 * (so `ByorServerError.isInstance()` recognises them across copies of the package).
 */
export const PersistenceReply = {
  BGSAVE_IN_PROGRESS: 'ERR Background save already in progress',
  BGSAVE_OTHER_CHILD:
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
  BGSAVE_STARTED: 'Background saving started',
  BGSAVE_SCHEDULED: 'Background saving scheduled',
  REWRITE_IN_PROGRESS: 'ERR Background append only file rewriting already in progress',
  REWRITE_SCHEDULED: 'Background append only file rewriting scheduled',
  REWRITE_STARTED: 'Background append only file rewriting started',
  REWRITE_FAILED:
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
  /** shared.err: a bare "-ERR" */
  GENERIC: 'ERR',
  BUSYKEY: 'BUSYKEY Target key name already exists.',
  BAD_PAYLOAD: 'ERR DUMP payload version or checksum are wrong',
  BAD_DATA_FORMAT: 'ERR Bad data format',
  INVALID_TTL: 'ERR Invalid TTL value, must be >= 0',
  INVALID_IDLETIME: 'ERR Invalid IDLETIME value, must be >= 0',
  INVALID_FREQ: 'ERR Invalid FREQ value, must be >= 0 and <= 255',
  MISCONF_RDB:
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
  SHUTDOWN_SAVE_FAILED: 'ERR Errors trying to SHUTDOWN. Check logs.',
} as const;

/** `MISCONF Errors writing to the AOF file: <reason>` */
export function misconfAof(reason: string): string {
  return `MISCONF Errors writing to the AOF file: ${reason}`;
}

/** Stable codes of the persistence exceptions. */
export const PersistenceErrorCode = {
  RDB_FORMAT: 'BYOR_ERR_RDB_FORMAT',
  RDB_CHECKSUM: 'BYOR_ERR_RDB_CHECKSUM',
  AOF_FORMAT: 'BYOR_ERR_AOF_FORMAT',
  AOF_TRUNCATED: 'BYOR_ERR_AOF_TRUNCATED',
  IO: 'BYOR_ERR_PERSISTENCE_IO',
} as const;
export type PersistenceErrorCode = (typeof PersistenceErrorCode)[keyof typeof PersistenceErrorCode];

/** Base of the persistence exceptions. */
export class PersistenceError extends ByorServerError {
  declare readonly code: PersistenceErrorCode;
  constructor(code: PersistenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * An RDB file or DUMP payload that cannot be decoded: a truncated file, an unknown type or
 * opcode, a malformed listpack, ziplist or intset.
 *
 * @example
 * ```ts
 * try { readRdb(bytes, sink); } catch (error) { if (RdbFormatError.isInstance(error)) ... }
 * ```
 */
export class RdbFormatError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.RDB_FORMAT, message, options);
  }
}

/** An RDB file whose CRC64 trailer does not match its content ("Wrong RDB checksum"). */
export class RdbChecksumError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.RDB_CHECKSUM, message, options);
  }
}

/** An AOF that is not a sequence of RESP commands ("Bad file format reading the append only file"). */
export class AofFormatError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.AOF_FORMAT, message, options);
  }
}

/**
 * An AOF manifest redis-server refuses to start with (aofLoadManifestFromFile): its reason, and
 * the line it is about when there is one.
 */
export class AofManifestError extends AofFormatError {
  readonly line: { readonly lineNumber: number; readonly line: string } | undefined;
  constructor(reason: string, line?: { lineNumber: number; line: string }) {
    super(reason);
    this.line = line;
  }

  /** The FATAL AOF MANIFEST FILE ERROR block redis-server logs before it exits. */
  logLines(): string[] {
    return [
      '\n*** FATAL AOF MANIFEST FILE ERROR ***\n',
      ...(this.line === undefined
        ? []
        : [
            `Reading the manifest file, at line ${this.line.lineNumber}\n`,
            `>>> '${this.line.line}'\n`,
          ]),
      `${this.message}\n`,
    ];
  }
}

/** An AOF that ends in the middle of a command, when aof-load-truncated is off or it is not the last file. */
export class AofTruncatedError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.AOF_TRUNCATED, message, options);
  }
}

/** A file that could not be read, written, synced or renamed. */
export class PersistenceIoError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.IO, message, options);
  }
}
