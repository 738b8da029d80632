import type { DiffCase } from './harness.js';

/** Bitmaps and BITFIELD: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. */
export const bitmapCases: DiffCase[] = [];
