import type { HandlerTable } from './types.js';

/** lists commands (being written). */
export const listsCommands: HandlerTable = {};
