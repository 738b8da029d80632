import type { DiffCase } from './harness.js';

/** Geospatial indexes on sorted sets: GEOADD GEODIST GEOHASH GEOPOS GEORADIUS* GEOSEARCH GEOSEARCHSTORE. */
export const geoCases: DiffCase[] = [];
