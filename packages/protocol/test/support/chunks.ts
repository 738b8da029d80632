/** Ways of cutting a byte stream into chunks, for the "under every chunk split" tests. */
import fc from 'fast-check';

/** The stream cut at the given offsets (sorted, deduplicated, clamped). */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => Math.min(Math.max(o, 0), bytes.length)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of [...points, bytes.length]) {
    if (point > previous) chunks.push(Buffer.from(bytes.subarray(previous, point)));
    previous = point;
  }
  return chunks;
}

/** One chunk per byte. */
export function byteByByte(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, (byte) => Buffer.from([byte]));
}

/** Arbitrary cut points for a stream of `length` bytes. */
export function cutPoints(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 });
}

/** latin1 strings: any byte, with a bias towards the bytes the protocols care about. */
export const latin1String = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(13, 10, 36, 42, 0, 32, 34, 39, 92),
      ),
      { maxLength },
    )
    .map((codes) => String.fromCharCode(...codes));
