/**
 * Distances on the sphere as redis-server 7.0 computes them (src/geohash_helper.c): the haversine
 * great-circle formula on a sphere of Earth's quadratic mean radius (WGS-84), in meters. The same
 * operations in the same order, so the doubles match Redis's up to the last-bit differences
 * between V8's and glibc's sin/cos/asin.
 */

import { exactAsin, exactCos, exactSin } from './exact-math.js';

/**
 * Earth's quadratic mean radius for WGS-84, in meters (EARTH_RADIUS_IN_METERS).
 *
 * @example
 * const halfCircumference = Math.PI * EARTH_RADIUS_IN_METERS; // 20021 km
 */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;

/** Degrees to radians factor, M_PI / 180.0 as the C compiler folds it. */
const D_R = Math.PI / 180.0;

/** Degrees to radians (deg_rad). O(1). @example degreesToRadians(180); // Math.PI */
export function degreesToRadians(degrees: number): number {
  return degrees * D_R;
}

/** Radians to degrees (rad_deg). O(1). @example radiansToDegrees(Math.PI); // 180 */
export function radiansToDegrees(radians: number): number {
  return radians / D_R;
}

/**
 * geohashGetDistance: the great-circle distance in meters between two positions given in degrees,
 * longitude first. O(1).
 *
 * @example
 * distance(13.361389338970184, 38.1155563954963, 15.087267458438873, 37.50266842333162); // 166274.15...
 */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = lat1 * D_R;
  const lon1r = lon1 * D_R;
  const lat2r = lat2 * D_R;
  const lon2r = lon2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return (
    2.0 *
    EARTH_RADIUS_IN_METERS *
    Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v))
  );
}

/**
 * {@link distance} computed with correctly rounded sin, cos and asin (src/geo/exact-math.ts): the
 * same double as redis-server's (glibc's) far more often, at about 8 µs. For the distances printed
 * with all their digits (GEODIST, STOREDIST scores), not for the search loop. O(1).
 *
 * @example
 * exactDistance(13.361389338970184, 38.1155563954963, 15.087267458438873, 37.50266842333162); // 166274.15...
 */
export function exactDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = lat1 * D_R;
  const lon1r = lon1 * D_R;
  const lat2r = lat2 * D_R;
  const lon2r = lon2 * D_R;
  const u = exactSin((lat2r - lat1r) / 2);
  const v = exactSin((lon2r - lon1r) / 2);
  return (
    2.0 *
    EARTH_RADIUS_IN_METERS *
    exactAsin(Math.sqrt(u * u + exactCos(lat1r) * exactCos(lat2r) * v * v))
  );
}

/**
 * geohashEstimateStepsByRadius: the cell precision (bits per coordinate) at which the center cell
 * and its eight neighbours cover a search of `rangeMeters` around latitude `lat`. O(log range).
 *
 * @example
 * estimateSteps(200000, 37); // 7
 */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most of the base cases
  // wider range towards the poles
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Half the Mercator projection's width in meters (MERCATOR_MAX). */
const MERCATOR_MAX = 20037726.37;
