/**
 * Geohash cells as redis-server 7.0 computes them (src/geohash.c): a longitude and a latitude are
 * each cut into 2^step equal slices of their range, and the two slice indexes are interleaved,
 * latitude in the even bits and longitude in the odd bits. At step 26 the 52-bit result is the
 * score a GEOADD stores in the sorted set.
 *
 * Redis keeps the interleaved value in a uint64_t. Here a cell is kept as its two indexes (the
 * interleaving is only needed to build scores), and 64-bit values travel as two 32-bit words, so
 * that nothing allocates a BigInt on the search path.
 *
 *     score bit:  53 52 51 50 ... 3  2  1  0
 *     from:       lo la lo la ... lo la lo la     (lo = longitude index, la = latitude index)
 */

/** Lowest longitude of the index (GEO_LONG_MIN). @example if (lon < GEO_LONG_MIN) refuse(); */
export const GEO_LONG_MIN = -180;
/** Highest longitude of the index (GEO_LONG_MAX). @example if (lon > GEO_LONG_MAX) refuse(); */
export const GEO_LONG_MAX = 180;
/**
 * Lowest latitude of the index (GEO_LAT_MIN): the limit of Web Mercator (EPSG:3785).
 * @example if (lat < GEO_LAT_MIN) refuse();
 */
export const GEO_LAT_MIN = -85.05112878;
/** Highest latitude of the index (GEO_LAT_MAX). @example if (lat > GEO_LAT_MAX) refuse(); */
export const GEO_LAT_MAX = 85.05112878;
/**
 * The precision of a stored position: 26 bits per coordinate (GEO_STEP_MAX).
 * @example encode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, lon, lat, GEO_STEP_MAX, cell);
 */
export const GEO_STEP_MAX = 26;

const TWO_32 = 4294967296;

/** 2^0 .. 2^52: `2 ** step` is a Math.pow call, too slow for the per-member decode. */
const POW2 = new Float64Array(53);
for (let i = 0; i < 53; i++) POW2[i] = 2 ** i;

/** A [min, max] interval of one coordinate (GeoHashRange). @example const r: CoordRange = { min: -90, max: 90 }; */
export interface CoordRange {
  readonly min: number;
  readonly max: number;
}

/** Longitude range of the geo index (geohashGetCoordRange). @example decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell, area); */
export const WGS84_LONG_RANGE: CoordRange = Object.freeze({ min: GEO_LONG_MIN, max: GEO_LONG_MAX });
/** Latitude range of the geo index (geohashGetCoordRange). @example decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell, area); */
export const WGS84_LAT_RANGE: CoordRange = Object.freeze({ min: GEO_LAT_MIN, max: GEO_LAT_MAX });
/** Latitude range of standard geohash strings (GEOHASH re-encodes with it). @example encode(WGS84_LONG_RANGE, STANDARD_LAT_RANGE, lon, lat, 26, cell); */
export const STANDARD_LAT_RANGE: CoordRange = Object.freeze({ min: -90, max: 90 });

/**
 * One geohash cell (GeoHashBits, with its bits kept as the two indexes). `step` 0 marks a cell
 * excluded from a search (GZERO). Mutable so that a search reuses its nine cells.
 *
 * @example
 * const cell = new GeoCell();
 * encode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, 2.35, 48.85, 10, cell); // cell.lon, cell.lat < 2^10
 */
export class GeoCell {
  /** longitude slice index, 0 .. 2^step - 1 (2^step when the coordinate is the range's max) */
  lon = 0;
  /** latitude slice index */
  lat = 0;
  /** bits per coordinate, 1..26; 0 for an excluded cell */
  step = 0;

  /** Copies another cell. O(1). @example north.copy(center); */
  copy(other: GeoCell): void {
    this.lon = other.lon;
    this.lat = other.lat;
    this.step = other.step;
  }

  /** HASHISZERO: an excluded cell (bits and step both 0). O(1). @example if (cell.isZero()) continue; */
  isZero(): boolean {
    return this.step === 0 && this.lon === 0 && this.lat === 0;
  }

  /** Same bits and step. O(1). @example a.equals(b) */
  equals(other: GeoCell): boolean {
    return this.lon === other.lon && this.lat === other.lat && this.step === other.step;
  }

  /** GZERO. O(1). @example cell.clear(); */
  clear(): void {
    this.lon = 0;
    this.lat = 0;
    this.step = 0;
  }
}

/**
 * The bounds of a cell (GeoHashArea), written by {@link decodeCell}. Mutable and reused.
 *
 * @example
 * const area = new GeoArea();
 * decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell, area); // area.lonMin .. area.lonMax
 */
export class GeoArea {
  lonMin = 0;
  lonMax = 0;
  latMin = 0;
  latMax = 0;
}

