import { describe, expect, it } from 'vitest';
import { listpackEntrySize } from '../../src/persistence/listpack.js';
import { ListValue } from '../../src/types/list.js';
import { QuicklistNodes } from '../../src/types/quicklist-nodes.js';

/** A list of `fill` built by RPUSH of `values`. */
function pushed(fill: number, values: string[], head = false): ListValue {
  const list = new ListValue({ fill, compress: 0 });
  for (const value of values) {
    if (head) list.pushLeft(value);
    else list.pushRight(value);
  }
  return list;
}

// Node counts below are the ones redis-server 7.0.15's DUMP payloads hold for the same commands.
describe('QuicklistNodes', () => {
  it('fills nodes from the end pushed to', () => {
    expect(pushed(2, ['a', 'a', 'a'], true).nodeCounts()).toEqual([1, 2]);
    expect(pushed(2, ['a', 'b', 'c', 'd', 'e']).nodeCounts()).toEqual([2, 2, 1]);
    expect(pushed(2, ['a', 'b', 'c', 'd', 'e'], true).nodeCounts()).toEqual([1, 2, 2]);
    // LPUSH's arguments, one push at a time at the head
    expect(
      ListValue.from(['e', 'd', 'c', 'b', 'a'], { fill: 2, compress: 0 }, true).nodeCounts(),
    ).toEqual([1, 2, 2]);
  });

  it('LINSERT: a split, a new node, the neighbour with room', () => {
    const list = pushed(2, ['a', 'b', 'c', 'd', 'e']);
    list.insertAt(2, true, 'X'); // after c: [a b] [c] [X d] [e]
    expect(list.nodeCounts()).toEqual([2, 1, 2, 1]);
    list.insertAt(0, false, 'Y'); // before a, no room before: [Y] [a b] [c] [X d] [e]
    expect(list.nodeCounts()).toEqual([1, 2, 1, 2, 1]);
    list.insertAt(2, true, 'Z'); // after b, at its node's tail: into [c]
    expect(list.nodeCounts()).toEqual([1, 2, 2, 2, 1]);
    expect(list.toArray()).toEqual(['Y', 'a', 'b', 'Z', 'c', 'X', 'd', 'e']);
    list.checkInvariants();
  });

  it('a node of the 4 KB limit takes an element while its estimate is 4,096 bytes', () => {
    const thirty = Array.from({ length: 127 }, () => 'x'.repeat(30));
    // 7 + 127 * 32 = 4,071 bytes; 4,071 + 17 + 8 = 4,096 fits, 4,071 + 18 + 8 does not
    const fits = pushed(-1, [...thirty, 'y'.repeat(17), 'z']);
    expect(fits.nodeCounts()).toEqual([128, 1]);
    expect(fits.nodeBytes()).toEqual([4071 + 19, 7 + 3]);
    expect(pushed(-1, [...thirty, 'y'.repeat(18), 'z']).nodeCounts()).toEqual([127, 2]);
  });

  it('pops, removals and trims drop emptied nodes and keep the byte counts', () => {
    const values = ['1', 'two', '300', 'four', '-5', 'six', '7', 'eight'];
    const list = pushed(3, values);
    expect(list.nodeCounts()).toEqual([3, 3, 2]);
    list.popLeft();
    list.removeMatching('six', 0);
    list.removeLast(2);
    expect(list.nodeCounts()).toEqual([2, 2]);
    const kept = ['two', '300', 'four', '-5'];
    expect(list.toArray()).toEqual(kept);
    const bytes = [kept.slice(0, 2), kept.slice(2)].map(
      (node) => 7 + node.reduce((sum, value) => sum + listpackEntrySize(value), 0),
    );
    expect(list.nodeBytes()).toEqual(bytes);
    list.set(0, 'x'.repeat(100));
    expect(list.nodeBytes()[0]).toBe(bytes[0]! - listpackEntrySize('two') + 103); // 2 + 100 + 1
    list.checkInvariants();
  });

  it('keeps nodes as a payload had them, and copies them', () => {
    const nodes = QuicklistNodes.of({ fill: -2, compress: 0 }, [2, 0, 1], [13, 7, 10]);
    expect(nodes.counts()).toEqual([2, 1]);
    const list = ListValue.fromNodes(['a', 'b', 'c'], { fill: 5, compress: 1 }, [1, 2], [10, 13]);
    expect(list.nodeCounts()).toEqual([1, 2]);
    expect(list.quicklistOptions).toMatchObject({ fill: 5, compress: 1 });
    const copy = list.clone();
    copy.pushRight('d');
    expect(copy.nodeCounts()).toEqual([1, 3]);
    expect(list.nodeCounts()).toEqual([1, 2]);
  });
});
