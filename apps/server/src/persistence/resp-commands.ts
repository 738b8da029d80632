import { formatDouble } from '@byor/protocol';
import type { Value } from '../values.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSet } from '../types/zset.js';
import type { ByteWriter } from './byte-writer.js';
import { RdbFormatError } from './errors.js';
import { pluginForValue } from './rdb-plugins.js';

/**
 * Commands in the AOF's own format: RESP arrays of bulk strings, as redis-server's
 * catAppendOnlyGenericCommand writes them (`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`), and the
 * commands an AOF rewrite writes for a value (rewriteAppendOnlyFileRio: SET, RPUSH, SADD, ZADD
 * and HMSET in batches of 64 items, then PEXPIREAT).
 */

/** AOF_REWRITE_ITEMS_PER_CMD */
const ITEMS_PER_COMMAND = 64;

/**
 * Appends one command in RESP. O(bytes).
 *
 * @example
 * ```ts
 * writeCommand(out, ['SET', 'k', 'v']); // *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n
 * ```
 */
export function writeCommand(out: ByteWriter, argv: readonly string[]): void {
  out.latin1(`*${argv.length}\r\n`);
  for (const arg of argv) {
    out.latin1(`$${arg.length}\r\n`);
    out.latin1(arg);
    out.byte(13);
    out.byte(10);
  }
}

/**
 * The propagated writes as redis-server sends them to the AOF and to replicas: a SELECT before a
 * write in another database than the last one, MULTI before a transaction's first write and EXEC
 * after its last (a transaction that wrote nothing leaves nothing).
 *
 * @example
 * ```ts
 * const stream = new CommandStream();
 * stream.feed(out, 1, ['SET', 'k', 'v']); // SELECT 1, then SET k v
 * stream.transaction(out, true); // nothing yet
 * stream.feed(out, 1, ['INCR', 'n']); // MULTI, INCR n
 * stream.transaction(out, false); // EXEC
 * ```
 */
export class CommandStream {
  /** the database of the last write (-1: the next write names its database) */
  selectedDb = -1;
  #inMulti = false;
  #multiWritten = false;

  /** Appends a write to `out`, after the SELECT and MULTI it needs. O(bytes). */
  feed(out: ByteWriter, dbIndex: number, argv: readonly string[]): void {
    if (dbIndex !== this.selectedDb) {
      writeCommand(out, ['SELECT', String(dbIndex)]);
      this.selectedDb = dbIndex;
    }
    if (this.#inMulti && !this.#multiWritten) {
      writeCommand(out, ['MULTI']);
      this.#multiWritten = true;
    }
    writeCommand(out, argv);
  }

  /**
   * A transaction starts (true) or ends (false); at the end, EXEC goes to `out` (when given) if
   * the transaction wrote anything. Returns whether it did.
   */
  transaction(out: ByteWriter | undefined, start: boolean): boolean {
    if (start) {
      this.#inMulti = true;
      this.#multiWritten = false;
      return false;
    }
    this.#inMulti = false;
    if (!this.#multiWritten) return false;
    this.#multiWritten = false;
    if (out !== undefined) writeCommand(out, ['EXEC']);
    return true;
  }
}

/**
 * Appends the commands that recreate `key` (and its TTL) in an AOF rewrite. O(n).
 *
 * @example
 * ```ts
 * writeValueCommands(out, 'l', ListValue.from(['a', 'b']), 1700000000000);
 * // RPUSH l a b, then PEXPIREAT l 1700000000000
 * ```
 */
export function writeValueCommands(
  out: ByteWriter,
  key: string,
  value: Value,
  expireAt: number | undefined,
): void {
  if (typeof value === 'string') {
    writeCommand(out, ['SET', key, value]);
  } else if (value instanceof ListValue) {
    batched(out, 'RPUSH', key, value.toArray(), 1);
  } else if (value instanceof SetValue) {
    batched(out, 'SADD', key, value.members(), 1);
  } else if (value instanceof ZSet) {
    const items: string[] = [];
    value.forEach((member, score) => {
      items.push(formatDouble(score), member);
    });
    batched(out, 'ZADD', key, items, 2);
  } else if (value instanceof HashValue) {
    batched(out, 'HMSET', key, value.pairs(), 2);
  } else {
    const plugin = pluginForValue(value.type);
    if (!plugin) throw new RdbFormatError(`no AOF rewrite for values of type ${value.type}`);
    for (const argv of plugin.commands(key, value)) writeCommand(out, argv);
  }
  if (expireAt !== undefined) writeCommand(out, ['PEXPIREAT', key, String(expireAt)]);
}

/** `name key item...` commands of at most 64 items (`stride` strings per item). */
function batched(
  out: ByteWriter,
  name: string,
  key: string,
  items: readonly string[],
  stride: number,
): void {
  const perCommand = ITEMS_PER_COMMAND * stride;
  for (let from = 0; from < items.length; from += perCommand) {
    const to = Math.min(items.length, from + perCommand);
    const argv = new Array<string>(2 + to - from);
    argv[0] = name;
    argv[1] = key;
    for (let i = from; i < to; i++) argv[2 + i - from] = items[i] as string;
    writeCommand(out, argv);
  }
}
