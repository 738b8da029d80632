import { connect, type Socket } from 'node:net';

/** A RESP2 reply: bulk and simple strings as latin1 strings, errors as ReplyFailure. */
export type Reply = string | number | null | ReplyFailure | Reply[];

export class ReplyFailure {
  constructor(readonly message: string) {}
  toString(): string {
    return `-${this.message}`;
  }
}

/** Parses one reply at `at`; undefined when incomplete. */
function parse(buffer: Buffer, at: number): { value: Reply; end: number } | undefined {
  const newline = buffer.indexOf('\r\n', at);
  if (newline < 0) return undefined;
  const type = buffer[at];
  const line = buffer.toString('latin1', at + 1, newline);
  const next = newline + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, end: next };
    case 0x2d: // -
      return { value: new ReplyFailure(line), end: next };
    case 0x3a: // :
      return { value: Number(line), end: next };
    case 0x24: {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('latin1', next, next + length), end: next + length + 2 };
    }
    case 0x2a: {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, position);
        if (!item) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    case undefined:
    default:
      throw new Error(`unexpected reply type ${String(type)}`);
  }
}

/** A minimal binary-safe RESP2 client for the persistence tests. */
export class Conn {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #waiting: ((reply: Reply) => void)[] = [];
  #closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) =>
      socket.once('close', () => {
        // calls still waiting get an error: the connection is gone
        for (const waiter of this.#waiting.splice(0)) waiter(new ReplyFailure('connection closed'));
        resolve();
      }),
    );
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      for (;;) {
        if (this.#waiting.length === 0) return;
        const parsed = parse(this.#buffer, 0);
        if (!parsed) return;
        this.#buffer = this.#buffer.subarray(parsed.end);
        this.#waiting.shift()?.(parsed.value);
      }
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Conn(socket));
      });
    });
  }

  /** Sends a command; resolves with its reply. */
  call(...args: (string | number)[]): Promise<Reply> {
    if (this.#socket.destroyed) return Promise.resolve(new ReplyFailure('connection closed'));
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#socket.write(encode(args.map(String)));
    });
  }

  /** Sends many commands at once (one write); resolves with their replies in order. */
  pipeline(commands: readonly (readonly (string | number)[])[]): Promise<Reply[]> {
    if (this.#socket.destroyed)
      return Promise.resolve(commands.map(() => new ReplyFailure('connection closed')));
    const replies = commands.map(
      () =>
        new Promise<Reply>((resolve) => {
          this.#waiting.push(resolve);
        }),
    );
    this.#socket.write(Buffer.concat(commands.map((argv) => encode(argv.map(String)))));
    return Promise.all(replies);
  }

  close(): Promise<void> {
    this.#socket.destroy();
    return this.#closed;
  }
}

function encode(argv: readonly string[]): Buffer {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
  return Buffer.from(text, 'latin1');
}
