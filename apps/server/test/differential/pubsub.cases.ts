import type { DiffCase } from './harness.js';

/** pubsub: every option, edge case and error string, compared with redis-server. */
export const pubsubCases: DiffCase[] = [];
