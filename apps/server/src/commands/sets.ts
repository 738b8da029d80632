import type { HandlerTable } from './types.js';

/** sets commands (being written). */
export const setsCommands: HandlerTable = {};
