import type { DiffCase } from './harness.js';

/** sets: every option, edge case and error string, compared with redis-server. */
export const setsCases: DiffCase[] = [];
