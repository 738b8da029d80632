import type { ObjectValue, Value } from '../values.js';
import type { RdbDecoder } from './rdb-decoder.js';
import type { RdbEncoder } from './rdb-encoder.js';

/**
 * The RDB type switch is open: a value type byor adds later (streams: RDB_TYPE_STREAM_LISTPACKS_2,
 * whose `ObjectValue.type` is "stream") registers how it is written, read and rewritten into the
 * AOF, and RDB files, DUMP/RESTORE, BGSAVE and BGREWRITEAOF handle it from then on.
 *
 * @example
 * ```ts
 * registerRdbType({
 *   valueType: 'stream',
 *   loadTypes: [RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2, RdbType.STREAM_LISTPACKS_3],
 *   rdbType: () => RdbType.STREAM_LISTPACKS_2,
 *   write: (value, encoder) => { ... encoder.len(...); encoder.blob(...); ... },
 *   read: (type, decoder) => { ... return stream; },
 *   commands: (key, value) => [['XADD', key, ...]],
 * });
 * ```
 */
export interface RdbTypePlugin {
  /** the `ObjectValue.type` this plugin writes */
  readonly valueType: string;
  /** the RDB type bytes this plugin reads */
  readonly loadTypes: readonly number[];
  /** the RDB type byte to write for `value` */
  rdbType(value: ObjectValue): number;
  /** writes the value's payload (after the type byte and the key) */
  write(value: ObjectValue, encoder: RdbEncoder): void;
  /** reads a payload of `type`; undefined for an empty value (which is then skipped) */
  read(type: number, decoder: RdbDecoder): Value | undefined;
  /** the commands that recreate the value, for an AOF rewrite without an RDB preamble */
  commands(key: string, value: ObjectValue): string[][];
}

const byValueType = new Map<string, RdbTypePlugin>();
const byRdbType = new Map<number, RdbTypePlugin>();

/** Registers a plugin (replacing one for the same value type or RDB types). O(types). */
export function registerRdbType(plugin: RdbTypePlugin): void {
  byValueType.set(plugin.valueType, plugin);
  for (const type of plugin.loadTypes) byRdbType.set(type, plugin);
}

/** The plugin that writes values of this `ObjectValue.type`, if any. @internal */
export function pluginForValue(valueType: string): RdbTypePlugin | undefined {
  return byValueType.get(valueType);
}

/** The plugin that reads this RDB type byte, if any. @internal */
export function pluginForRdbType(type: number): RdbTypePlugin | undefined {
  return byRdbType.get(type);
}
