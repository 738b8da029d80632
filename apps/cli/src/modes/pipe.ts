/**
 * `--pipe`: mass insertion (https://redis.io/docs/latest/develop/use/patterns/bulk-loading/).
 *
 * stdin is either RESP (it starts with `*`), streamed to the server untouched, or a command file,
 * one command per line with the prompt's quoting rules (blank lines and `#` comments skipped),
 * encoded here. Replies are counted as they come, errors printed; once stdin ends an
 * `ECHO <random>` marks the last command, and its echo means every reply has arrived. The summary
 * is redis-cli's: `errors: 0, replies: 1000000`.
 */
import { randomBytes } from 'node:crypto';
import { ErrorReply, encodeCommand, splitArgs, type RespValue } from '@byor/protocol';
import type { Session } from '../session.js';

/** Bytes of commands gathered before one socket write, in command-file mode. */
const BATCH_BYTES = 64 * 1024;

/** Counters of a pipe run. */
interface PipeState {
  replies: number;
  errors: number;
  lastReplyAt: number;
  allSent: boolean;
  done: boolean;
}

/**
 * Command-file mode: turns lines into RESP, carrying a partial last line between chunks.
 * Lines are bytes (latin1), so any encoding passes through.
 */
class LineEncoder {
  #partial = '';
  #lineNumber = 0;
  readonly #onInvalid: (lineNumber: number, line: string) => void;

  constructor(onInvalid: (lineNumber: number, line: string) => void) {
    this.#onInvalid = onInvalid;
  }

  /** Encodes the complete lines of `chunk` (plus the end of input when `last`). */
  encode(chunk: Buffer, last: boolean): Buffer[] {
    const text = this.#partial + chunk.toString('latin1');
    const lines = text.split('\n');
    this.#partial = last ? '' : lines.pop()!;
    const out: Buffer[] = [];
    for (let line of lines) {
      this.#lineNumber++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const argv = splitArgs(Buffer.from(line, 'latin1'));
      if (argv === undefined || argv.length === 0) {
        this.#onInvalid(this.#lineNumber, line);
        continue;
      }
      out.push(encodeCommand(argv, 'latin1'));
    }
    return out;
  }
}

/**
 * Runs `--pipe`: resolves with 1 if any command failed (or the server went quiet for
 * `--pipe-timeout` seconds), else 0.
 *
 * @example
 * ```ts
 * // printf 'SET a 1\nSET b 2\n' | byor-cli --pipe
 * ```
 */
export async function runPipe(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const connection = session.connection!;
  const { options, io } = session;
  const magic = randomBytes(10).toString('hex');
  const state: PipeState = {
    replies: 0,
    errors: 0,
    lastReplyAt: Date.now(),
    allSent: false,
    done: false,
  };
  let finished: () => void = () => {};
  const lastReply = new Promise<void>((resolve) => {
    finished = resolve;
  });
  connection.stream((reply: RespValue) => {
    state.lastReplyAt = Date.now();
    if (reply instanceof ErrorReply) {
      session.err.write(reply.message + '\n');
      state.errors++;
    } else if (state.allSent && reply === magic) {
      session.out.write('Last reply received from server.\n');
      state.done = true;
      finished();
      return;
    }
    state.replies++;
  });
  void connection.closed().then(finished);

  const socket = connection.socket;
  const send = async (bytes: Buffer): Promise<void> => {
    if (!connection.write(bytes) && connection.isOpen) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  };

  let mode: 'unknown' | 'resp' | 'lines' = 'unknown';
  const encoder = new LineEncoder((lineNumber, line) => {
    session.err.write(`Invalid argument(s) on line ${lineNumber}: ${line}\n`);
    state.errors++;
  });
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    await send(bytes);
  };

  for await (const data of io.stdin) {
    if (!connection.isOpen) break;
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    if (mode === 'unknown') {
      let i = 0;
      while (i < chunk.length && (chunk[i] === 0x20 || (chunk[i]! >= 0x09 && chunk[i]! <= 0x0d))) {
        i++;
      }
      if (i < chunk.length) mode = chunk[i] === 0x2a /* * */ ? 'resp' : 'lines';
    }
    if (mode === 'resp') {
      await send(chunk);
      continue;
    }
    for (const command of encoder.encode(chunk, false)) {
      batch.push(command);
      batchBytes += command.length;
      if (batchBytes >= BATCH_BYTES) await flush();
    }
  }
  if (mode === 'lines') {
    for (const command of encoder.encode(Buffer.alloc(0), true)) {
      batch.push(command);
      batchBytes += command.length;
    }
    await flush();
  }
  if (connection.isOpen) {
    state.allSent = true;
    await send(encodeCommand(['ECHO', magic], 'latin1'));
    session.out.write('All data transferred. Waiting for the last reply...\n');
  }

  let timedOut = false;
  if (connection.isOpen && !state.done) {
    state.lastReplyAt = Date.now();
    const timer =
      options.pipeTimeout > 0
        ? setInterval(() => {
            if (Date.now() - state.lastReplyAt > options.pipeTimeout * 1000) {
              timedOut = true;
              finished();
            }
          }, 100)
        : undefined;
    await lastReply;
    if (timer !== undefined) clearInterval(timer);
  }
  connection.close();
  if (timedOut) {
    session.err.write(`No replies for ${options.pipeTimeout} seconds: exiting.\n`);
    state.errors++;
  } else if (!state.done) {
    session.err.write('Error: Server closed the connection\n');
    state.errors++;
  }
  await session.out.writeAndDrain(`errors: ${state.errors}, replies: ${state.replies}\n`);
  return state.errors > 0 ? 1 : 0;
}
