/**
 * The client side of the book's binary protocol: a request.
 *
 *     u32 total_len | u32 nstr | nstr x (u32 len | len bytes)      (little-endian)
 */
import { FRAME_HEADER_BYTES } from './binary-protocol.js';
import { asFastBuffer } from './bytes.js';

/**
 * Encodes a request of the book's binary protocol. O(total length).
 *
 * @param args - the command and its arguments; strings are encoded with `encoding`
 * @param encoding - 'utf8' (default) or 'latin1' (strings holding bytes)
 *
 * @example
 * ```ts
 * socket.write(encodeBinaryRequest(['zadd', 'z', '1.5', 'member']));
 * ```
 */
export function encodeBinaryRequest(
  args: readonly (string | Uint8Array)[],
  encoding: 'utf8' | 'latin1' = 'utf8',
): Buffer {
  const latin1 = encoding === 'latin1';
  const lengths = new Array<number>(args.length);
  let body = 4;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const size =
      typeof arg === 'string' ? (latin1 ? arg.length : Buffer.byteLength(arg, 'utf8')) : arg.length;
    lengths[i] = size;
    body += 4 + size;
  }
  const buffer = asFastBuffer(Buffer.allocUnsafe(FRAME_HEADER_BYTES + body));
  buffer.writeUInt32LE(body, 0);
  buffer.writeUInt32LE(args.length, 4);
  let at = 8;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const size = lengths[i]!;
    buffer.writeUInt32LE(size, at);
    at += 4;
    if (typeof arg !== 'string') buffer.set(arg, at);
    else if (latin1) buffer.latin1Write(arg, at, size);
    else buffer.utf8Write(arg, at, size);
    at += size;
  }
  return buffer;
}
