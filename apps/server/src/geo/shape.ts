import {
  EARTH_RADIUS_IN_METERS,
  degreesToRadians,
  estimateSteps,
  radiansToDegrees,
} from './distance.js';
import {
  GeoArea,
  GeoCell,
  WGS84_LAT_RANGE,
  WGS84_LONG_RANGE,
  decodeCell,
  decodeScore,
  encode,
  neighbor,
} from './geohash.js';

/** The two kinds of search area (CIRCULAR_TYPE, RECTANGLE_TYPE). @example new GeoShape(ShapeKind.BOX, lon, lat, 0, w, h, 1000); */
export const ShapeKind = {
  CIRCLE: 0,
  BOX: 1,
} as const;
export type ShapeKind = (typeof ShapeKind)[keyof typeof ShapeKind];

/**
 * The nine cells a search walks, in redis-server's order (membersOfAllNeighbors): the center,
 * then north, south, east, west, north-east, north-west, south-east, south-west. Indexes into
 * {@link GeoShape.cells}.
 *
 * @example
 * shape.cells[CellOrder.NORTH]; // the cell above the center
 */
export const CellOrder = {
  CENTER: 0,
  NORTH: 1,
  SOUTH: 2,
  EAST: 3,
  WEST: 4,
  NORTH_EAST: 5,
  NORTH_WEST: 6,
  SOUTH_EAST: 7,
  SOUTH_WEST: 8,
} as const;

/** Longitude and latitude moves of each cell of {@link CellOrder}. */
const MOVES: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [0, -1],
  [1, 0],
  [-1, 0],
  [1, 1],
  [-1, 1],
  [1, -1],
  [-1, -1],
];

const scratchArea = new GeoArea();

/**
 * A search area (GeoShape of redis-server 7.0): a circle of `radius` or a `width` x `height` box,
 * in the unit whose size in meters is `conversion`, around (`longitude`, `latitude`). It computes
 * the cells that cover it ({@link GeoShape.computeCells}) and tests a member's score against it
 * ({@link GeoShape.contains}). One object per search; all fields set in the constructor.
 *
 * @example
 * const shape = new GeoShape(ShapeKind.CIRCLE, 15, 37, 200, 0, 0, 1000);
 * shape.computeCells();
 * if (shape.contains(3479099956230698)) console.log(shape.distance); // 190442.42... meters
 */
export class GeoShape {
  readonly kind: ShapeKind;
  readonly longitude: number;
  readonly latitude: number;
  /** circle radius, in the unit */
  readonly radius: number;
  /** box width and height, in the unit */
  readonly width: number;
  readonly height: number;
  /** meters per unit */
  readonly conversion: number;
  /** bounding box (geohashBoundingBox) */
  minLongitude = 0;
  maxLongitude = 0;
  minLatitude = 0;
  maxLatitude = 0;
  /** the nine cells, in {@link CellOrder}; a cleared cell (step 0) is skipped */
  readonly cells: readonly GeoCell[];
  /** the center cell's bounds */
  readonly area = new GeoArea();
  /** written by {@link GeoShape.contains}: the position of the member and its distance in meters */
  readonly xy = new Float64Array(2);
  distance = 0;
  /** the center in radians and the cosine of its latitude, the same for every member */
  readonly #longitudeRadians: number;
  readonly #latitudeRadians: number;
  readonly #cosLatitude: number;

  constructor(
    kind: ShapeKind,
    longitude: number,
    latitude: number,
    radius: number,
    width: number,
    height: number,
    conversion: number,
  ) {
    this.kind = kind;
    this.longitude = longitude;
    this.latitude = latitude;
    this.radius = radius;
    this.width = width;
    this.height = height;
    this.conversion = conversion;
    this.#longitudeRadians = degreesToRadians(longitude);
    this.#latitudeRadians = degreesToRadians(latitude);
    this.#cosLatitude = Math.cos(this.#latitudeRadians);
    const cells: GeoCell[] = [];
    for (let i = 0; i < 9; i++) cells.push(new GeoCell());
    this.cells = cells;
  }

