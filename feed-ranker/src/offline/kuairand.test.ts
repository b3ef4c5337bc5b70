import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FLAG, KuaiRandFormatError, loadLogs, loadUsers, loadVideos, MAX_ID } from './kuairand.ts';

const LOG_HEADER =
  'user_id,video_id,date,hourmin,time_ms,is_click,is_like,is_follow,is_comment,is_forward,' +
  'is_hate,long_view,play_time_ms,duration_ms,profile_stay_time,comment_stay_time,' +
  'is_profile_enter,is_rand,tab';
const logRow = (
  user: unknown,
  video: unknown,
  time: unknown,
  click = 0,
  longView = 0,
  play = 900,
  duration = 30000,
) =>
  `${user},${video},20220430,1800,${time},${click},0,0,0,0,0,${longView},${play},${duration},0,0,0,1,1`;

let dir = '';
const file = (name: string) => path.join(dir, name);

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kuairand-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('reads logs in parts into one columnar table, flags as bits', async () => {
  await writeFile(
    file('part1.csv'),
    [LOG_HEADER, logRow(0, 5543, 1651314030792, 1, 1, 45000), logRow(3, 12, 1651314030999)].join(
      '\n',
    ) + '\n',
  );
  // The second part orders its columns differently: columns are found by name.
  await writeFile(
    file('part2.csv'),
    'video_id,user_id,time_ms,long_view,play_time_ms,duration_ms,is_like\r\n7,9,1651314031000,0,10,0,1\r\n',
  );
  const { log, reports } = await loadLogs([file('part1.csv'), file('part2.csv')]);
  assert.equal(log.rows, 3);
  assert.deepEqual([...log.user], [0, 3, 9]);
  assert.deepEqual([...log.video], [5543, 12, 7]);
  assert.deepEqual([...log.time], [1651314030792, 1651314030999, 1651314031000]);
  assert.deepEqual([...log.playMs], [45000, 900, 10]);
  assert.deepEqual([...log.durationMs], [30000, 30000, 0]);
  assert.equal(log.flags[0], FLAG.click | FLAG.longView);
  assert.equal(log.flags[1], 0);
  assert.equal(log.flags[2], FLAG.like);
  assert.deepEqual(
    reports.map((r) => [r.file, r.rows, r.skipped]),
    [
      ['part1.csv', 2, 0],
      ['part2.csv', 1, 0],
    ],
  );
});

