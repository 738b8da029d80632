/**
 * One exchange with a server (redis-server, the oracle of @byor/test-oracle): raw bytes in, the
 * raw reply out.
 */
import net from 'node:net';

/**
 * Sends `bytes` on a new connection and collects what comes back: stops when the connection is
 * closed, or when at least `expectedLength` bytes arrived and nothing more came for `settleMs`.
 */
export async function exchange(
  port: number,
  bytes: Uint8Array,
  expectedLength: number,
  settleMs = 30,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    let settle: NodeJS.Timeout | undefined;
    const hardStop = setTimeout(() => finish(false), 2_000);
    let finished = false;
    function finish(closed: boolean): void {
      if (finished) return;
      finished = true;
      clearTimeout(hardStop);
      if (settle) clearTimeout(settle);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    }
    function arm(): void {
      if (settle) clearTimeout(settle);
      if (received >= expectedLength) settle = setTimeout(() => finish(false), settleMs);
    }
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      received += data.length;
      arm();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error) => {
      if (!finished) reject(error);
    });
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
  });
}
