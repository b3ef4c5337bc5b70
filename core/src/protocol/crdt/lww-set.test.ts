import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHlc } from './hlc.ts';
import { compareStamps, type HlcStamp } from './hlc-stamp.ts';
import {
  addElement,
  count,
  countDelta,
  emptySet,
  has,
  mergeSet,
  removeElement,
  values,
  type LwwSet,
} from './lww-set.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';

interface Operation {
  kind: 'add' | 'remove';
  element: string;
  stamp: HlcStamp;
}

const targets = ['series:1', 'series:2', 'episode:7', 'creator:3'];

/** Tiny stamp ranges so equal stamps, including an add and a remove sharing one, come up often. */
function randomOperation(random: SeededRandom): Operation {
  return {
    kind: random.next() < 0.55 ? 'add' : 'remove',
    element: random.pick(targets),
    stamp: { wallMs: random.int(0, 4), counter: random.int(0, 1), node: random.pick(['a', 'b']) },
  };
}

function apply(set: LwwSet, op: Operation): LwwSet {
  return op.kind === 'add'
    ? addElement(set, op.element, op.stamp)
    : removeElement(set, op.element, op.stamp);
}

function randomSet(random: SeededRandom): LwwSet {
  return Array.from({ length: random.int(0, 8) }, () => randomOperation(random)).reduce(
    apply,
    emptySet(),
  );
}

/** The specification: per element the latest operation by stamp decides, a remove winning a tie. */
function expectedValues(ops: readonly Operation[]): string[] {
  const present: string[] = [];
  for (const element of targets) {
    let latest: Operation | undefined;
    for (const op of ops.filter((o) => o.element === element)) {
      const order = latest === undefined ? 1 : compareStamps(op.stamp, latest.stamp);
      if (order > 0 || (order === 0 && op.kind === 'remove')) latest = op;
    }
    if (latest?.kind === 'add') present.push(element);
  }
  return present.sort();
}

test('mergeSet is commutative, associative and idempotent', () => {
  const random = seededRandom(31);
  for (let i = 0; i < 3000; i += 1) {
    const [a, b, c] = [randomSet(random), randomSet(random), randomSet(random)];
    assert.deepEqual(mergeSet(a, b), mergeSet(b, a));
    assert.deepEqual(mergeSet(mergeSet(a, b), c), mergeSet(a, mergeSet(b, c)));
    assert.deepEqual(mergeSet(a, a), a);
    assert.deepEqual(mergeSet(mergeSet(a, b), b), mergeSet(a, b));
  }
});

test('operations in any order, duplicated, converge on latest-operation-wins with remove winning ties', () => {
  for (let seed = 1; seed <= 300; seed += 1) {
    const random = seededRandom(seed);
    const ops = Array.from({ length: random.int(1, 25) }, () => randomOperation(random));
    const withDuplicates = [...ops, ...ops.filter(() => random.next() < 0.3)];
    const replicaA = random.shuffle(withDuplicates).reduce(apply, emptySet());
    const replicaB = random.shuffle(withDuplicates).reduce(apply, emptySet());
    // A third replica gets the operations split over two devices, then merges the two states.
    const half = random.int(0, ops.length);
    const replicaC = mergeSet(
      random.shuffle(ops.slice(0, half)).reduce(apply, emptySet()),
      random.shuffle(ops.slice(half)).reduce(apply, emptySet()),
    );
    assert.deepEqual(replicaA, replicaB, `seed ${seed}`);
    assert.deepEqual(replicaA, replicaC, `seed ${seed}`);
    assert.deepEqual(values(replicaA), expectedValues(ops), `seed ${seed}`);
    assert.equal(count(replicaA), expectedValues(ops).length);
  }
});

test('two devices toggling a like converge on the last toggle, and the count with it', () => {
  const wall = { ms: 1_000_000 };
  const phone = createHlc({ node: 'phone', now: () => wall.ms });
  const tablet = createHlc({ node: 'tablet', now: () => wall.ms - 5_000 }); // clock 5 s behind
  const likeStamp = phone.now();
  let phoneState = addElement(emptySet(), 'episode:7', likeStamp);
  wall.ms += 1_000;
  // The tablet, offline, unlikes after seeing the like (its HLC catches up through receive).
  tablet.receive(phone.peek());
  let tabletState = removeElement(emptySet(), 'episode:7', tablet.now());
  wall.ms += 1_000;
  // A retry of the phone's first like, arriving after the unlike, does not resurrect it.
  tabletState = addElement(tabletState, 'episode:7', likeStamp);
  phoneState = mergeSet(phoneState, tabletState);
  tabletState = mergeSet(tabletState, phoneState);
  assert.equal(has(phoneState, 'episode:7'), false);
  assert.deepEqual(phoneState, tabletState);
  assert.equal(count(phoneState), 0);
  const relike = addElement(phoneState, 'episode:7', phone.now());
  assert.equal(has(relike, 'episode:7'), true);
  assert.equal(count(relike), 1);
});

test('remove wins when an add and a remove carry the same stamp', () => {
  const stamp = { wallMs: 10, counter: 0, node: 'a' };
  const addFirst = removeElement(addElement(emptySet(), 'x', stamp), 'x', stamp);
  const removeFirst = addElement(removeElement(emptySet(), 'x', stamp), 'x', stamp);
  assert.equal(has(addFirst, 'x'), false);
  assert.equal(has(removeFirst, 'x'), false);
  assert.equal(has(addElement(addFirst, 'x', { ...stamp, counter: 1 }), 'x'), true);
});

test('updates return a new set and leave the input unchanged', () => {
  const stamp = { wallMs: 1, counter: 0, node: 'a' };
  const empty = emptySet();
  const one = addElement(empty, 'x', stamp);
  assert.equal(empty.size, 0);
  assert.equal(has(one, 'x'), true);
  const removed = removeElement(one, 'x', { ...stamp, wallMs: 2 });
  assert.equal(has(one, 'x'), true);
  assert.equal(has(removed, 'x'), false);
  assert.equal(has(removed, 'never-seen'), false);
});

test('values are sorted the same on every replica; numeric elements work too', () => {
  const s = (wallMs: number) => ({ wallMs, counter: 0, node: 'a' });
  let set = emptySet<number>();
  for (const [i, id] of [30, 4, 100, 7].entries()) set = addElement(set, id, s(i + 1));
  set = removeElement(set, 100, s(9));
  assert.deepEqual(values(set), [4, 7, 30]);
  assert.equal(count(set), 3);
});

test('countDelta says what one merge did to the count', () => {
  const s = (wallMs: number) => ({ wallMs, counter: 0, node: 'a' });
  assert.equal(countDelta(undefined, { added: s(1) }), 1);
  assert.equal(countDelta({ added: s(1) }, { added: s(1), removed: s(2) }), -1);
  assert.equal(countDelta({ added: s(1), removed: s(2) }, { added: s(1), removed: s(3) }), 0);
  assert.equal(countDelta({ added: s(2) }, { added: s(3) }), 0);
  assert.equal(countDelta({ removed: s(2) }, { added: s(3), removed: s(2) }), 1);
  assert.equal(countDelta(undefined, { added: s(2), removed: s(2) }), 0);
});
