import type { HandlerTable } from './types.js';

/** HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, in Redis's own string representation. */
export const hyperloglogCommands: HandlerTable = {};