  /**
   * geoWithinShape: decodes `score` into {@link GeoShape.xy} and tells whether that position lies
   * in the area, setting {@link GeoShape.distance} (meters from the center) when it does. O(1).
   *
   * @example
   * shape.contains(score) && results.push(member, shape.distance);
   */
  contains(score: number): boolean {
    const xy = this.xy;
    decodeScore(score, xy);
    const x = xy[0] ?? 0;
    const y = xy[1] ?? 0;
    if (this.kind === ShapeKind.CIRCLE) {
      // geohashGetDistanceIfInRadiusWGS84: distance(center, x, y) with the center's terms
      // computed once (the same operations in the same order, so the same double)
      const lat2r = degreesToRadians(y);
      const u = Math.sin((lat2r - this.#latitudeRadians) / 2);
      const v = Math.sin((degreesToRadians(x) - this.#longitudeRadians) / 2);
      const d =
        2.0 *
        EARTH_RADIUS_IN_METERS *
        Math.asin(Math.sqrt(u * u + this.#cosLatitude * Math.cos(lat2r) * v * v));
      if (d > this.radius * this.conversion) return false;
      this.distance = d;
      return true;
    }
    // geohashGetDistanceIfInRectangle: lonDistance = distance(x, y, centerLon, y) and
    // latDistance = distance(x, y, x, centerLat), both under their half side. Specialised, the
    // terms multiplied by sin(0) = 0 vanish exactly (u*u + 0 is u*u), so the doubles are Redis's
    // with fewer sin/cos calls, and the latitude test (one sin) goes first: a pure reordering.
    // Readability traded for speed: this runs for every candidate of a BYBOX search.
    const lat2r = degreesToRadians(y);
    const u = Math.sin((this.#latitudeRadians - lat2r) / 2);
    const latDistance = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u));
    if (latDistance > (this.height * this.conversion) / 2) return false;
    const lon2r = degreesToRadians(x);
    const cosLat2 = Math.cos(lat2r);
    const v = Math.sin((this.#longitudeRadians - lon2r) / 2);
    const lonDistance =
      2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(cosLat2 * cosLat2 * v * v));
    if (lonDistance > (this.width * this.conversion) / 2) return false;
    // distance(centerLon, centerLat, x, y)
    const u2 = Math.sin((lat2r - this.#latitudeRadians) / 2);
    const v2 = Math.sin((lon2r - this.#longitudeRadians) / 2);
    this.distance =
      2.0 *
      EARTH_RADIUS_IN_METERS *
      Math.asin(Math.sqrt(u2 * u2 + this.#cosLatitude * cosLat2 * v2 * v2));
    return true;
  }

  /**
   * geohashCalculateAreasByShapeWGS84: the bounding box, then the precision at which the center
   * cell and its neighbours cover it (one step coarser when a neighbour falls short of the box),
   * then the neighbours that lie wholly outside the box cleared. O(1).
   *
   * @example
   * shape.computeCells();
   * for (const cell of shape.cells) if (!cell.isZero()) scan(cell);
   */
  computeCells(): void {
    const circle = this.kind === ShapeKind.CIRCLE;
    const longitude = this.longitude;
    const latitude = this.latitude;
    // geohashBoundingBox
    const height = this.conversion * (circle ? this.radius : this.height / 2);
    const width = this.conversion * (circle ? this.radius : this.width / 2);
    const latDelta = radiansToDegrees(height / EARTH_RADIUS_IN_METERS);
    const longDeltaTop = radiansToDegrees(
      width / EARTH_RADIUS_IN_METERS / Math.cos(degreesToRadians(latitude + latDelta)),
    );
    const longDeltaBottom = radiansToDegrees(
      width / EARTH_RADIUS_IN_METERS / Math.cos(degreesToRadians(latitude - latDelta)),
    );
    const southern = latitude < 0;
    this.minLongitude = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
    this.maxLongitude = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
    this.minLatitude = latitude - latDelta;
    this.maxLatitude = latitude + latDelta;

    let radiusMeters = circle
      ? this.radius
      : Math.sqrt((this.width / 2) * (this.width / 2) + (this.height / 2) * (this.height / 2));
    radiusMeters *= this.conversion;
    let steps = estimateSteps(radiusMeters, latitude);
    this.#cover(steps);

    // Is the step small enough at the limits of the covered area? Near an edge of the center
    // cell, one of the four side neighbours can be too narrow to reach the bounding box.
    const cells = this.cells;
    const side = scratchArea;
    let decrease = false;
    decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cells[CellOrder.NORTH] as GeoCell, side);
    if (side.latMax < this.maxLatitude) decrease = true;
    decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cells[CellOrder.SOUTH] as GeoCell, side);
    if (side.latMin > this.minLatitude) decrease = true;
    decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cells[CellOrder.EAST] as GeoCell, side);
    if (side.lonMax < this.maxLongitude) decrease = true;
    decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, cells[CellOrder.WEST] as GeoCell, side);
    if (side.lonMin > this.minLongitude) decrease = true;
    if (steps > 1 && decrease) {
      steps--;
      this.#cover(steps);
    }

    // exclude the cells that are useless
    if (steps >= 2) {
      const area = this.area;
      if (area.latMin < this.minLatitude) {
        this.#clear(CellOrder.SOUTH, CellOrder.SOUTH_WEST, CellOrder.SOUTH_EAST);
      }
      if (area.latMax > this.maxLatitude) {
        this.#clear(CellOrder.NORTH, CellOrder.NORTH_EAST, CellOrder.NORTH_WEST);
      }
      if (area.lonMin < this.minLongitude) {
        this.#clear(CellOrder.WEST, CellOrder.SOUTH_WEST, CellOrder.NORTH_WEST);
      }
      if (area.lonMax > this.maxLongitude) {
        this.#clear(CellOrder.EAST, CellOrder.SOUTH_EAST, CellOrder.NORTH_EAST);
      }
    }
  }

  /** The center cell at `steps`, its eight neighbours and its bounds. */
  #cover(steps: number): void {
    const cells = this.cells;
    const center = cells[CellOrder.CENTER] as GeoCell;
    encode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, this.longitude, this.latitude, steps, center);
    for (let i = 1; i < 9; i++) {
      const move = MOVES[i] as readonly [number, number];
      neighbor(center, move[0], move[1], cells[i] as GeoCell);
    }
    decodeCell(WGS84_LONG_RANGE, WGS84_LAT_RANGE, center, this.area);
  }

  #clear(a: number, b: number, c: number): void {
    const cells = this.cells;
    (cells[a] as GeoCell).clear();
    (cells[b] as GeoCell).clear();
    (cells[c] as GeoCell).clear();
  }
}
