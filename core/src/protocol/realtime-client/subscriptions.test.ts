import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pub } from '../realtime/payloads.ts';
import { createSubscriptionTable, type SubscriptionTable } from './subscriptions.ts';

const ch = 'chat:7';

function pub(off: number): Pub {
  return { off, d: { mid: `m${off}`, uid: 1, name: 'a', t: `hello ${off}`, ts: off } };
}

/** A table with `ch` subscribed fresh and live at (ep, off). */
function live(ep = 'e1', off = 10): SubscriptionTable {
  const table = createSubscriptionTable();
  assert.deepEqual(table.subscribe(ch), { ch });
  assert.deepEqual(table.onSubscribed({ ch, ep, off, rc: 0 }), { kind: 'fresh', ch });
  return table;
}

/** Feeds publications and returns the offsets delivered to the app. */
function feed(table: SubscriptionTable, offs: number[]): number[] {
  const delivered: number[] = [];
  for (const off of offs) {
    const outcome = table.onPublication(ch, pub(off));
    if (outcome.kind === 'deliver') delivered.push(outcome.pub.off ?? -1);
  }
  return delivered;
}

test('gapless publications are delivered in order and advance the offset', () => {
  const table = live();
  assert.deepEqual(feed(table, [11, 12, 13]), [11, 12, 13]);
  assert.deepEqual(table.get(ch), { ch, status: 'active', position: { ep: 'e1', off: 13 } });
});

test('duplicates (offset ≤ known) are dropped', () => {
  const table = live();
  feed(table, [11, 12]);
  assert.deepEqual(table.onPublication(ch, pub(12)), { kind: 'duplicate', off: 12 });
  assert.deepEqual(table.onPublication(ch, pub(5)), { kind: 'duplicate', off: 5 });
  assert.deepEqual(feed(table, [11, 13]), [13]);
});

test('a gap drops the publication and asks to resubscribe with the last position', () => {
  const table = live();
  feed(table, [11]);
  assert.deepEqual(table.onPublication(ch, pub(14)), {
    kind: 'gap',
    expected: 12,
    got: 14,
    unsubscribe: { ch },
    subscribe: { ch, rc: { ep: 'e1', off: 11 } },
  });
  assert.equal(table.get(ch)?.status, 'recovering');
  assert.deepEqual(table.onPublication(ch, pub(15)), { kind: 'ignore', reason: 'recovering' });

  // The reply brings 12…15; delivering them continues the stream gaplessly.
  const outcome = table.onSubscribed({
    ch,
    ep: 'e1',
    off: 15,
    rc: 1,
    pubs: [12, 13, 14, 15].map(pub),
  });
  assert.equal(outcome.kind, 'recovered');
  if (outcome.kind === 'recovered')
    assert.deepEqual(
      outcome.pubs.map((p) => p.off),
      [12, 13, 14, 15],
    );
  assert.deepEqual(feed(table, [15, 16]), [16]);
});

test('recovery after a reconnect delivers exactly the missed publications', () => {
  const table = live();
  feed(table, [11, 12]);
  table.subscribe('feed');
  table.onSubscribed({ ch: 'feed', ep: 'f', off: 3, rc: 0 });
  table.subscribe('live:9');
  table.onSubscribed({ ch: 'live:9', rc: 0 });

  // The socket dropped; on reconnect every channel is resubscribed with its position.
  assert.deepEqual(table.resubscribeFrames(), [
    { ch, rc: { ep: 'e1', off: 12 } },
    { ch: 'feed', rc: { ep: 'f', off: 3 } },
    { ch: 'live:9' },
  ]);
  assert.deepEqual(table.onPublication(ch, pub(13)), { kind: 'ignore', reason: 'pending' });

  // The server includes an overlap (11, 12) that was already seen: only 13 and 14 go to the app.
  const outcome = table.onSubscribed({
    ch,
    ep: 'e1',
    off: 14,
    rc: 1,
    pubs: [11, 12, 13, 14].map(pub),
  });
  assert.equal(outcome.kind, 'recovered');
  if (outcome.kind === 'recovered')
    assert.deepEqual(
      outcome.pubs.map((p) => p.off),
      [13, 14],
    );
  assert.deepEqual(table.onSubscribed({ ch: 'feed', ep: 'f', off: 3, rc: 1, pubs: [] }), {
    kind: 'recovered',
    ch: 'feed',
    pubs: [],
  });
  assert.deepEqual(table.onSubscribed({ ch: 'live:9', rc: 0 }), { kind: 'fresh', ch: 'live:9' });
  assert.deepEqual(feed(table, [14, 15]), [15]);
  assert.equal(
    table.onPublication('live:9', { d: { vn: 1, lps: 0, dps: 0, apm: 0 } }).kind,
    'deliver',
  );
});

test('refetch tells the app to reload and continues from the reply position', () => {
  const table = live();
  table.resubscribeFrames();
  assert.deepEqual(table.onSubscribed({ ch, ep: 'e2', off: 500, rc: 2 }), {
    kind: 'refetch',
    ch,
    reason: 'history no longer reaches the position',
  });
  assert.deepEqual(table.get(ch)?.position, { ep: 'e2', off: 500 });
  assert.deepEqual(feed(table, [501]), [501]);
});

test('a recovered reply that does not fit the position sent becomes a refetch', () => {
  const cases = [
    { ep: 'other', off: 11, pubs: [pub(11)], reason: 'the epoch changed' },
    {
      ep: 'e1',
      off: 13,
      pubs: [pub(11), pub(13)],
      reason: 'the recovered publications have a gap',
    },
    {
      ep: 'e1',
      off: 20,
      pubs: [pub(11)],
      reason: 'the recovered publications stop short of the stream',
    },
  ];
  for (const { ep, off, pubs, reason } of cases) {
    const table = live();
    table.resubscribeFrames();
    assert.deepEqual(table.onSubscribed({ ch, ep, off, rc: 1, pubs }), {
      kind: 'refetch',
      ch,
      reason,
    });
    assert.deepEqual(table.get(ch)?.position, { ep, off });
  }
  const table = live();
  table.resubscribeFrames();
  assert.equal(table.onSubscribed({ ch, ep: 'e1', off: 10, rc: 0 }).kind, 'refetch');
});

test('a subscribe with a stored position recovers from it', () => {
  const table = createSubscriptionTable();
  assert.deepEqual(table.subscribe(ch, { ep: 'e1', off: 3 }), { ch, rc: { ep: 'e1', off: 3 } });
  const outcome = table.onSubscribed({ ch, ep: 'e1', off: 4, rc: 1, pubs: [pub(4)] });
  assert.equal(outcome.kind, 'recovered');
  assert.deepEqual(table.get(ch)?.position, { ep: 'e1', off: 4 });
});

test('unknown channels and unsubscribed ones are ignored', () => {
  const table = live();
  assert.deepEqual(table.onPublication('chat:8', pub(1)), {
    kind: 'ignore',
    reason: 'not-subscribed',
  });
  assert.deepEqual(table.onSubscribed({ ch: 'chat:8', rc: 0 }), { kind: 'ignore', ch: 'chat:8' });
  assert.deepEqual(table.onSubscribed({ ch, ep: 'e1', off: 10, rc: 0 }), { kind: 'ignore', ch });
  assert.deepEqual(table.unsubscribe(ch), { ch });
  assert.equal(table.unsubscribe(ch), null);
  assert.deepEqual(table.list(), []);
  assert.deepEqual(table.resubscribeFrames(), []);
});
