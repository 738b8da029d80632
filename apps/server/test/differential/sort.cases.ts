import type { DiffCase } from './harness.js';

/** SORT and SORT_RO (BY, LIMIT, GET, ASC/DESC, ALPHA, STORE). */
export const sortCases: DiffCase[] = [];
