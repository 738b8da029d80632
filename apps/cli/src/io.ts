/**
 * The process around byor-cli (streams, environment), passed in so that tests and embedders can
 * run `main()` without touching the real process.
 */
import type { Readable, Writable } from 'node:stream';

/**
 * An output stream, and whether it is a terminal (`process.stdout` is one).
 *
 * @example
 * ```ts
 * const stdout: CliOutputStream = process.stdout;
 * ```
 */
export interface CliOutputStream extends Writable {
  isTTY?: boolean;
  columns?: number;
}

/**
 * An input stream, and whether it is a terminal (`process.stdin` is one).
 *
 * @example
 * ```ts
 * const stdin: CliInputStream = Readable.from(['PING\n']);
 * ```
 */
export interface CliInputStream extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * The streams and environment byor-cli runs with, for {@link processIo} or a test's own.
 *
 * @example
 * ```ts
 * const io: CliIo = { ...processIo(), env: { REDISCLI_AUTH: 's3cret' } };
 * await main(['PING'], io);
 * ```
 */
export interface CliIo {
  stdin: CliInputStream;
  stdout: CliOutputStream;
  stderr: CliOutputStream;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The real process's streams and environment. O(1).
 *
 * @example
 * ```ts
 * await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Writes latin1 text (one char per byte) as bytes, and lets loops wait for a full pipe to drain
 * so that `byor-cli -r -1 ... | head` or a slow reader does not grow memory without bound.
 */
export class Output {
  readonly #stream: CliOutputStream;

  constructor(stream: CliOutputStream) {
    this.#stream = stream;
  }

  /** The stream written to. */
  get stream(): CliOutputStream {
    return this.#stream;
  }

  /** Writes; returns false when the stream's buffer is full. O(text). */
  write(text: string): boolean {
    if (text.length === 0) return true;
    return this.#stream.write(Buffer.from(text, 'latin1'));
  }

  /** Writes, then waits while the stream's buffer is full. */
  async writeAndDrain(text: string): Promise<void> {
    if (!this.write(text)) await this.drained();
  }

  /** Resolves once the stream's buffer has room (at once if it has). */
  drained(): Promise<void> {
    if (!this.#stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done);
        this.#stream.off('close', done);
        this.#stream.off('error', done);
        resolve();
      };
      this.#stream.on('drain', done);
      this.#stream.on('close', done);
      this.#stream.on('error', done);
    });
  }
}

/** Reads a stream to its end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** Waits `ms` milliseconds, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
