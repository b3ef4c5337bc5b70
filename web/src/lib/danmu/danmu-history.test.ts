import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DanmuComment } from './danmu-comment.ts';
import {
  createHistoryLoader,
  httpHistory,
  HistoryError,
  type FetchHistoryPage,
} from './danmu-history.ts';
import { defaultChunkPlan } from './history-chunks.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const comment = (posMs: number, mid: string): DanmuComment => ({
  mid,
  uid: 1,
  text: 't',
  posMs,
  mode: 'scroll',
  colour: '#ffffff',
  size: 1,
  cmid: null,
});

test('the loader fetches the chunk under the playhead and the ones ahead, once each', async () => {
  const asked: string[] = [];
  const fetchPage: FetchHistoryPage = async (from, to) => {
    asked.push(`${from}-${to}`);
    return { comments: [comment(from, `m${from}`)], more: false, next: null };
  };
  const got: DanmuComment[] = [];
  const loader = createHistoryLoader({
    fetchPage,
    plan: defaultChunkPlan,
    onComments: (c) => got.push(...c),
    onError: (e) => assert.fail(String(e)),
  });
  loader.ensure(5_000);
  loader.ensure(6_000);
  await settle();
  assert.deepEqual(asked, ['0-29999', '30000-59999']);
  loader.ensure(20_000);
  await settle();
  assert.deepEqual(asked.slice(2), ['60000-89999']);
  loader.ensure(5_000);
  await settle();
  assert.equal(asked.length, 3, 'a seek back loads nothing twice');
  assert.deepEqual(loader.loaded(), [0, 1, 2]);
  assert.equal(got.length, 3);
});

test('pages follow more/after until the window is read', async () => {
  const calls: Array<[number, string | undefined]> = [];
  const fetchPage: FetchHistoryPage = async (from, _to, after) => {
    calls.push([from, after]);
    if (calls.length === 1)
      return {
        comments: [comment(100, '1'), comment(200, '2')],
        more: true,
        next: { from: 200, after: '2' },
      };
    return { comments: [comment(200, '3')], more: false, next: null };
  };
  const loader = createHistoryLoader({
    fetchPage,
    plan: { chunkMs: 30_000, behindMs: 0, aheadMs: 0 },
    onComments: () => undefined,
    onError: () => undefined,
  });
  loader.ensure(0);
  await settle();
  await settle();
  assert.deepEqual(calls, [
    [0, undefined],
    [200, '2'],
  ]);
});

test('a failed chunk is reported and retried only after the pause', async () => {
  let clock = 0;
  let fail = true;
  let calls = 0;
  const errors: unknown[] = [];
  const loader = createHistoryLoader({
    fetchPage: async () => {
      calls += 1;
      if (fail) throw new HistoryError('NETWORK_ERROR', 'down');
      return { comments: [], more: false, next: null };
    },
    plan: { chunkMs: 30_000, behindMs: 0, aheadMs: 0 },
    onComments: () => undefined,
    onError: (e) => errors.push(e),
    now: () => clock,
    retryMs: 5000,
  });
  loader.ensure(0);
  await settle();
  assert.equal(errors.length, 1);
  loader.ensure(0);
  await settle();
  assert.equal(calls, 1, 'not hammered');
  clock = 6000;
  fail = false;
  loader.ensure(0);
  await settle();
  assert.equal(calls, 2);
  assert.deepEqual(loader.loaded(), [0]);
});

test('reset loads again; results of an older generation are dropped', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const got: DanmuComment[] = [];
  let calls = 0;
  const loader = createHistoryLoader({
    fetchPage: async () => {
      calls += 1;
      if (calls === 1) await gate;
      return { comments: [comment(1, `m${calls}`)], more: false, next: null };
    },
    plan: { chunkMs: 30_000, behindMs: 0, aheadMs: 0 },
    onComments: (c) => got.push(...c),
    onError: () => undefined,
  });
  loader.ensure(0);
  loader.reset();
  loader.ensure(0);
  release();
  await settle();
  await settle();
  assert.deepEqual(
    got.map((c) => c.mid),
    ['m2'],
  );
});

test('HTTP history reads the window and the problem code of a refusal', async () => {
  const seen: string[] = [];
  const ok = (async (url: string) => {
    seen.push(url);
    return new Response(
      JSON.stringify({
        items: [
          {
            mid: '5',
            episodeId: 3,
            userId: 2,
            text: 'hi',
            posMs: 1000,
            mode: 0,
            colour: '#ffffff',
            size: 1,
            createdAt: '',
          },
          {
            mid: 'bad id',
            episodeId: 3,
            userId: 2,
            text: 'x',
            posMs: 1000,
            mode: 0,
            colour: '#ffffff',
            size: 1,
            createdAt: '',
          },
        ],
        more: true,
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  }) as unknown as typeof fetch;
  const result = await httpHistory(ok, 3)(0, 29_999, '4');
  assert.equal(seen[0], '/api/v1/episodes/3/danmu?from=0&to=29999&limit=500&after=4');
  assert.deepEqual(
    result.comments.map((c) => c.mid),
    ['5'],
    'the malformed item is dropped',
  );
  assert.deepEqual(result.next, { from: 1000, after: '5' });

  const refused = (async () =>
    new Response(JSON.stringify({ code: 'INVALID_DANMU_WINDOW' }), {
      status: 400,
    })) as unknown as typeof fetch;
  await assert.rejects(
    httpHistory(refused, 3)(0, 1),
    (e: unknown) => e instanceof HistoryError && e.code === 'INVALID_DANMU_WINDOW',
  );
  const offline = (async () => {
    throw new TypeError('Failed to fetch');
  }) as unknown as typeof fetch;
  await assert.rejects(
    httpHistory(offline, 3)(0, 1),
    (e: unknown) => e instanceof HistoryError && e.code === 'NETWORK_ERROR',
  );
});
