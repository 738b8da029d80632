import type { HandlerTable } from './types.js';

/** zsets commands (being written). */
export const zsetsCommands: HandlerTable = {};
