import type { HandlerTable } from './types.js';

/** pubsub commands (being written). */
export const pubsubCommands: HandlerTable = {};
