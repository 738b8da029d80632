import { MIN_SCORE, parseScore, type ScoreBound } from '@byor/sortedset';
import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { exactDistance } from '../geo/distance.js';
import { formatFixed, humanLongDouble } from '../geo/format.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  GeoCell,
  WGS84_LAT_RANGE,
  WGS84_LONG_RANGE,
  cellScores,
  decodeScore,
  encode,
  geohashString,
  interleaveText,
} from '../geo/geohash.js';
import { GeoResults } from '../geo/results.js';
import { GeoShape, ShapeKind } from '../geo/shape.js';
import { ZSet, type ZSetLimits } from '../types/zset.js';
import { parseInt64 } from '../util/numbers.js';
import { is } from './args.js';
import type { HandlerTable } from './types.js';
import { zsetsCommands } from './zsets.js';

/**
 * Geospatial commands (src/geo.c of redis-server 7.0) on sorted sets: a position is stored as its
 * 52-bit geohash in the member's score (src/geo/geohash.ts), a search walks the score ranges of the
 * nine cells around the center (src/geo/shape.ts) and keeps the members inside the area. Argument
 * checks run in redis-server's order, so the first error met is the one Redis replies.
 */

/** Error replies of this group (texts from geo.c). */
const GeoError = {
  UNIT: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  NEED_RADIUS: 'ERR need numeric radius',
  NEED_WIDTH: 'ERR need numeric width',
  NEED_HEIGHT: 'ERR need numeric height',
  RADIUS_NEGATIVE: 'ERR radius cannot be negative',
  BOX_NEGATIVE: 'ERR height or width cannot be negative',
  DECODE_MEMBER: 'ERR could not decode requested zset member',
  COUNT: 'ERR COUNT must be > 0',
  ANY_NEEDS_COUNT: 'ERR the ANY argument requires COUNT argument',
  STORE_OPTIONS:
    'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
  SEARCHSTORE_OPTIONS:
    'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
} as const;

/** extractLongLatOrReply's range error, coordinates printed with %f. */
function invalidPair(longitude: number, latitude: number): string {
  return `ERR invalid longitude,latitude pair ${formatFixed(longitude, 6)},${formatFixed(latitude, 6)}`;
}

function exactlyOneFrom(command: string): string {
  return `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${command}`;
}

function exactlyOneBy(command: string): string {
  return `ERR exactly one of BYRADIUS and BYBOX can be specified for ${command}`;
}

/** A double argument (getDoubleFromObjectOrReply), or undefined after replying `error`. */
function doubleArg(client: Client, text: string, error: string): number | undefined {
  const value = parseScore(text);
  if (value === undefined) client.server.errorReply(client, error);
  return value;
}

/** Longitude and latitude of the last {@link longLatArgs}. */
let argLongitude = 0;
let argLatitude = 0;

/** extractLongLatOrReply: two doubles within the index's limits. */
function longLatArgs(client: Client, argv: string[], index: number): boolean {
  const longitude = doubleArg(client, argv[index] ?? '', ReplyError.NOT_FLOAT);
  if (longitude === undefined) return false;
  const latitude = doubleArg(client, argv[index + 1] ?? '', ReplyError.NOT_FLOAT);
  if (latitude === undefined) return false;
  if (
    longitude < GEO_LONG_MIN ||
    longitude > GEO_LONG_MAX ||
    latitude < GEO_LAT_MIN ||
    latitude > GEO_LAT_MAX
  ) {
    client.server.errorReply(client, invalidPair(longitude, latitude));
    return false;
  }
  argLongitude = longitude;
  argLatitude = latitude;
  return true;
}

/** extractUnitOrReply: meters per unit, or undefined after replying. */
function unitArg(client: Client, text: string): number | undefined {
  if (is(text, 'M')) return 1;
  if (is(text, 'KM')) return 1000;
  if (is(text, 'FT')) return 0.3048;
  if (is(text, 'MI')) return 1609.34;
  client.server.errorReply(client, GeoError.UNIT);
  return undefined;
}

/**
 * The sorted set at `key` for a read (lookupKeyRead + checkType): the ZSet, undefined when the key
 * does not exist, null after replying WRONGTYPE.
 */
function zsetForRead(client: Client, key: string): ZSet | undefined | null {
  const value = client.db.lookupRead(key);
  if (value === undefined || value instanceof ZSet) return value;
  client.server.errorReply(client, ReplyError.WRONGTYPE);
  return null;
}