/** Spreads the low 16 bits of `x` to the even bits of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function squash16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  return (x | (x >>> 8)) & 0x0000ffff;
}

/**
 * interleave64(lat, lon) as a double: exact while the result stays below 2^53 (indexes of up to
 * 26 bits), and otherwise rounded once to the nearest double, as strtod rounds the decimal string
 * GEOADD passes to ZADD. O(1).
 *
 * @example
 * interleave(1, 1); // 3 (latitude bit 0, longitude bit 1)
 */
export function interleave(lat: number, lon: number): number {
  const low = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const high = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return high * TWO_32 + low;
}

/**
 * The exact decimal text of interleave64(lat, lon), the score string GEOADD hands to ZADD (and
 * propagates): it differs from the double's text when the value passes 2^53 (longitude 180). O(1).
 *
 * @example
 * interleaveText(1, 1); // "3"
 */
export function interleaveText(lat: number, lon: number): string {
  const low = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const high = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  const value = high * TWO_32 + low;
  return Number.isSafeInteger(value)
    ? String(value)
    : ((BigInt(high) << 32n) | BigInt(low)).toString();
}

/**
 * geohashEncode: the cell of (longitude, latitude) at `step` bits per coordinate within the
 * given ranges, written into `cell`. Returns false (cell cleared, step kept) where Redis returns
 * 0: coordinates outside the index's limits or outside the ranges. O(1).
 *
 * @example
 * const cell = new GeoCell();
 * encode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, 13.361389, 38.115556, 26, cell);
 * interleave(cell.lat, cell.lon); // 3479099956230698, Palermo's score
 */
export function encode(
  longRange: CoordRange,
  latRange: CoordRange,
  longitude: number,
  latitude: number,
  step: number,
  cell: GeoCell,
): boolean {
  if (step > 32 || step === 0) return false;
  if (
    longitude > GEO_LONG_MAX ||
    longitude < GEO_LONG_MIN ||
    latitude > GEO_LAT_MAX ||
    latitude < GEO_LAT_MIN
  ) {
    return false;
  }
  cell.lon = 0;
  cell.lat = 0;
  cell.step = step;
  if (
    latitude < latRange.min ||
    latitude > latRange.max ||
    longitude < longRange.min ||
    longitude > longRange.max
  ) {
    return false;
  }
  const scale = POW2[step] ?? 2 ** step;
  const latOffset = ((latitude - latRange.min) / (latRange.max - latRange.min)) * scale;
  const longOffset = ((longitude - longRange.min) / (longRange.max - longRange.min)) * scale;
  // (uint32_t) conversions: truncation toward zero, the offsets are within [0, 2^step]
  cell.lat = Math.trunc(latOffset) >>> 0;
  cell.lon = Math.trunc(longOffset) >>> 0;
  return true;
}

/**
 * geohashDecode: the bounds of `cell` within the ranges, into `area`. The index + 1 of the upper
 * bound wraps at 2^32 as Redis's uint32_t does. O(1).
 *
 * @example
 * decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cell, area); // area.lonMin <= longitude < area.lonMax
 */
export function decodeCell(
  longRange: CoordRange,
  latRange: CoordRange,
  cell: GeoCell,
  area: GeoArea,
): void {
  decodeIndexes(longRange, latRange, cell.lon, cell.lat, cell.step, area);
}

function decodeIndexes(
  longRange: CoordRange,
  latRange: CoordRange,
  lon: number,
  lat: number,
  step: number,
  area: GeoArea,
): void {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const divisor = POW2[step] ?? 2 ** step;
  area.latMin = latRange.min + (lat / divisor) * latScale;
  area.latMax = latRange.min + (((lat + 1) >>> 0) / divisor) * latScale;
  area.lonMin = longRange.min + (lon / divisor) * longScale;
  area.lonMax = longRange.min + (((lon + 1) >>> 0) / divisor) * longScale;
}

/** The high and low 32-bit words of the last {@link toUint64} conversion. */
let wordHigh = 0;
let wordLow = 0;

/**
 * `(uint64_t)score` as gcc compiles it on x86-64, into wordHigh/wordLow: truncation; a negative
 * value wraps (two's complement) down to -2^63, anything below or NaN gives 2^63; from 2^64 up,
 * infinity included, 0.
 */
function toUint64(score: number): void {
  if (!(score < 9223372036854775808)) {
    // the ">= 2^63" branch: cvttsd2si(score - 2^63) ^ 2^63
    if (score < 18446744073709551616) {
      const t = Math.trunc(score);
      wordHigh = Math.floor(t / TWO_32);
      wordLow = t - wordHigh * TWO_32;
    } else if (Number.isNaN(score)) {
      wordHigh = 0x80000000;
      wordLow = 0;
    } else {
      wordHigh = 0;
      wordLow = 0;
    }
    return;
  }
  if (score < -9223372036854775808) {
    wordHigh = 0x80000000;
    wordLow = 0;
    return;
  }
  const t = Math.trunc(score);
  const magnitude = Math.abs(t);
  let high = Math.floor(magnitude / TWO_32);
  let low = magnitude - high * TWO_32;
  if (t < 0) {
    // two's complement of the 64-bit magnitude
    low = (TWO_32 - low) % TWO_32;
    high = (~high + (low === 0 ? 1 : 0)) >>> 0;
  }
  wordHigh = high;
  wordLow = low;
}

