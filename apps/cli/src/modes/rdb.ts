/**
 * `--rdb <file>`: a snapshot of the dataset, asked for with SYNC as a replica would, saved as it
 * arrives (`-` writes it to stdout); `--functions-rdb <file>` the same with the functions alone
 * (REPLCONF rdb-filter-only functions). The server answers with `$<length>\r\n` and the RDB
 * bytes, or with `$EOF:<40-byte mark>\r\n`, the bytes, and the mark again (diskless
 * replication); newlines before the header are keep-alives. The file is written to a temporary
 * name and renamed into place once complete.
 *
 * `--replica`: SYNC as a replica that wants no data (rdb-filter-only with no filter), the RDB
 * skipped, then every command of the replication stream printed as redis-cli prints it (CSV).
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import { ErrorReply, ReplyParser } from '@byor/protocol';
import { formatReply, OutputFormats } from '../format.js';
import type { Session } from '../session.js';

const EOF_MARK_LENGTH = 40;

/** Reads the SYNC stream: header first, then the payload, handed to `sink` chunk by chunk. */
class SyncReader {
  #header = '';
  #headerDone = false;
  #remaining = -1;
  #mark: Buffer | undefined;
  /** the last bytes seen, to find the EOF mark across chunks */
  #tail = Buffer.alloc(0);
  done = false;
  error: string | undefined;
  total = 0;
  /** the bytes after the payload in the chunk that ended it (the stream, for --replica) */
  rest: Buffer = Buffer.alloc(0);
  onHeader: (length: number | undefined) => void = () => {};

  constructor(readonly sink: (bytes: Buffer) => void) {}

