/**
 * The points a geo search found (geoArray of src/geo.c): parallel columns, typed arrays for the
 * numbers, grown by doubling and reused from one search to the next. Sorting permutes `order`,
 * a list of row indexes, never the rows.
 *
 * Sorting reproduces redis-server's tie order byte for byte, which needs two algorithms:
 * - a full sort (no COUNT, or COUNT >= results) is glibc's qsort, a stable merge sort: rows at
 *   equal distance keep the order the search found them in. Array.prototype.sort is stable too.
 * - a partial sort (COUNT below the number of results) is Redis's pqsort (src/pqsort.c, Bentley &
 *   McIlroy's quicksort that skips partitions outside the wanted ranks), which is not stable: it is
 *   ported line for line below, with pointers turned into indexes into `order`. Redis 7.0's copy
 *   has no "switch to insertion sort when nothing moved" shortcut of the BSD original.
 *
 * @example
 * const results = new GeoResults();
 * results.push('Palermo', score, lon, lat, 190442.4);
 * results.sortFirst(false, 9); // results.order[0..9]: the ten nearest rows
 */
export class GeoResults {
  /** number of rows */
  length = 0;
  members: string[] = [];
  scores = new Float64Array(16);
  longitudes = new Float64Array(16);
  latitudes = new Float64Array(16);
  /** meters from the center of the search */
  distances = new Float64Array(16);
  /** row indexes in reply order (after a sort) */
  order = new Int32Array(16);
  #descending = false;

  /** Forgets every row, keeping the storage. O(1). @example results.reset(); */
  reset(): void {
    this.length = 0;
    this.members.length = 0;
  }

  /**
   * Appends a row (geoArrayAppend). Amortised O(1).
   *
   * @example
   * results.push('Palermo', 3479099956230698, 13.36, 38.11, 190442.4);
   */
  push(member: string, score: number, longitude: number, latitude: number, distance: number): void {
    const row = this.length;
    if (row === this.scores.length) this.#grow();
    this.members.push(member);
    this.scores[row] = score;
    this.longitudes[row] = longitude;
    this.latitudes[row] = latitude;
    this.distances[row] = distance;
    this.order[row] = row;
    this.length = row + 1;
  }

  /**
   * Sorts every row by distance, ascending or descending, equal distances in search order (qsort
   * with sort_gp_asc / sort_gp_desc). O(n log n).
   *
   * @example
   * results.sortAll(false); // nearest first
   */
  sortAll(descending: boolean): void {
    const distances = this.distances;
    const sign = descending ? -1 : 1;
    const rows = Array.from(this.order.subarray(0, this.length));
    rows.sort((a, b) => {
      const da = distances[a] ?? 0;
      const db = distances[b] ?? 0;
      return sign * (da > db ? 1 : da === db ? 0 : -1);
    });
    this.order.set(rows);
  }

  /**
   * pqsort(array, n, cmp, 0, last): sorts just enough for ranks 0..`last` to hold the rows a full
   * sort would put there, in Redis's exact (unstable) order. O(n + k log k) on average.
   *
   * @example
   * results.sortFirst(false, 9); // the ten nearest, nearest first
   */
  sortFirst(descending: boolean, last: number): void {
    this.#descending = descending;
    this.#pqsort(0, this.length, 0, last);
  }

  /**
   * Throws unless the buffer is consistent: one member per row and `order` a permutation of the
   * rows. For tests. O(n).
   *
   * @example
   * results.checkInvariants();
   */
  checkInvariants(): void {
    const length = this.length;
    if (this.members.length !== length) {
      throw new Error(`${this.members.length} members for ${length} rows`);
    }
    const seen = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const row = this.order[i] ?? -1;
      if (row < 0 || row >= length || seen[row] === 1) {
        throw new Error(`order is not a permutation at position ${i}`);
      }
      seen[row] = 1;
    }
  }

  /** sort_gp_asc / sort_gp_desc on the rows at positions i and j of `order`. */
  #compare(i: number, j: number): number {
    const order = this.order;
    const a = this.distances[order[i] ?? 0] ?? 0;
    const b = this.distances[order[j] ?? 0] ?? 0;
    const result = a > b ? 1 : a === b ? 0 : -1;
    return this.#descending ? -result : result;
  }

  #swap(i: number, j: number): void {
    const order = this.order;
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }

  #vecswap(i: number, j: number, n: number): void {
    for (let k = 0; k < n; k++) this.#swap(i + k, j + k);
  }

  #med3(a: number, b: number, c: number): number {
    return this.#compare(a, b) < 0
      ? this.#compare(b, c) < 0
        ? b
        : this.#compare(a, c) < 0
          ? c
          : a
      : this.#compare(b, c) > 0
        ? b
        : this.#compare(a, c) < 0
          ? a
          : c;
  }

  #insertionSort(a: number, n: number): void {
    for (let pm = a + 1; pm < a + n; pm++) {
      for (let pl = pm; pl > a && this.#compare(pl - 1, pl) > 0; pl--) this.#swap(pl, pl - 1);
    }
  }

  /**
   * _pqsort over positions a..a+n-1, wanted ranks lrange..rrange. Pointer differences of the C code
   * are element counts here (`> es` becomes `> 1`).
   */
  #pqsort(a: number, n: number, lrange: number, rrange: number): void {
    for (;;) {
      if (n < 7) {
        this.#insertionSort(a, n);
        return;
      }
      let pm = a + Math.floor(n / 2);
      if (n > 7) {
        let pl = a;
        let pn = a + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = this.#med3(pl, pl + d, pl + 2 * d);
          pm = this.#med3(pm - d, pm, pm + d);
          pn = this.#med3(pn - 2 * d, pn - d, pn);
        }
        pm = this.#med3(pl, pm, pn);
      }
      this.#swap(a, pm);
      let pa = a + 1;
      let pb = pa;
      let pc = a + n - 1;
      let pd = pc;
      for (;;) {
        let result: number;
        while (pb <= pc && (result = this.#compare(pb, a)) <= 0) {
          if (result === 0) {
            this.#swap(pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (result = this.#compare(pc, a)) >= 0) {
          if (result === 0) {
            this.#swap(pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        this.#swap(pb, pc);
        pb++;
        pc--;
      }
      const pn = a + n;
      let r = Math.min(pa - a, pb - pa);
      this.#vecswap(a, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      this.#vecswap(pb, pn - r, r);
      r = pb - pa;
      // recurse only where the partition overlaps the wanted ranks
      if (r > 1 && !(rrange < a || lrange >= a + r)) this.#pqsort(a, r, lrange, rrange);
      r = pd - pc;
      if (r <= 1) return;
      // iterate rather than recurse
      a = pn - r;
      n = r;
      if (rrange < a || lrange >= a + n) return;
    }
  }

  #grow(): void {
    const capacity = this.scores.length * 2;
    const grow = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.scores = grow(this.scores);
    this.longitudes = grow(this.longitudes);
    this.latitudes = grow(this.latitudes);
    this.distances = grow(this.distances);
    const order = new Int32Array(capacity);
    order.set(this.order);
    this.order = order;
  }
}
