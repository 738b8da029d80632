/**
 * The typed results of {@link BinaryReplyParser}: the values of the book's binary protocol.
 */
import type { RespDouble } from './resp-value.js';

/**
 * Any response value: NIL `null`, ERR {@link BinaryErrorReply}, STR `string`, INT `number`
 * (`bigint` outside ±(2^53-1)), DBL {@link RespDouble} (kept apart from integers), ARR an array.
 */
export type BinaryValue =
  null | string | number | bigint | RespDouble | BinaryErrorReply | BinaryValue[];

/**
 * An ERR response: one of the book's codes (1 unknown command, 2 too big, 3 bad type, 4 bad
 * argument; see `BinaryErrorCodes`) and a message. A value, not an exception.
 *
 * @example
 * ```ts
 * if (reply instanceof BinaryErrorReply) console.log(`(err) ${reply.code} ${reply.message}`);
 * ```
 */
export class BinaryErrorReply {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}

  toString(): string {
    return this.message;
  }
}
