import { bitmapCommands } from './bitmaps.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { sortCommands } from './sort.js';
import { trackingCommands } from './tracking.js';
import { aclCommands } from './acl.js';
import { adminCommands } from './admin.js';
import { introspectionCommands } from './introspection.js';
import { connectionCommands } from './connection.js';
import { expireCommands } from './expire.js';
import { hashesCommands } from './hashes.js';
import { keyCommands } from './keys.js';
import { listsCommands } from './lists.js';
import { migrateCommands } from './migrate.js';
import { persistenceCommands } from './persistence.js';
import { pubsubCommands } from './pubsub.js';
import { replicationCommands } from './replication.js';
import { scriptingCommands } from './scripting.js';
import { setsCommands } from './sets.js';
import { streamsCommands } from './streams.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import { zsetsCommands } from './zsets.js';
import type { HandlerTable } from './types.js';

/** Every command group the server registers. */
export const allCommands: readonly HandlerTable[] = [
  stringCommands,
  keyCommands,
  expireCommands,
  connectionCommands,
  adminCommands,
  introspectionCommands,
  transactionCommands,
  listsCommands,
  hashesCommands,
  setsCommands,
  zsetsCommands,
  pubsubCommands,
  persistenceCommands,
  migrateCommands,
  streamsCommands,
  scriptingCommands,
  replicationCommands,
  bitmapCommands,
  hyperloglogCommands,
  geoCommands,
  sortCommands,
  trackingCommands,
  aclCommands,
];
