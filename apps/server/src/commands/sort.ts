import type { HandlerTable } from './types.js';

/** SORT and SORT_RO (BY, LIMIT, GET, ASC/DESC, ALPHA, STORE). */
export const sortCommands: HandlerTable = {};
