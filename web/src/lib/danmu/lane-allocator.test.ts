import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conflicts,
  createLaneAllocator,
  laneCounts,
  xAt,
  type LaneGeometry,
  type LaneMode,
  type Placement,
} from './lane-allocator.ts';

const geometry: LaneGeometry = {
  width: 400,
  height: 300,
  laneHeight: 30,
  area: 1,
  scrollMs: 8000,
  fixedMs: 4000,
  gap: 10,
};

const scroll = (width: number, startMs: number, height = 24) =>
  ({ mode: 'scroll', width, height, startMs }) as const;

test('lane counts follow the display area, one lane at least', () => {
  assert.deepEqual(laneCounts(geometry), { total: 10, band: 10 });
  assert.deepEqual(laneCounts({ ...geometry, area: 0.5 }), { total: 10, band: 5 });
  assert.deepEqual(laneCounts({ ...geometry, area: 0.25 }), { total: 10, band: 2 });
  assert.deepEqual(laneCounts({ ...geometry, height: 40, area: 0.25 }), { total: 1, band: 1 });
  assert.deepEqual(laneCounts({ ...geometry, height: 20 }), { total: 0, band: 0 });
  assert.deepEqual(laneCounts({ ...geometry, laneHeight: 0 }), { total: 0, band: 0 });
});

test('a scroll comment enters at the right edge and leaves past the left one', () => {
  const allocator = createLaneAllocator(geometry);
  const placed = allocator.place(scroll(100, 1000))!;
  assert.equal(xAt(placed, geometry, 1000), 400);
  assert.equal(xAt(placed, geometry, 9000), -100);
  // (400 + 100) px over 8 s: 62.5 px/s.
  assert.equal(xAt(placed, geometry, 3000), 400 - 125);
});

test('a second comment at the same moment takes the next lane', () => {
  const allocator = createLaneAllocator(geometry);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 0);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 1);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 2);
});

test('a lane is reused once the previous comment has moved clear of the right edge', () => {
  const allocator = createLaneAllocator(geometry);
  allocator.place(scroll(100, 0));
  // Same width, same speed: clear of the edge (width + gap = 110 px) after 1.76 s.
  assert.equal(allocator.place(scroll(100, 1000))!.lane, 1, 'still overlapping at 1 s');
  assert.equal(allocator.place(scroll(100, 1800))!.lane, 0, 'clear at 1.8 s');
});

test('a longer (faster) comment may not take a lane where it would catch up', () => {
  const allocator = createLaneAllocator(geometry);
  // A short comment: 20 px, speed 420/8 s = 52.5 px/s; at 4 s its tail is at 400 - 210 + 20.
  allocator.place(scroll(20, 0));
  // A 300 px comment at 4 s is clear of it now but moves at 87.5 px/s and catches it before
  // the short one leaves at 8 s: its head would be at 400 - 350 = 50 > 0 ... check by hand:
  // at 8 s the short one's tail is at 0, the long one's head at 400 - 87.5 · 4 = 50: no catch.
  const later = allocator.place(scroll(300, 4000))!;
  assert.equal(later.lane, 0);

  const other = createLaneAllocator(geometry);
  other.place(scroll(20, 0));
  // At 2.5 s: the short one's tail is at 400 - 131.25 + 20 = 288.75 (clear of 400 by 111 px),
  // but a 600 px comment (125 px/s) reaches x = 0 + ... before 8 s: head at 8 s = 400 - 687.5.
  const fast = other.place(scroll(600, 2500))!;
  assert.equal(fast.lane, 1, 'it would catch the short one up, so it takes another lane');
});

test('a shorter (slower) comment may follow a longer one closely', () => {
  const allocator = createLaneAllocator(geometry);
  allocator.place(scroll(300, 0));
  // The long one (87.5 px/s) is clear of the edge after (300 + 10) / 87.5 = 3.54 s and pulls away.
  assert.equal(allocator.place(scroll(20, 3600))!.lane, 0);
});

test('top comments stack from the top, bottom comments from the bottom, until they expire', () => {
  const allocator = createLaneAllocator(geometry);
  const top = (startMs: number) => ({ mode: 'top', width: 120, height: 24, startMs }) as const;
  const bottom = (startMs: number) =>
    ({ mode: 'bottom', width: 120, height: 24, startMs }) as const;
  assert.equal(allocator.place(top(0))!.lane, 0);
  assert.equal(allocator.place(top(100))!.lane, 1);
  assert.equal(allocator.place(bottom(0))!.lane, 9);
  assert.equal(allocator.place(bottom(100))!.lane, 8);
  // Display time 4 s: lane 0 is free again at 4 s exactly (half-open interval).
  assert.equal(allocator.place(top(3999))!.lane, 2);
  assert.equal(allocator.place(top(4000))!.lane, 0);
  const placed = allocator.place(top(4000))!;
  assert.equal(placed.y, placed.lane * 30);
  assert.equal(xAt(placed, geometry, 5000), (400 - 120) / 2);
});