/** Writes a coordinate as addReplyHumanLongDouble: a bulk string (RESP2) or a double (RESP3). */
function writeCoordinate(client: Client, value: number): void {
  const text = humanLongDouble(value);
  if (client.resp === 3) client.w.raw(Buffer.from(`,${text}\r\n`, 'latin1'));
  else client.w.bulk(text);
}

// ---------------------------------------------------------------------------------------------
// GEOADD

const scratchCell = new GeoCell();

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member ...: rewritten as ZADD with each position's
 * geohash as the score, and run as ZADD (replies, notifications and propagation are ZADD's).
 */
function geoadd(client: Client, argv: string[]): void {
  let xx = false;
  let nx = false;
  let longIndex = 2;
  for (; longIndex < argv.length; longIndex++) {
    const option = argv[longIndex];
    if (is(option, 'NX')) nx = true;
    else if (is(option, 'XX')) xx = true;
    else if (!is(option, 'CH')) break; // CH is ZADD's business
  }
  if ((argv.length - longIndex) % 3 !== 0 || (xx && nx)) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const zaddArgv = ['zadd'];
  for (let i = 1; i < longIndex; i++) zaddArgv.push(argv[i] ?? '');
  for (let i = longIndex; i < argv.length; i += 3) {
    if (!longLatArgs(client, argv, i)) return;
    encode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, argLongitude, argLatitude, GEO_STEP_MAX, scratchCell);
    zaddArgv.push(interleaveText(scratchCell.lat, scratchCell.lon), argv[i + 2] ?? '');
  }
  const server = client.server;
  const dirty = server.stats.dirty;
  zadd(client, zaddArgv);
  // replaceClientCommandVector: the ZADD is what reaches the AOF and replicas
  if (server.stats.dirty !== dirty) server.propagateAs(client.db, zaddArgv);
  else server.propagateAs(client.db);
}

const zadd = zsetsCommands['zadd'] as (client: Client, argv: string[]) => void;

// ---------------------------------------------------------------------------------------------
// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH, GEOSEARCHSTORE

const RADIUS_COORDS = 1 << 0; // search around coordinates
const RADIUS_MEMBER = 1 << 1; // search around a member
const RADIUS_NOSTORE = 1 << 2; // no STORE / STOREDIST option
const GEOSEARCH = 1 << 3; // GEOSEARCH's arguments
const GEOSEARCHSTORE = 1 << 4; // GEOSEARCHSTORE: STOREDIST without argument

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** Members visited per step when a search may stop early (ANY). */
const WALK_CHUNK = 64;

/** The search in progress: one at a time, so module-level state serves the member visitor. */
const results = new GeoResults();
let searchShape: GeoShape | undefined;
let searchLimit = 0;
let searchFull = false;
const cellRange = new Float64Array(2);

/** The visitor of a cell's members (geoGetPointsInRange's loop body). No closure per search. */
function visitMember(member: string, score: number): void {
  if (searchFull) return;
  const shape = searchShape as GeoShape;
  if (shape.contains(score)) {
    results.push(member, score, shape.xy[0] ?? 0, shape.xy[1] ?? 0, shape.distance);
  }
  if (searchLimit !== 0 && results.length >= searchLimit) searchFull = true;
}

/**
 * membersOfAllNeighbors: the members of the nine cells, in cell order, each cell's in score
 * order, skipping a cell equal to the last one walked (huge radii make neighbours coincide), and
 * stopping once `limit` members are found (ANY; 0 for no limit).
 */
function collect(zset: ZSet, shape: GeoShape, limit: number): void {
  results.reset();
  searchShape = shape;
  searchLimit = limit;
  searchFull = false;
  const set = zset.set;
  const cells = shape.cells;
  let lastProcessed = 0;
  for (let i = 0; i < 9; i++) {
    const cell = cells[i] as GeoCell;
    if (cell.isZero()) continue;
    if (lastProcessed !== 0 && cell.equals(cells[lastProcessed] as GeoCell)) continue;
    if (searchFull) break;
    cellScores(cell, cellRange);
    // ranks of the scores in [min, max)
    const low = set.countByScore(MIN_SCORE, bound(cellRange[0] ?? 0));
    const high = set.countByScore(MIN_SCORE, bound(cellRange[1] ?? 0));
    const chunk = limit === 0 ? high - low : WALK_CHUNK;
    for (let start = low; start < high && !searchFull; start += chunk) {
      set.forEachByRank(start, Math.min(high, start + chunk) - 1, visitMember);
    }
    lastProcessed = i;
  }
  searchShape = undefined;
}

