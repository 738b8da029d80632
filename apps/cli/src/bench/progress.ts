/**
 * The live progress bar of `byor-cli bench` on a terminal:
 *
 *     SET  [##########----------]  52%  52,000/100,000  48,120 rps
 */
import type { Writable } from 'node:stream';

const WIDTH = 24;

/** Redraws one line in place; at most every 200 ms. */
export class ProgressBar {
  readonly #stream: Writable;
  readonly #title: string;
  readonly #total: number;
  #lastDrawn = 0;
  #lastDone = 0;
  #lastAt = performance.now();
  #rate = 0;

  constructor(stream: Writable, title: string, total: number) {
    this.#stream = stream;
    this.#title = title;
    this.#total = total;
  }

  /** Reports `done` requests answered. O(1). */
  update(done: number): void {
    const now = performance.now();
    if (now - this.#lastDrawn < 200 && done < this.#total) return;
    if (now > this.#lastAt) this.#rate = ((done - this.#lastDone) * 1000) / (now - this.#lastAt);
    this.#lastDone = done;
    this.#lastAt = now;
    this.#lastDrawn = now;
    const share = this.#total === 0 ? 1 : Math.min(1, done / this.#total);
    const filled = Math.round(share * WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
    const count = `${done.toLocaleString('en-US')}/${this.#total.toLocaleString('en-US')}`;
    const rate = `${Math.round(this.#rate).toLocaleString('en-US')} rps`;
    this.#stream.write(
      `\r\x1b[2K${this.#title}  [${bar}] ${String(Math.floor(share * 100)).padStart(3)}%  ${count}  ${rate}`,
    );
  }

  /** Erases the line. */
  clear(): void {
    this.#stream.write('\r\x1b[2K');
  }
}
