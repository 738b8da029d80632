import type { DiffCase } from './harness.js';

/** transactions: every option, edge case and error string, compared with redis-server. */
export const transactionsCases: DiffCase[] = [];