/** The exclusive bound below `score`: countByScore(-inf, bound) counts the scores < `score`. */
function bound(score: number): ScoreBound {
  return { value: score, exclusive: true };
}

/** georadiusGeneric: every search command, `flags` telling which arguments it takes. */
function georadiusGeneric(
  client: Client,
  argv: string[],
  sourceIndex: number,
  flags: number,
): void {
  const server = client.server;
  let storeKey: string | undefined;
  let storeDist = false;
  const zset = zsetForRead(client, argv[sourceIndex] ?? '');
  if (zset === null) return;

  let baseArgs: number;
  let kind: ShapeKind = ShapeKind.CIRCLE;
  let longitude = 0;
  let latitude = 0;
  let radius = 0;
  let width = 0;
  let height = 0;
  let conversion = 1;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    if (!longLatArgs(client, argv, 2)) return;
    longitude = argLongitude;
    latitude = argLatitude;
    const value = distanceArgs(client, argv, 4);
    if (value === undefined) return;
    radius = value;
    conversion = argConversion;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    // without a source key, the arguments are still parsed to pick the reply (STORE or not)
    if (zset !== undefined) {
      const score = zset.set.score(argv[2] ?? '');
      if (score === undefined) {
        server.errorReply(client, GeoError.DECODE_MEMBER);
        return;
      }
      decodeScore(score, memberXY);
      longitude = memberXY[0] ?? 0;
      latitude = memberXY[1] ?? 0;
      const value = distanceArgs(client, argv, 3);
      if (value === undefined) return;
      radius = value;
      conversion = argConversion;
    }
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLocation = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i];
    if (is(arg, 'WITHDIST')) withDist = true;
    else if (is(arg, 'WITHHASH')) withHash = true;
    else if (is(arg, 'WITHCOORD')) withCoords = true;
    else if (is(arg, 'ANY')) any = true;
    else if (is(arg, 'ASC')) sort = SORT_ASC;
    else if (is(arg, 'DESC')) sort = SORT_DESC;
    else if (is(arg, 'COUNT') && i + 1 < remaining) {
      const value = parseInt64(argv[baseArgs + i + 1] ?? '');
      if (value === undefined) {
        server.errorReply(client, ReplyError.NOT_INTEGER);
        return;
      }
      if (value <= 0) {
        server.errorReply(client, GeoError.COUNT);
        return;
      }
      count = typeof value === 'number' ? value : Number.MAX_SAFE_INTEGER;
      i++;
    } else if (
      (is(arg, 'STORE') || is(arg, 'STOREDIST')) &&
      i + 1 < remaining &&
      !(flags & RADIUS_NOSTORE) &&
      !(flags & GEOSEARCH)
    ) {
      storeKey = argv[baseArgs + i + 1];
      storeDist = is(arg, 'STOREDIST');
      i++;
    } else if (is(arg, 'STOREDIST') && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (is(arg, 'FROMMEMBER') && i + 1 < remaining && flags & GEOSEARCH && !fromLocation) {
      // without a source key, parsing goes on and the reply comes once it is done
      if (zset !== undefined) {
        const score = zset.set.score(argv[baseArgs + i + 1] ?? '');
        if (score === undefined) {
          server.errorReply(client, GeoError.DECODE_MEMBER);
          return;
        }
        decodeScore(score, memberXY);
        longitude = memberXY[0] ?? 0;
        latitude = memberXY[1] ?? 0;
      }
      fromMember = true;
      i++;
    } else if (is(arg, 'FROMLONLAT') && i + 2 < remaining && flags & GEOSEARCH && !fromMember) {
      if (!longLatArgs(client, argv, baseArgs + i + 1)) return;
      longitude = argLongitude;
      latitude = argLatitude;
      fromLocation = true;
      i += 2;
    } else if (is(arg, 'BYRADIUS') && i + 2 < remaining && flags & GEOSEARCH && !byBox) {
      const value = distanceArgs(client, argv, baseArgs + i + 1);
      if (value === undefined) return;
      radius = value;
      conversion = argConversion;
      kind = ShapeKind.CIRCLE;
      byRadius = true;
      i += 2;
    } else if (is(arg, 'BYBOX') && i + 3 < remaining && flags & GEOSEARCH && !byRadius) {
      if (!boxArgs(client, argv, baseArgs + i + 1)) return;
      width = argWidth;
      height = argHeight;
      conversion = argConversion;
      kind = ShapeKind.BOX;
      byBox = true;
      i += 3;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    server.errorReply(
      client,
      flags & GEOSEARCHSTORE ? GeoError.SEARCHSTORE_OPTIONS : GeoError.STORE_OPTIONS,
    );
    return;
  }
  if (flags & GEOSEARCH && !(fromMember || fromLocation)) {
    server.errorReply(client, exactlyOneFrom(argv[0] ?? ''));
    return;
  }
  if (flags & GEOSEARCH && !(byRadius || byBox)) {
    server.errorReply(client, exactlyOneBy(argv[0] ?? ''));
    return;
  }
  if (any && count === 0) {
    server.errorReply(client, GeoError.ANY_NEEDS_COUNT);
    return;
  }

  const db = client.db;
  if (zset === undefined) {
    if (storeKey !== undefined) {
      if (db.delete(storeKey)) server.notify('g', 'del', storeKey, db);
      client.w.integer(0);
    } else {
      client.w.arrayHeader(0);
    }
    return;
  }

  // COUNT without an order means the nearest ones (not with ANY: any N will do)
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const shape = new GeoShape(kind, longitude, latitude, radius, width, height, conversion);
  shape.computeCells();
  collect(zset, shape, any ? count : 0);

  const found = results.length;
  if (found === 0 && storeKey === undefined) {
    client.w.arrayHeader(0);
    return;
  }
  const returned = count === 0 || found < count ? found : count;
  if (sort !== SORT_NONE) {
    if (returned === found) results.sortAll(sort === SORT_DESC);
    else results.sortFirst(sort === SORT_DESC, returned - 1);
  }

  const order = results.order;
  if (storeKey === undefined) {
    const w = client.w;
    const options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
    w.arrayHeader(returned);
    for (let i = 0; i < returned; i++) {
      const row = order[i] ?? 0;
      if (options !== 0) w.arrayHeader(options + 1);
      w.bulk(results.members[row] ?? '');
      if (withDist) w.bulk(formatFixed((results.distances[row] ?? 0) / conversion, 4));
      if (withHash) {
        // (long long)score
        const hash = Math.trunc(results.scores[row] ?? 0);
        w.integer(Number.isSafeInteger(hash) ? hash : BigInt(hash));
      }
      if (withCoords) {
        w.arrayHeader(2);
        writeCoordinate(client, results.longitudes[row] ?? 0);
        writeCoordinate(client, results.latitudes[row] ?? 0);
      }
    }
    results.reset();
    return;
  }

  if (returned > 0) {
    let maxLength = 0;
    for (let i = 0; i < returned; i++) {
      const length = (results.members[order[i] ?? 0] ?? '').length;
      if (length > maxLength) maxLength = length;
    }
    // built as a skiplist, then zsetConvertToListpackIfNeeded
    const stored = ZSet.forResult(limitsOf(client), returned, maxLength);
    for (let i = 0; i < returned; i++) {
      const row = order[i] ?? 0;
      // a stored distance shows all its digits: recomputed with correctly rounded trigonometry
      const score = storeDist
        ? exactDistance(
            longitude,
            latitude,
            results.longitudes[row] ?? 0,
            results.latitudes[row] ?? 0,
          ) / conversion
        : (results.scores[row] ?? 0);
      stored.set.add(results.members[row] ?? '', score);
    }
    db.set(storeKey, stored);
    // server.dirty += the members stored (the key's write counted one)
    server.changes(stored.size - 1);
    server.notify('z', flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', storeKey, db);
  } else if (db.delete(storeKey)) {
    server.notify('g', 'del', storeKey, db);
  }
  results.reset();
  client.w.integer(returned);
}

const memberXY = new Float64Array(2);

/** Meters per unit of the last {@link distanceArgs} or {@link boxArgs}. */
let argConversion = 1;
let argWidth = 0;
let argHeight = 0;

/** extractDistanceOrReply: `<radius> <unit>`; the radius in the unit, or undefined after replying. */
function distanceArgs(client: Client, argv: string[], index: number): number | undefined {
  const radius = doubleArg(client, argv[index] ?? '', GeoError.NEED_RADIUS);
  if (radius === undefined) return undefined;
  if (radius < 0) {
    client.server.errorReply(client, GeoError.RADIUS_NEGATIVE);
    return undefined;
  }
  const conversion = unitArg(client, argv[index + 1] ?? '');
  if (conversion === undefined) return undefined;
  argConversion = conversion;
  return radius;
}

/** extractBoxOrReply: `<width> <height> <unit>`. */
function boxArgs(client: Client, argv: string[], index: number): boolean {
  const width = doubleArg(client, argv[index] ?? '', GeoError.NEED_WIDTH);
  if (width === undefined) return false;
  const height = doubleArg(client, argv[index + 1] ?? '', GeoError.NEED_HEIGHT);
  if (height === undefined) return false;
  if (height < 0 || width < 0) {
    client.server.errorReply(client, GeoError.BOX_NEGATIVE);
    return false;
  }
  const conversion = unitArg(client, argv[index + 2] ?? '');
  if (conversion === undefined) return false;
  argWidth = width;
  argHeight = height;
  argConversion = conversion;
  return true;
}

/** The listpack limits in the config now, for a stored result. */
function limitsOf(client: Client): ZSetLimits {
  const config = client.server.config;
  return {
    maxListpackEntries: config.number('zset-max-listpack-entries'),
    maxListpackValue: config.number('zset-max-listpack-value'),
  };
}

// ---------------------------------------------------------------------------------------------
// GEOHASH, GEOPOS, GEODIST

/** GEOHASH key member ...: 11-character standard geohashes, null for missing members. */
function geohash(client: Client, argv: string[]): void {
  const zset = zsetForRead(client, argv[1] ?? '');
  if (zset === null) return;
  const w = client.w;
  w.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.set.score(argv[j] ?? '');
    if (score === undefined) w.nil();
    else w.bulk(geohashString(score));
  }
}

