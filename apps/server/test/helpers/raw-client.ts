import { connect, type Socket } from 'node:net';

/**
 * A client that keeps the reply bytes exactly as the server sent them, for byte-for-byte
 * comparison between byor and redis-server. Replies are framed by a small RESP2/RESP3 scanner.
 */
export class RawClient {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #waiters: ((reply: string) => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#answerWaiters();
    });
  }

  /** Hands complete buffered replies to the waiters, oldest first. */
  #answerWaiters(): void {
    while (this.#waiters.length > 0) {
      const end = frameEnd(this.#buffer, 0);
      if (end < 0) break;
      const frame = this.#buffer.toString('latin1', 0, end);
      this.#buffer = this.#buffer.subarray(end);
      this.#waiters.shift()?.(frame);
    }
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Sends one command (multibulk) and resolves with the raw reply. */
  call(...args: (string | Buffer)[]): Promise<string> {
    return this.send(encode(args));
  }

  /** Sends raw bytes and resolves with the next raw reply. */
  send(bytes: string | Buffer): Promise<string> {
    const reply = new Promise<string>((resolve) => this.#waiters.push(resolve));
    this.#socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    return reply;
  }

  /** Resolves with the next reply without sending anything (pushes, pipelined replies). */
  next(): Promise<string> {
    // a reply may have arrived before anyone waited for it (another client's command, a push)
    const reply = new Promise<string>((resolve) => this.#waiters.push(resolve));
    this.#answerWaiters();
    return reply;
  }

  /** Waits `ms`, then returns every complete reply received and not yet consumed, concatenated. */
  async drain(ms = 30): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    let out = '';
    for (;;) {
      const end = frameEnd(this.#buffer, 0);
      if (end < 0) break;
      out += this.#buffer.toString('latin1', 0, end);
      this.#buffer = this.#buffer.subarray(end);
    }
    return out;
  }

  /** Resolves once at least one complete reply is buffered (or after `timeoutMs`). */
  async waitForReply(timeoutMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (frameEnd(this.#buffer, 0) < 0 && Date.now() < deadline && !this.#socket.closed) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Sends a command without waiting for its reply (the reply stays buffered for drain()). */
  sendOnly(...args: (string | Buffer)[]): void {
    this.#socket.write(encode(args));
  }

  /** Resolves when the server closes the connection. */
  closed(): Promise<void> {
    return new Promise((resolve) =>
      this.#socket.closed ? resolve() : this.#socket.once('close', () => resolve()),
    );
  }

  close(): void {
    this.#socket.destroy();
  }
}

export function encode(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Offset just past one complete RESP value at `at`, or -1 when more bytes are needed. */
function frameEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[at] ?? 0);
  const head = buf.toString('latin1', at + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case '$':
    case '=':
    case '!': {
      const length = Number(head);
      if (length < 0) return next;
      return buf.length >= next + length + 2 ? next + length + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let count = Number(head);
      if (count < 0) return next;
      if (type === '%' || type === '|') count *= 2;
      for (let i = 0; i < count; i++) {
        next = frameEnd(buf, next);
        if (next < 0) return -1;
      }
      // an attribute is followed by the value it annotates
      return type === '|' ? frameEnd(buf, next) : next;
    }
    default:
      return next;
  }
}
