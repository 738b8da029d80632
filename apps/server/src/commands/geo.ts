import type { HandlerTable } from './types.js';

/** Geospatial indexes on sorted sets: GEOADD GEODIST GEOHASH GEOPOS GEORADIUS* GEOSEARCH GEOSEARCHSTORE. */
export const geoCommands: HandlerTable = {};