  /** True when the payload came between EOF marks (diskless). */
  get marked(): boolean {
    return this.#mark !== undefined;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (!this.#headerDone && at < chunk.length) {
      const byte = chunk[at++]!;
      if (this.#header === '' && byte === 0x0a) continue; // keep-alive
      this.#header += String.fromCharCode(byte);
      if (!this.#header.endsWith('\r\n')) continue;
      this.#headerDone = true;
      const line = this.#header.slice(0, -2);
      if (line.startsWith('-')) {
        this.error = line.slice(1);
        this.done = true;
        return;
      }
      if (line.startsWith('$EOF:')) {
        this.#mark = Buffer.from(line.slice(5), 'latin1');
        this.onHeader(undefined);
      } else if (line.startsWith('$')) {
        this.#remaining = Number.parseInt(line.slice(1), 10);
        this.onHeader(this.#remaining);
        if (this.#remaining === 0) this.done = true;
      } else {
        this.error = `unexpected SYNC reply '${line}'`;
        this.done = true;
        return;
      }
    }
    if (this.done && this.error === undefined) this.rest = chunk.subarray(at); // an empty payload
    if (!this.#headerDone || this.done || at >= chunk.length) return;
    const body = chunk.subarray(at);
    if (this.#mark === undefined) {
      const take = body.subarray(0, this.#remaining);
      this.total += take.length;
      this.sink(take);
      this.#remaining -= take.length;
      if (this.#remaining === 0) {
        this.done = true;
        this.rest = body.subarray(take.length);
      }
      return;
    }
    // diskless: hold back the last 40 bytes, which may be the mark
    const joined = Buffer.concat([this.#tail, body]);
    if (
      joined.length >= EOF_MARK_LENGTH &&
      joined.subarray(joined.length - EOF_MARK_LENGTH).equals(this.#mark)
    ) {
      const payload = joined.subarray(0, joined.length - EOF_MARK_LENGTH);
      this.total += payload.length;
      this.sink(payload);
      this.done = true;
      return;
    }
    const keep = Math.min(EOF_MARK_LENGTH, joined.length);
    const payload = joined.subarray(0, joined.length - keep);
    this.total += payload.length;
    if (payload.length > 0) this.sink(payload);
    this.#tail = Buffer.from(joined.subarray(joined.length - keep));
  }
}

/**
 * REPLCONF `option` `value`, said on stderr as redis-cli says it; false (and the error said)
 * when the server refuses it.
 */
async function sendReplconf(session: Session, option: string, value: string): Promise<boolean> {
  session.err.write(`sending REPLCONF ${option} ${value}\n`);
  const reply = await session.connection!.send(['REPLCONF', option, value]);
  if (!(reply instanceof ErrorReply)) return true;
  session.err.write(`REPLCONF ${option} error: ${reply.message}\n`);
  return false;
}

/**
 * Runs `--rdb <file>` and resolves with the exit status.
 *
 * @example
 * ```ts
 * // byor-cli --rdb dump.rdb
 * ```
 */
export async function runRdb(session: Session, functionsOnly = false): Promise<number> {
  if (!(await session.connect())) return 1;
  const connection = session.connection!;
  const target = session.options.rdbFile!;
  const toStdout = target === '-';
  // an RDB between EOF marks is fine; no replication backlog for a one-off snapshot (servers
  // that do not know these options refuse them: not fatal, as for redis-cli)
  await sendReplconf(session, 'capa', 'eof');
  await sendReplconf(session, 'rdb-only', '1');
  if (functionsOnly && !(await sendReplconf(session, 'rdb-filter-only', 'functions'))) {
    session.err.write('Failed requesting functions only RDB from server, aborting\n');
    return 1;
  }
  const socket: Socket = connection.detach();
  const temporary = `${target}.tmp-${process.pid}`;
  const file: WriteStream | undefined = toStdout ? undefined : createWriteStream(temporary);
  const reader = new SyncReader((bytes) => {
    if (file !== undefined) file.write(bytes);
    else session.io.stdout.write(bytes);
  });
  const where = toStdout ? 'stdout' : `'${target}'`;
  reader.onHeader = (length) => {
    session.err.write(
      length === undefined
        ? `SYNC sent to master, writing bytes of bulk transfer until EOF marker to ${where}\n`
        : `SYNC sent to master, writing ${length} bytes to ${where}\n`,
    );
  };
  const finished = await new Promise<boolean>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (reader.done) resolve(reader.error === undefined);
    });
    socket.on('close', () => resolve(reader.done && reader.error === undefined));
    socket.on('error', () => resolve(false));
    socket.write('SYNC\r\n');
  });
  socket.destroy();
  if (file !== undefined) {
    await new Promise<void>((resolve) => file.end(resolve));
    if (finished) renameSync(temporary, target);
    else rmSync(temporary, { force: true });
  }
  if (!finished) {
    session.err.write(
      `Error: ${reader.error ?? 'the connection closed before the end of the transfer'}\n`,
    );
    return 1;
  }
  session.err.write('Transfer finished with success.\n');
  return 0;
}

/**
 * Runs `--replica` until the connection closes (or Ctrl-C): redis-cli's slaveMode.
 *
 * @example
 * ```ts
 * // byor-cli --replica
 * ```
 */
export async function runReplica(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const connection = session.connection!;
  await sendReplconf(session, 'capa', 'eof');
  // no data in the RDB: only the stream is shown
  await sendReplconf(session, 'rdb-filter-only', '');
  const socket: Socket = connection.detach();
  const parser = new ReplyParser({ encoding: 'latin1', copyStrings: true });
  let synced = false;
  const reader = new SyncReader(() => {});
  reader.onHeader = (length) => {
    session.err.write(
      length === undefined
        ? 'SYNC with master, discarding bytes of bulk transfer until EOF marker...\n'
        : `SYNC with master, discarding ${length} bytes of bulk transfer...\n`,
    );
  };
  return await new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      if (!synced) {
        reader.push(chunk);
        if (!reader.done) return;
        if (reader.error !== undefined) {
          session.err.write(`SYNC with master failed: -${reader.error}\n`);
          socket.destroy();
          resolve(1);
          return;
        }
        synced = true;
        if (reader.marked) {
          session.err.write(
            `SYNC done after ${reader.total + EOF_MARK_LENGTH} bytes. Logging commands from master.\n`,
          );
          // a replica sent its RDB between marks is put online by its first ACK, once the
          // master noticed the transfer ended: a second later, as redis-cli does
          setTimeout(() => {
            session.err.write('sending REPLCONF ACK 0\n');
            socket.write('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
          }, 1000).unref();
        } else session.err.write('SYNC done. Logging commands from master.\n');
        chunk = reader.rest;
        if (chunk.length === 0) return;
      }
      parser.push(chunk);
      parser.drain((value) => {
        session.io.stdout.write(formatReply(value, OutputFormats.CSV));
      });
    });
    // cliReadReply: the end of the stream is an error (cliPrintContextError), exit status 1
    socket.on('error', () => {});
    socket.on('close', () => {
      session.err.write('Error: Server closed the connection\n');
      resolve(1);
    });
    socket.write('SYNC\r\n');
  });
}
