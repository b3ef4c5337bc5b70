import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  descendantsOf,
  parseMachineCpu,
  parseOpenFilesLimit,
  parseRssBytes,
  parseStat,
  sampleProcess,
} from './proc-stats.ts';

// Shapes as Linux 6.x prints them (proc(5)).
const status = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
PPid:\t1
VmPeak:\t 1331164 kB
VmHWM:\t  123456 kB
VmRSS:\t  101376 kB
RssAnon:\t   60000 kB
Threads:\t11
`;

test('VmRSS is read in bytes', () => {
  assert.equal(parseRssBytes(status), 101_376 * 1024);
  assert.throws(() => parseRssBytes('Name:\tkthreadd\nState:\tS\n'), /VmRSS/);
});

test('utime + stime and ppid are counted from the last parenthesis of the command name', () => {
  //       pid comm              state ppid pgrp sess tty tpgid flags minflt cminflt majflt cmajflt utime stime
  const stat =
    '4242 (node (a) b) S 77 4242 4242 0 -1 4194304 130 0 0 0 1500 250 3 4 20 0 11 0 118531 3133440 393';
  assert.deepEqual(parseStat(stat), { pid: 4242, ppid: 77, cpuTicks: 1750 });
  assert.deepEqual(parseStat('1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5'), {
    pid: 1,
    ppid: 0,
    cpuTicks: 30,
  });
  assert.throws(() => parseStat('garbage'), /unreadable/);
  assert.throws(() => parseStat('12 (x) S'), /unreadable/);
});

test('the open-files soft limit, or infinity', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
`;
  assert.equal(parseOpenFilesLimit(limits), 20_000);
  assert.equal(
    parseOpenFilesLimit(
      limits.replace('20000                20000', 'unlimited            unlimited'),
    ),
    Number.POSITIVE_INFINITY,
  );
});

test('a process tree: the root, its children and theirs, nothing else', () => {
  const all = [
    { pid: 1, ppid: 0, cpuTicks: 0 },
    { pid: 10, ppid: 1, cpuTicks: 0 },
    { pid: 11, ppid: 10, cpuTicks: 0 },
    { pid: 12, ppid: 11, cpuTicks: 0 },
    { pid: 13, ppid: 1, cpuTicks: 0 },
  ];
  assert.deepEqual(descendantsOf(10, all).sort(), [10, 11, 12]);
  assert.deepEqual(descendantsOf(13, all), [13]);
});

test('machine CPU: busy is everything but idle and iowait; guest time is not counted twice', () => {
  const cpu = parseMachineCpu('cpu  100 5 50 1000 20 1 4 2 7 0\ncpu0 50 2 25 500 10 0 2 1 0 0\n');
  assert.equal(cpu.totalTicks, 100 + 5 + 50 + 1000 + 20 + 1 + 4 + 2);
  assert.equal(cpu.busyTicks, 100 + 5 + 50 + 1 + 4 + 2);
});

test('this process can be sampled from /proc', () => {
  const sample = sampleProcess(process.pid);
  assert.ok(sample.rssBytes > 10 * 2 ** 20, `rss ${sample.rssBytes}`);
  assert.ok(sample.cpuSeconds > 0);
  assert.ok(sample.pids >= 1);
});
