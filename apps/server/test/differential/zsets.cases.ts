import type { DiffCase } from './harness.js';

/** zsets: every option, edge case and error string, compared with redis-server. */
export const zsetsCases: DiffCase[] = [];
