import { connect, type Socket } from 'node:net';

/**
 * A replica's view of a master, for comparing what two servers propagate: it sends SYNC, skips
 * the RDB the master sends first (and the newlines it may send while it makes one), then reads
 * the command stream, one array of arguments per command. The master's own pings (its
 * repl-ping-replica-period) are left out: when they come is timing.
 */
export class ReplicationStream {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  /** bytes of the RDB still to skip; undefined until its `$<length>` header is read */
  #rdbLeft: number | undefined;
  #commands: string[][] = [];
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket, port: number) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      try {
        this.#parse();
      } catch (error) {
        this.#error = error as Error;
      }
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#error ??= new Error(`the master (port ${port}) closed the replication link`);
      this.#wake?.();
    });
  }

  /** Connects to the server at `port` and starts a full sync (SYNC: a disk RDB, then commands). */
  static open(port: number, host = '127.0.0.1'): Promise<ReplicationStream> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.write('SYNC\r\n');
        resolve(new ReplicationStream(socket, port));
      });
    });
  }

  #parse(): void {
    if (this.#rdbLeft === undefined) {
      let at = 0;
      while (this.#buffer[at] === 0x0a) at++;
      const lineEnd = this.#buffer.indexOf('\r\n', at);
      if (lineEnd < 0) {
        this.#buffer = this.#buffer.subarray(at);
        return;
      }
      const header = this.#buffer.toString('latin1', at, lineEnd);
      if (!/^\$\d+$/.test(header)) throw new Error(`not an RDB transfer: ${header}`);
      this.#rdbLeft = Number(header.slice(1));
      this.#buffer = this.#buffer.subarray(lineEnd + 2);
    }
    if (this.#rdbLeft > 0) {
      const skipped = Math.min(this.#rdbLeft, this.#buffer.length);
      this.#rdbLeft -= skipped;
      this.#buffer = this.#buffer.subarray(skipped);
      if (this.#rdbLeft > 0) return;
    }
    for (;;) {
      const parsed = parseCommand(this.#buffer);
      if (parsed === undefined) return;
      this.#buffer = this.#buffer.subarray(parsed.end);
      if (parsed.argv.length !== 1 || parsed.argv[0] !== 'ping') this.#commands.push(parsed.argv);
    }
  }

  /** Resolves once the RDB has been received (the master then streams its writes). */
  async synced(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#rdbLeft !== 0) {
      if (this.#error) throw this.#error;
      if (Date.now() > deadline) throw new Error('no RDB from the master');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * The commands received since the last call, up to and including the first that `last`
   * matches; waits for it (at most `timeoutMs`).
   */
  async until(last: (argv: readonly string[]) => boolean, timeoutMs = 5000): Promise<string[][]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#error) throw this.#error;
      const end = this.#commands.findIndex(last);
      if (end >= 0) return this.#commands.splice(0, end + 1);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no end of the stream after ${JSON.stringify(this.#commands)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** One multibulk command at the start of `buf` and where it ends, or undefined when partial. */
function parseCommand(buf: Buffer): { argv: string[]; end: number } | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0x2a) throw new Error(`not a command: ${buf.toString('latin1', 0, 40)}`);
  let lineEnd = buf.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const count = Number(buf.toString('latin1', 1, lineEnd));
  const argv: string[] = [];
  let at = lineEnd + 2;
  for (let i = 0; i < count; i++) {
    lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const length = Number(buf.toString('latin1', at + 1, lineEnd));
    const start = lineEnd + 2;
    if (buf.length < start + length + 2) return undefined;
    argv.push(buf.toString('latin1', start, start + length));
    at = start + length + 2;
  }
  return { argv, end: at };
}

/** An absolute time in ms (PXAT, PEXPIREAT), or a stream ID made of one, and its time. */
function timeOf(arg: string): number | undefined {
  const match = /^(\d{12,14})(?:-\d+)?$/.exec(arg);
  return match ? Number(match[1]) : undefined;
}

/**
 * A RESTORE's DUMP payload of a set or a hash kept in a hash table (RDB types 2 and 4): its
 * elements are in the server's hash order, which differs between two processes.
 */
function hashOrderPayload(argv: readonly string[], index: number): boolean {
  const type = argv[3]?.charCodeAt(0);
  return argv[0] === 'RESTORE' && index === 3 && (type === 2 || type === 4);
}

/**
 * Two servers' streams, compared: the same commands with the same arguments, except that
 * absolute times (PXAT, PEXPIREAT, a stream ID from the clock) may differ by `toleranceMs` (the
 * two servers ran the command at different moments) and that payloads in hash order only need
 * the same length. Returns a description of the first difference, or undefined.
 */
export function streamDifference(
  a: readonly (readonly string[])[],
  b: readonly (readonly string[])[],
  toleranceMs = 2000,
): string | undefined {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    const same =
      x !== undefined &&
      y !== undefined &&
      x.length === y.length &&
      x.every((arg, j) => {
        const other = y[j] ?? '';
        if (arg === other) return true;
        if (hashOrderPayload(x, j) && hashOrderPayload(y, j)) return arg.length === other.length;
        const [s, t] = [timeOf(arg), timeOf(other)];
        return s !== undefined && t !== undefined && Math.abs(s - t) <= toleranceMs;
      });
    if (!same)
      return `command ${i}: ${JSON.stringify(x ?? null)} against ${JSON.stringify(y ?? null)}`;
  }
  return undefined;
}
