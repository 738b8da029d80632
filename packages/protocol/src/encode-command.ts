/**
 * The client side of RESP requests: a command as the multibulk array every client sends.
 *
 *     *<argc>\r\n  then per argument  $<byte length>\r\n<bytes>\r\n
 */
import { CR, LF, RESP_TYPES, decimalLength, writeHeader, type FastBuffer } from './bytes.js';
import { InvalidArgumentError } from './errors.js';

/** How {@link encodeCommand} turns string arguments into bytes. */
export type CommandEncoding = 'utf8' | 'latin1';

/**
 * Encodes one command as a RESP multibulk request. O(total length).
 *
 * @param args - the command name and its arguments; strings are encoded with `encoding`,
 *   byte arrays are sent as they are
 * @param encoding - 'utf8' (default: text typed by people) or 'latin1' (strings holding bytes,
 *   as {@link RequestParser} and {@link splitArgs} produce them)
 *
 * @example
 * ```ts
 * socket.write(encodeCommand(['SET', 'greeting', 'héllo']));
 * // *3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$6\r\nhéllo\r\n
 * ```
 */
export function encodeCommand(
  args: readonly (string | Uint8Array)[],
  encoding: CommandEncoding = 'utf8',
): Buffer {
  const count = args.length;
  if (count === 0) throw new InvalidArgumentError('a command has at least one argument');
  const latin1 = encoding === 'latin1';
  const lengths = new Array<number>(count);
  let size = 3 + decimalLength(count);
  for (let i = 0; i < count; i++) {
    const arg = args[i]!;
    const length =
      typeof arg === 'string' ? (latin1 ? arg.length : Buffer.byteLength(arg, 'utf8')) : arg.length;
    lengths[i] = length;
    size += 5 + decimalLength(length) + length;
  }
  const buffer = Buffer.allocUnsafe(size) as FastBuffer;
  let at = writeHeader(buffer, 0, RESP_TYPES.ARRAY, count);
  for (let i = 0; i < count; i++) {
    const arg = args[i]!;
    const length = lengths[i]!;
    at = writeHeader(buffer, at, RESP_TYPES.BULK_STRING, length);
    if (typeof arg !== 'string') buffer.set(arg, at);
    else if (latin1) buffer.latin1Write(arg, at, length);
    else buffer.utf8Write(arg, at, length);
    at += length;
    buffer[at++] = CR;
    buffer[at++] = LF;
  }
  return buffer;
}
