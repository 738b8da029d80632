import type { HandlerTable } from './types.js';

/** hashes commands (being written). */
export const hashesCommands: HandlerTable = {};
