import type { HandlerTable } from './types.js';

/** Bitmaps and BITFIELD: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. */
export const bitmapCommands: HandlerTable = {};
