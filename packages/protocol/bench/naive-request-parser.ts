/**
 * The request parser a server is usually first written with, as the benchmark's peer: buffers
 * with Buffer.concat, finds lines with indexOf, converts with toString, splits inline commands
 * on whitespace. No limits, no quoting rules: it only has to be right on well-formed input.
 */
export class NaiveRequestParser {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  next(): string[] | undefined {
    const buffer = this.#buffer;
    if (buffer.length === 0) return undefined;
    if (buffer[0] !== 42 /* * */) {
      const newline = buffer.indexOf('\n');
      if (newline === -1) return undefined;
      this.#buffer = buffer.subarray(newline + 1);
      return buffer.toString('latin1', 0, newline).trim().split(/\s+/);
    }
    let lineEnd = buffer.indexOf('\r\n');
    if (lineEnd === -1) return undefined;
    const count = Number(buffer.toString('latin1', 1, lineEnd));
    let at = lineEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      lineEnd = buffer.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const length = Number(buffer.toString('latin1', at + 1, lineEnd));
      at = lineEnd + 2;
      if (at + length + 2 > buffer.length) return undefined;
      args.push(buffer.toString('latin1', at, at + length));
      at += length + 2;
    }
    this.#buffer = buffer.subarray(at);
    return args;
  }
}
