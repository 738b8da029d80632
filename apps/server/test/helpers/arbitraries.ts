import fc from 'fast-check';

/** Latin1 strings of 0 to `max` chars, every byte value possible (what the parser produces). */
export function latin1(max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.integer({ min: 0, max: 255 }), { maxLength: max })
    .map((codes) => String.fromCharCode(...codes));
}
