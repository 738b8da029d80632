import type { DiffCase } from './harness.js';

/** HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, in Redis's own string representation. */
export const hyperloglogCases: DiffCase[] = [];
