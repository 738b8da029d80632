/**
 * The typed results of {@link ReplyParser}: every RESP2 and RESP3 reply type as a JavaScript
 * value that `typeof`/`instanceof` tell apart.
 *
 * The frequent types are plain JavaScript values (a bulk string is a `string`, an integer a
 * `number`, an array an `Array`), so a reply costs no wrapper object; the types a client must
 * tell apart from those (a status from a bulk string, a double from an integer, an error from
 * a value) are small classes.
 */

/**
 * Any reply:
 *
 * | RESP | type | value |
 * |---|---|---|
 * | `+` simple string | {@link SimpleString} | `.value` |
 * | `-` error, `!` bulk error | {@link ErrorReply} | `.message`, `.bulk` |
 * | `:` integer | `number` (`bigint` outside ±2^53) | |
 * | `$` bulk string | `string` | |
 * | `*` array | `RespValue[]` | |
 * | `$-1`, `*-1`, `_` null | `null` | |
 * | `#` boolean | `boolean` | |
 * | `,` double | {@link RespDouble} | `.value` (inf, -inf, nan included) |
 * | `(` big number | {@link BigNumber} | `.value: bigint` |
 * | `=` verbatim string | {@link VerbatimString} | `.format`, `.text` |
 * | `%` map | `Map<RespValue, RespValue>` | |
 * | `~` set | `Set<RespValue>` | |
 * | `>` push | {@link Push} | `.values` |
 * | `\|` attribute | {@link AttributedValue} around the value that follows | `.attributes`, `.value` |
 */
export type RespValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | SimpleString
  | ErrorReply
  | RespDouble
  | BigNumber
  | VerbatimString
  | Push
  | AttributedValue
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>;

/**
 * A simple string reply (`+OK`). The common ones (OK, PONG, QUEUED) are shared instances.
 *
 * @example
 * ```ts
 * if (reply instanceof SimpleString && reply.value === 'OK') { ... }
 * ```
 */
export class SimpleString {
  /** The shared `+OK`. */
  static readonly OK: SimpleString;
  /** The shared `+PONG`. */
  static readonly PONG: SimpleString;
  /** The shared `+QUEUED`. */
  static readonly QUEUED: SimpleString;

  static {
    // `new this` rather than the class name, so that bundlers keep the class's name
    const shared = this as { OK: SimpleString; PONG: SimpleString; QUEUED: SimpleString };
    shared.OK = Object.freeze(new this('OK'));
    shared.PONG = Object.freeze(new this('PONG'));
    shared.QUEUED = Object.freeze(new this('QUEUED'));
  }

  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/**
 * An error reply (`-ERR ...`, or a RESP3 bulk error `!`), as a value: the parser returns it and
 * does not throw. `code` is the first word (ERR, WRONGTYPE, MOVED...).
 *
 * @example
 * ```ts
 * if (reply instanceof ErrorReply && reply.code === 'MOVED') { ... }
 * ```
 */
export class ErrorReply {
  constructor(
    /** the whole text, code included: "ERR unknown command 'x'" */
    readonly message: string,
    /** true for a RESP3 bulk error (`!`), false for a simple error (`-`) */
    readonly bulk: boolean = false,
  ) {}

  /** The first word of the message. O(message). */
  get code(): string {
    const space = this.message.indexOf(' ');
    return space === -1 ? this.message : this.message.slice(0, space);
  }

  toString(): string {
    return this.message;
  }
}

/**
 * A RESP3 double (`,3.14`), kept apart from integers. In RESP2, Redis sends doubles as bulk
 * strings, which the parser returns as strings.
 *
 * @example
 * ```ts
 * const score = reply instanceof RespDouble ? reply.value : Number(reply);
 * ```
 */
export class RespDouble {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }
}

/**
 * A RESP3 big number (`(3492890328409238509324850943850943825024385`).
 *
 * @example
 * ```ts
 * if (reply instanceof BigNumber) console.log(reply.value + 1n);
 * ```
 */
export class BigNumber {
  constructor(readonly value: bigint) {}

  valueOf(): bigint {
    return this.value;
  }
}

/**
 * A RESP3 verbatim string (`=15\r\ntxt:Some string`): text with a three-letter format.
 *
 * @example
 * ```ts
 * if (reply instanceof VerbatimString) process.stdout.write(reply.text);
 * ```
 */
export class VerbatimString {
  constructor(
    /** "txt" or "mkd" */
    readonly format: string,
    readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }
}

/**
 * A RESP3 push message (`>3\r\n...`): pub/sub messages, client-side caching invalidations.
 * It arrives between replies and answers no request.
 *
 * @example
 * ```ts
 * if (reply instanceof Push && reply.values[0] === 'message') onMessage(reply.values);
 * ```
 */
export class Push {
  constructor(readonly values: RespValue[]) {}
}

/**
 * A value preceded by RESP3 attributes (`|1\r\n...`): the attributes describe the value and are
 * not part of it.
 *
 * @example
 * ```ts
 * const plain = reply instanceof AttributedValue ? reply.value : reply;
 * ```
 */
export class AttributedValue {
  constructor(
    readonly attributes: Map<RespValue, RespValue>,
    readonly value: RespValue,
  ) {}
}