const TWO_53 = 9007199254740992;
const CELLS_26 = 67108864;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * decodeGeohash + geohashDecodeAreaToLongLat: the position a sorted-set score stands for, the
 * center of its step-26 cell clamped to the index's limits, written to `xy` ([longitude,
 * latitude]). Any score decodes (Redis never refuses one at step 26). O(1).
 *
 * @example
 * const xy = new Float64Array(2);
 * decodeScore(3479099956230698, xy); // xy = [13.361389338970184, 38.1155563954963]
 */
export function decodeScore(score: number, xy: Float64Array): void {
  let high: number;
  let low: number;
  if (score >= 0 && score < TWO_53) {
    // the usual case, a GEOADD score: (uint64_t) truncates, the words split exactly
    high = Math.floor(score / TWO_32);
    low = Math.trunc(score - high * TWO_32);
  } else {
    toUint64(score);
    high = wordHigh;
    low = wordLow;
  }
  const lat = (squash16(low) | (squash16(high) << 16)) >>> 0;
  const lon = (squash16(low >>> 1) | (squash16(high >>> 1) << 16)) >>> 0;
  // geohashDecode at step 26 with the WGS84 ranges, inlined (the hot path of every search):
  // dividing by 2^26 is exact, so the operations and their rounding are Redis's
  const latMin = GEO_LAT_MIN + (lat / CELLS_26) * LAT_SCALE;
  const latMax = GEO_LAT_MIN + (((lat + 1) >>> 0) / CELLS_26) * LAT_SCALE;
  const lonMin = GEO_LONG_MIN + (lon / CELLS_26) * LONG_SCALE;
  const lonMax = GEO_LONG_MIN + (((lon + 1) >>> 0) / CELLS_26) * LONG_SCALE;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

/**
 * The score range [min, max) holding every position inside `cell` (scoresOfGeoHashBox): the cell's
 * bits aligned to 52 bits, and the next cell's. Written to `range` as [min, max]. O(1).
 *
 * @example
 * cellScores(cell, range); // zset members with range[0] <= score < range[1] lie in the cell
 */
export function cellScores(cell: GeoCell, range: Float64Array): void {
  const bits = interleave(cell.lat, cell.lon);
  const shift = POW2[52 - cell.step * 2] ?? 2 ** (52 - cell.step * 2);
  range[0] = bits * shift;
  range[1] = (bits + 1) * shift;
}

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
const standardCell = new GeoCell();
const hashXY = new Float64Array(2);

/**
 * The 11-character standard geohash of a score (GEOHASH): decoded, re-encoded with the standard
 * latitude range -90..90 at 26 bits per coordinate, in base 32, with a last character of '0'
 * (52 bits only fill ten). O(1).
 *
 * @example
 * geohashString(3479099956230698); // "sqc8b49rny0"
 */
export function geohashString(score: number): string {
  decodeScore(score, hashXY);
  const cell = standardCell;
  cell.lat = 0;
  cell.lon = 0;
  encode(WGS84_LONG_RANGE, STANDARD_LAT_RANGE, hashXY[0] ?? 0, hashXY[1] ?? 0, 26, cell);
  // only the low 52 bits are read (a longitude of exactly 180 overflows into bit 53)
  const low = (spread16(cell.lat) | (spread16(cell.lon) << 1)) >>> 0;
  const high = (spread16(cell.lat >>> 16) | (spread16(cell.lon >>> 16) << 1)) & 0xfffff;
  const bits = high * TWO_32 + low;
  let text = '';
  for (let i = 0; i < 10; i++) {
    const index = Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32;
    text += GEOHASH_ALPHABET[index];
  }
  return text + '0';
}

/**
 * geohashNeighbors: the eight cells around `center`, at its step, wrapping around the index's
 * edges as Redis's bit arithmetic does. O(1).
 *
 * @example
 * neighbor(center, 1, 0, east); // east.lon = center.lon + 1 (mod 2^step)
 */
export function neighbor(center: GeoCell, dLon: number, dLat: number, out: GeoCell): void {
  const mask = 2 ** center.step - 1;
  out.step = center.step;
  // a move of 0 leaves the bits alone (geohash_move_x/y return early), even an index of 2^step
  out.lon = dLon === 0 ? center.lon : (center.lon + dLon) & mask;
  out.lat = dLat === 0 ? center.lat : (center.lat + dLat) & mask;
}
