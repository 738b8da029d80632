/**
 * Test helpers: a line codec, a scripted client over a real socket, a manual clock.
 */
import { type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Codec, Decoder, Listener } from '../src/index.js';

/** Frames are '\n'-terminated lines; a line 'BAD' is malformed. Buffers chunks without concat. */
export class LineDecoder implements Decoder<string> {
  #chunks: Buffer[] = [];
  #offset = 0; // into chunks[0]
  #buffered = 0;

  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  next(): string | undefined {
    // Find '\n' across chunks.
    let length = 0;
    for (let index = 0; index < this.#chunks.length; index++) {
      const chunk = this.#chunks[index]!;
      const start = index === 0 ? this.#offset : 0;
      const newline = chunk.indexOf(10, start);
      if (newline < 0) {
        length += chunk.length - start;
        continue;
      }
      length += newline - start;
      const bytes = Buffer.allocUnsafe(length);
      let filled = 0;
      for (let take = 0; take <= index; take++) {
        const part = this.#chunks[take]!;
        const from = take === 0 ? this.#offset : 0;
        const to = take === index ? newline : part.length;
        filled += part.copy(bytes, filled, from, to);
      }
      this.#chunks.splice(0, index);
      this.#offset = newline + 1;
      if (this.#offset === this.#chunks[0]!.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
      this.#buffered -= length + 1;
      const line = bytes.toString('latin1');
      if (line === 'BAD') throw new Error('Protocol error: bad line');
      return line;
    }
    return undefined;
  }
}

export const lineCodec: Codec<string> = { createDecoder: () => new LineDecoder() };

/** A clock the test moves by hand. */
export class ManualClock {
  time = 1_000_000;
  now(): number {
    return this.time;
  }
}

export function portOf(listener: Listener): number {
  return (listener.address as AddressInfo).port;
}

/** A client socket that records everything it receives. */
export class TestClient {
  readonly socket: Socket;
  closed = false;
  receivedBytes = 0;
  #chunks: Buffer[] = [];
  #waiters: (() => void)[] = [];

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.receivedBytes += chunk.length;
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static async connect(target: number | string, host = '127.0.0.1'): Promise<TestClient> {
    const socket = typeof target === 'number' ? connect({ port: target, host }) : connect(target);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  /** Everything received so far. */
  get received(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves when `predicate` holds (checked on every data or close event). */
  async until(predicate: (client: TestClient) => boolean): Promise<void> {
    while (!predicate(this)) {
      if (this.closed)
        throw new Error(`closed before the condition; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once at least `bytes` bytes arrived. */
  untilBytes(bytes: number): Promise<void> {
    return this.until((client) => client.receivedBytes >= bytes);
  }

  /** Resolves when the server closed the connection. */
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

/** Waits until `predicate` holds, polling on macrotasks (for server-side state). */
export async function eventually(predicate: () => boolean, turns = 2000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('condition never held');
}

/** Closes recorded by a test server. */
export interface ClosedRecord {
  id: number;
  reason: string;
  error: unknown;
}