test('a scroll comment does not pass behind a top comment in a shared lane', () => {
  const allocator = createLaneAllocator(geometry);
  for (let i = 0; i < 10; i += 1)
    allocator.place({ mode: 'top', width: 100, height: 24, startMs: 0 });
  // Every lane holds a centred top comment until 4 s; a scroll comment would reach it.
  assert.equal(allocator.place(scroll(50, 0)), null);
  // Started at 1 s, a 50 px scroll comment reaches the centre (x = 250) after 1.6 s: still shown.
  assert.equal(allocator.place(scroll(50, 1000)), null);
  // Started at 3 s, it reaches x = 260 (top comment's right edge + gap) after 1.2 s: gone by then.
  assert.equal(allocator.place(scroll(50, 3000))!.lane, 0);
});

test('the display area limits the lanes; a full band drops the comment', () => {
  const allocator = createLaneAllocator({ ...geometry, area: 0.25 });
  assert.equal(allocator.place(scroll(100, 0))!.lane, 0);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 1);
  assert.equal(allocator.place(scroll(100, 0)), null);
  const bottom = allocator.place({ mode: 'bottom', width: 50, height: 24, startMs: 0 })!;
  assert.equal(bottom.lane, 9, 'the bottom band is the lowest quarter');
  assert.equal(allocator.place({ mode: 'bottom', width: 50, height: 24, startMs: 0 })!.lane, 8);
  assert.equal(allocator.place({ mode: 'bottom', width: 50, height: 24, startMs: 0 }), null);
});

test('a tall comment spans adjacent lanes and blocks both', () => {
  const allocator = createLaneAllocator(geometry);
  const large = allocator.place(scroll(100, 0, 40))!;
  assert.deepEqual([large.lane, large.span], [0, 2]);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 2);
  const tooTall = allocator.place(scroll(100, 0, 400));
  assert.equal(tooTall, null);
});

test('release frees a lane early; prune forgets what ended', () => {
  const allocator = createLaneAllocator(geometry);
  const first = allocator.place(scroll(100, 0))!;
  allocator.release(first);
  assert.equal(allocator.place(scroll(100, 0))!.lane, 0);
  allocator.place(scroll(100, 0));
  assert.equal(allocator.size(), 2);
  allocator.prune(7999);
  assert.equal(allocator.size(), 2);
  allocator.prune(8000);
  assert.equal(allocator.size(), 0);
});

test('bad requests are refused, not placed', () => {
  const allocator = createLaneAllocator(geometry);
  assert.equal(allocator.place(scroll(0, 0)), null);
  assert.equal(allocator.place(scroll(Number.NaN, 0)), null);
  assert.equal(allocator.place(scroll(100, Number.POSITIVE_INFINITY)), null);
  const empty = createLaneAllocator({ ...geometry, height: 10 });
  assert.equal(empty.place(scroll(100, 0)), null);
});

test('conflicts is symmetric and ignores comments that are never shown together', () => {
  const a: Placement = {
    mode: 'scroll',
    lane: 0,
    span: 1,
    startMs: 0,
    endMs: 8000,
    width: 100,
    height: 24,
    y: 0,
  };
  const b: Placement = { ...a, startMs: 500, endMs: 8500 };
  const c: Placement = { ...a, startMs: 8000, endMs: 16000 };
  assert.equal(conflicts(a, b, geometry), true);
  assert.equal(conflicts(b, a, geometry), true);
  assert.equal(conflicts(a, c, geometry), false);
});

/** A deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('property: placed comments never overlap on screen, sampled every 20 ms', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const next = random(seed);
    const g: LaneGeometry = { ...geometry, area: [0.25, 0.5, 0.75, 1][seed % 4]! };
    const allocator = createLaneAllocator(g);
    const placed: Placement[] = [];
    let dropped = 0;
    let t = 0;
    for (let i = 0; i < 600; i += 1) {
      t += Math.floor(next() * 150);
      const mode: LaneMode = next() < 0.7 ? 'scroll' : next() < 0.5 ? 'top' : 'bottom';
      const height = next() < 0.15 ? 38 : 24;
      const placement = allocator.place({ mode, width: 10 + next() * 380, height, startMs: t });
      if (placement) placed.push(placement);
      else dropped += 1;
      allocator.prune(t);
    }
    assert.ok(placed.length > 50, `seed ${seed}: ${placed.length} placed`);
    assert.ok(dropped > 0, `seed ${seed}: the band filled up at least once`);
    for (let at = 0; at <= t + 8000; at += 20) {
      const shown = placed.filter((p) => p.startMs <= at && at < p.endMs);
      const rects = shown.map((p) => ({ x: xAt(p, g, at), y: p.y, w: p.width, h: p.height }));
      for (let i = 0; i < rects.length; i += 1) {
        for (let j = i + 1; j < rects.length; j += 1) {
          const r = rects[i]!;
          const s = rects[j]!;
          const apart =
            r.x + r.w <= s.x || s.x + s.w <= r.x || r.y + r.h <= s.y || s.y + s.h <= r.y;
          assert.ok(
            apart,
            `seed ${seed}, t=${at}: ${JSON.stringify(r)} overlaps ${JSON.stringify(s)}`,
          );
        }
      }
      for (const r of rects) assert.ok(r.y + r.h <= g.height, 'inside the stage');
    }
  }
});
