/**
 * `--rdb <file>`: a snapshot of the dataset, asked for with SYNC as a replica would, saved as it
 * arrives (`-` writes it to stdout). The server answers with `$<length>\r\n` and the RDB bytes,
 * or with `$EOF:<40-byte mark>\r\n`, the bytes, and the mark again (diskless replication);
 * newlines before the header are keep-alives. The file is written to a temporary name and
 * renamed into place once complete.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import { ErrorReply } from '@byor/protocol';
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
  onHeader: (length: number | undefined) => void = () => {};

  constructor(readonly sink: (bytes: Buffer) => void) {}

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
    if (!this.#headerDone || this.done || at >= chunk.length) return;
    const body = chunk.subarray(at);
    if (this.#mark === undefined) {
      const take = body.subarray(0, this.#remaining);
      this.total += take.length;
      this.sink(take);
      this.#remaining -= take.length;
      if (this.#remaining === 0) this.done = true;
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
 * Runs `--rdb <file>` and resolves with the exit status.
 *
 * @example
 * ```ts
 * // byor-cli --rdb dump.rdb
 * ```
 */
export async function runRdb(session: Session): Promise<number> {
  if (!(await session.connect())) return 1;
  const connection = session.connection!;
  const target = session.options.rdbFile!;
  const toStdout = target === '-';
  // no replication backlog for a one-off snapshot (servers that do not know it just refuse)
  const replconf = await connection.send(['REPLCONF', 'rdb-only', '1']);
  if (replconf instanceof ErrorReply && session.options.verbose) {
    session.err.write(`REPLCONF rdb-only: ${replconf.message}\n`);
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