const positionXY = new Float64Array(2);

/** GEOPOS key member ...: [longitude, latitude] pairs, null arrays for missing members. */
function geopos(client: Client, argv: string[]): void {
  const zset = zsetForRead(client, argv[1] ?? '');
  if (zset === null) return;
  const w = client.w;
  w.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.set.score(argv[j] ?? '');
    if (score === undefined) {
      w.nullArray();
      continue;
    }
    decodeScore(score, positionXY);
    w.arrayHeader(2);
    writeCoordinate(client, positionXY[0] ?? 0);
    writeCoordinate(client, positionXY[1] ?? 0);
  }
}

const otherXY = new Float64Array(2);

/** GEODIST key member1 member2 [M|KM|FT|MI]: the distance with 4 decimals, or null. */
function geodist(client: Client, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    const unit = unitArg(client, argv[4] ?? '');
    if (unit === undefined) return;
    toMeters = unit;
  } else if (argv.length > 5) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const zset = zsetForRead(client, argv[1] ?? '');
  if (zset === null) return;
  if (zset === undefined) {
    client.w.nil();
    return;
  }
  const score1 = zset.set.score(argv[2] ?? '');
  const score2 = score1 === undefined ? undefined : zset.set.score(argv[3] ?? '');
  if (score1 === undefined || score2 === undefined) {
    client.w.nil();
    return;
  }
  decodeScore(score1, positionXY);
  decodeScore(score2, otherXY);
  const meters = exactDistance(
    positionXY[0] ?? 0,
    positionXY[1] ?? 0,
    otherXY[0] ?? 0,
    otherXY[1] ?? 0,
  );
  client.w.bulk(formatFixed(meters / toMeters, 4));
}

/** Geospatial indexes on sorted sets: GEOADD GEODIST GEOHASH GEOPOS GEORADIUS* GEOSEARCH GEOSEARCHSTORE. */
export const geoCommands: HandlerTable = {
  geoadd,
  geodist,
  geohash,
  geopos,
  georadius: (client, argv) => georadiusGeneric(client, argv, 1, RADIUS_COORDS),
  georadiusbymember: (client, argv) => georadiusGeneric(client, argv, 1, RADIUS_MEMBER),
  georadius_ro: (client, argv) => georadiusGeneric(client, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE),
  georadiusbymember_ro: (client, argv) =>
    georadiusGeneric(client, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
  geosearch: (client, argv) => georadiusGeneric(client, argv, 1, GEOSEARCH),
  geosearchstore: (client, argv) => georadiusGeneric(client, argv, 2, GEOSEARCH | GEOSEARCHSTORE),
};
