import { adminCommands } from './admin.js';
import { connectionCommands } from './connection.js';
import { expireCommands } from './expire.js';
import { keyCommands } from './keys.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import type { HandlerTable } from './types.js';

/** Every command group the server registers. */
export const allCommands: readonly HandlerTable[] = [
  stringCommands,
  keyCommands,
  expireCommands,
  connectionCommands,
  adminCommands,
  transactionCommands,
];
