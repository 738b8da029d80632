/**
 * LOLWUT as redis-server 7.0 (lolwut.c, lolwut5.c): version 5 draws Georg Nees' "Schotter"
 * (1968) on a pixel canvas rendered with Braille characters (2x4 pixels each); other versions
 * print the server version. The canvas arithmetic keeps C's single-precision floats (Math.fround)
 * and round-half-away-from-zero so the canvas size and the unrotated rows match redis-server's;
 * the rotated squares are random there too.
 *
 * @see https://github.com/redis/redis/blob/7.0/src/lolwut5.c
 * @packageDocumentation
 */

/** A canvas of one-byte pixels (lwCanvas). */
export class LolwutCanvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height);
  }

  /** lwDrawPixel: pixels outside the canvas are ignored. O(1). */
  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }

  /** lwGetPixel: 0 outside the canvas. O(1). */
  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width]!;
  }

  /** lwDrawLine: Bresenham. O(length). */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** lwDrawSquare: a square of side `size` centred on (x, y), rotated by `angle`. O(size). */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    const px = [0, 0, 0, 0];
    const py = [0, 0, 0, 0];
    let side = Math.fround(size / 1.4142135623);
    side = Math.fround(roundC(side));
    let k = Math.fround(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px[j] = roundC(Math.sin(k) * side + x);
      py[j] = roundC(Math.cos(k) * side + y);
      k = Math.fround(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++)
      this.line(px[j]!, py[j]!, px[(j + 1) % 4]!, py[(j + 1) % 4]!, color);
  }
}

/** C's round(): halves away from zero. */
function roundC(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * lwDrawSchotter: `squaresPerRow` x `squaresPerCol` squares on a canvas `columns * 2` pixels
 * wide; rows from the third on are rotated and shifted more and more at random. O(pixels).
 *
 * @example
 * ```ts
 * const canvas = drawSchotter(66, 8, 12);
 * canvas.width; // 132
 * ```
 */
export function drawSchotter(
  columns: number,
  squaresPerRow: number,
  squaresPerCol: number,
  random: () => number = Math.random,
): LolwutCanvas {
  const f = Math.fround;
  const width = columns * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f((width - padding * 2) / squaresPerRow);
  const height = Math.trunc(f(f(side * squaresPerCol) + padding * 2));
  const canvas = new LolwutCanvas(width, height);
  for (let y = 0; y < squaresPerCol; y++) {
    for (let x = 0; x < squaresPerRow; x++) {
      let sx = Math.trunc(f(f(f(x * side) + f(side / 2)) + padding));
      let sy = Math.trunc(f(f(f(y * side) + f(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        let r1 = f(f(f(random()) / squaresPerCol) * y);
        let r2 = f(f(f(random()) / squaresPerCol) * y);
        let r3 = f(f(f(random()) / squaresPerCol) * y);
        if (random() < 0.5) r1 = -r1;
        if (random() < 0.5) r2 = -r2;
        if (random() < 0.5) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f(sx + f(f(r2 * side) / 3)));
        sy = Math.trunc(f(sy + f(f(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/**
 * renderCanvas: one Braille character (U+2800 + dot bits, UTF-8, as latin1 bytes) per 2x4
 * pixels, rows separated by "\n". O(pixels).
 *
 * @example
 * ```ts
 * renderCanvas(new LolwutCanvas(2, 2)); // "\xe2\xa0\x80\n" (a blank Braille cell)
 * ```
 */
export function renderCanvas(canvas: LolwutCanvas): string {
  let text = '';
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let byte = 0;
      if (canvas.get(x, y)) byte |= 1 << 0;
      if (canvas.get(x, y + 1)) byte |= 1 << 1;
      if (canvas.get(x, y + 2)) byte |= 1 << 2;
      if (canvas.get(x + 1, y)) byte |= 1 << 3;
      if (canvas.get(x + 1, y + 1)) byte |= 1 << 4;
      if (canvas.get(x + 1, y + 2)) byte |= 1 << 5;
      if (canvas.get(x, y + 3)) byte |= 1 << 6;
      if (canvas.get(x + 1, y + 3)) byte |= 1 << 7;
      const code = 0x2800 + byte;
      text += String.fromCharCode(
        0xe0 | (code >> 12),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
    if (y !== canvas.height - 1) text += '\n';
  }
  return text;
}

/**
 * LOLWUT version 5's whole reply text (latin1 bytes of UTF-8): the Schotter drawing and its
 * caption. Arguments are clamped as redis-server does (1-1000 columns, 1-200 squares). O(pixels).
 *
 * @example
 * ```ts
 * schotter(1, 1, 1, '7.0.15'); // "\xe2\xa0\x8b\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"
 * ```
 */
export function schotter(
  columns: number,
  squaresPerRow: number,
  squaresPerCol: number,
  version: string,
  random: () => number = Math.random,
): string {
  const clamp = (value: number, max: number) => (value < 1 ? 1 : value > max ? max : value);
  const canvas = drawSchotter(
    clamp(columns, 1000),
    clamp(squaresPerRow, 200),
    clamp(squaresPerCol, 200),
    random,
  );
  return (
    renderCanvas(canvas) +
    `\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${version}\n`
  );
}