test('a log without required columns is refused with every missing name and the file', async () => {
  await writeFile(
    file('no-time.csv'),
    'user_id,video_id,is_click,play_time_ms,duration_ms\n0,1,0,5,6\n',
  );
  await assert.rejects(loadLogs([file('no-time.csv')]), (error: unknown) => {
    assert.ok(error instanceof KuaiRandFormatError);
    assert.equal(error.code, 'KUAIRAND_COLUMNS_MISSING');
    assert.match(error.message, /no-time\.csv/);
    assert.match(error.message, /missing columns time_ms, long_view \(/);
    return true;
  });
});

test('the shipped schema sample (joined with user features) is not a log and says what it lacks', async () => {
  const sample = fileURLToPath(
    new URL('../../datasets/kuairand/kuairand_sample.csv', import.meta.url),
  );
  await assert.rejects(
    loadLogs([sample]),
    /kuairand_sample\.csv: .*missing columns time_ms, long_view/,
  );
});

test('bad rows are counted by reason and skipped; the good ones around them are kept', async () => {
  await writeFile(
    file('bad.csv'),
    [
      LOG_HEADER,
      logRow(1, 10, 1000),
      logRow('abc', 10, 1001), // non-numeric id
      logRow(1, '', 1002), // empty id
      logRow(1, -4, 1003), // negative id
      logRow(1, MAX_ID + 1, 1004), // an id past the table limit
      logRow(1, 10, -5), // negative time
      logRow(1, 10, 'soon'), // non-numeric time
      logRow(1, 10, 1007, 2), // a flag of 2
      logRow(1, 10, 1008, 0, 0, -1), // negative play time
      '1,10,20220430', // too few fields
      logRow(2, 11, 1010, 1, 1),
    ].join('\n'),
  );
  const { log, reports } = await loadLogs([file('bad.csv')]);
  assert.equal(log.rows, 2);
  assert.deepEqual([...log.user], [1, 2]);
  const [report] = reports;
  assert.equal(report!.rows, 2);
  assert.equal(report!.skipped, 9);
  assert.deepEqual(report!.reasons, {
    'user_id or video_id is not an id': 4,
    'time_ms is negative or not a number': 2,
    'a flag is not 0 or 1': 1,
    'play_time_ms or duration_ms is negative or not a number': 1,
    'malformed CSV record': 1,
  });
  assert.ok(report!.examples.includes('bad.csv record 2: user_id or video_id is not an id'));
  assert.ok(report!.examples.includes('bad.csv line 11: malformed CSV record'));
  assert.equal(report!.examples.length, 5);
});

test('video features: quoted tag lists, empty tags, unknown durations, types and shapes', async () => {
  await writeFile(
    file('videos.csv'),
    [
      'video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,server_width,server_height,music_id,music_type,tag',
      '0,7349781,NORMAL,2022-04-10,LongImport,0.0,87433.0,720.0,1280.0,9155697141,9.0,39',
      '5,8367059,NORMAL,2022-04-10,Web,0.0,358016.0,960.0,720.0,9148581891,9.0,"20,43"',
      '7,7676925,AD,2022-04-11,UNKNOWN,0.0,,720.0,1440.0,6355540435,8.0,"39, 68"',
      '9,1,NORMAL,not-a-date,Web,0.0,1000,720,1280,1,9.0,',
      'x9,1,NORMAL,2022-04-10,Web,0.0,1000,720,1280,1,9.0,3',
    ].join('\n'),
  );
  const { videos: v, reports } = await loadVideos([file('videos.csv')]);
  assert.equal(v.count, 4);
  assert.equal(reports[0]!.skipped, 1);
  assert.deepEqual(reports[0]!.reasons, { 'video_id is not an id': 1 });
  const tagsOf = (id: number) =>
    [...v.tagPool.subarray(v.tagStart[id]!, v.tagStart[id]! + v.tagCount[id]!)].map(
      (t) => v.tags[t],
    );
  assert.deepEqual(tagsOf(0), ['39']);
  assert.deepEqual(tagsOf(5), ['20', '43']);
  assert.deepEqual(tagsOf(7), ['39', '68']);
  assert.deepEqual(tagsOf(9), []);
  assert.equal(v.known[1], 0);
  assert.deepEqual([v.durationMs[0], v.durationMs[5], v.durationMs[7]], [87433, 358016, 0]);
  assert.equal(v.uploadDay[0], Date.UTC(2022, 3, 10) / 86_400_000);
  assert.equal(v.uploadDay[7], v.uploadDay[0]! + 1);
  assert.equal(v.uploadDay[9], -1);
  assert.deepEqual([v.isAd[0], v.isAd[7]], [0, 1]);
  assert.deepEqual([v.landscape[0], v.landscape[5]], [0, 1]);
  assert.deepEqual(v.uploadTypes, ['LongImport', 'Web']);
  assert.deepEqual([v.uploadType[0], v.uploadType[5], v.uploadType[7]], [0, 1, -1]);
});

test('user features: activity degree, counts, and the -124 "no" of the flags', async () => {
  await writeFile(
    file('users.csv'),
    [
      'user_id,user_active_degree,is_lowactive_period,is_live_streamer,is_video_author,follow_user_num,follow_user_num_range,fans_user_num,fans_user_num_range,friend_user_num,friend_user_num_range,register_days,register_days_range',
      '0,full_active,0,1,1,514,500+,150,"[100,1k)",34,"[30,60)",799,730+',
      '1,middle_active,0,-124,0,3,"(0,10]",0,0,0,0,20,15-30',
      '2,high_active,0,-124,0,-3,"(0,10]",0,0,0,0,20,15-30',
    ].join('\n'),
  );
  const { users: u, reports } = await loadUsers([file('users.csv')]);
  assert.equal(u.count, 2);
  assert.deepEqual(reports[0]!.reasons, { 'a count is negative or not a number': 1 });
  assert.deepEqual([u.activeDegree[0], u.activeDegree[1]], [4, 2]);
  assert.deepEqual([u.follows[0], u.fans[0], u.friends[0], u.registerDays[0]], [514, 150, 34, 799]);
  assert.deepEqual([u.isLiveStreamer[0], u.isLiveStreamer[1]], [1, 0]);
  assert.deepEqual([u.isVideoAuthor[0], u.isVideoAuthor[1]], [1, 0]);
});

test('missing and empty files are refused with their names', async () => {
  await assert.rejects(loadLogs([file('nope.csv')]), (error: unknown) => {
    assert.ok(error instanceof KuaiRandFormatError);
    assert.equal(error.code, 'KUAIRAND_FILE_MISSING');
    assert.match(error.message, /nope\.csv: no such readable file/);
    return true;
  });
  await writeFile(file('empty.csv'), '');
  await assert.rejects(loadVideos([file('empty.csv')]), /empty\.csv: empty file, no header/);
  await writeFile(file('videos-only-ids.csv'), 'video_id\n1\n');
  await assert.rejects(
    loadVideos([file('videos-only-ids.csv')]),
    /missing columns video_type, upload_dt, video_duration, tag/,
  );
});
