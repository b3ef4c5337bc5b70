import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the benchmark reads about a server from /proc (proc(5)): resident memory from
 * `/proc/<pid>/status` and CPU time from `/proc/<pid>/stat`, summed over the process and its
 * descendants, so a server that forks workers is charged for them too. The parsers are pure; the
 * readers below them do the I/O.
 */

/** `VmRSS` of a `/proc/<pid>/status` text, in bytes. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in /proc/<pid>/status (a zombie or a kernel thread?)');
  return Number(match[1]) * 1024;
}

export interface StatFields {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks (sysconf(_SC_CLK_TCK), 100 on Linux). */
  cpuTicks: number;
}

/**
 * Fields of a `/proc/<pid>/stat` line. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the last `)`: after it come state (3),
 * ppid (4), …, utime (14) and stime (15).
 */
export function parseStat(stat: string): StatFields {
  const close = stat.lastIndexOf(')');
  const pid = Number.parseInt(stat, 10);
  if (close < 0 || !Number.isInteger(pid)) throw new Error(`unreadable /proc stat: ${stat}`);
  const rest = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![ppid, utime, stime].every(Number.isInteger)) {
    throw new Error(`unreadable /proc stat: ${stat}`);
  }
  return { pid, ppid, cpuTicks: utime + stime };
}

/** The soft limit on open files from a `/proc/<pid>/limits` text. */
export function parseOpenFilesLimit(limits: string): number {
  const match = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limits);
  if (!match) throw new Error('no "Max open files" line in /proc/<pid>/limits');
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** `pid` and every descendant of it, given the (pid, ppid) pairs of all processes. */
export function descendantsOf(root: number, processes: ReadonlyArray<StatFields>): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const found = [root];
  for (let i = 0; i < found.length; i += 1) found.push(...(children.get(found[i]!) ?? []));
  return found;
}

// I/O ------------------------------------------------------------------------------------------

export const clockTicksPerSecond = 100;

function readStat(pid: number): StatFields | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // exited between the listing and the read
  }
}

function tree(pid: number): StatFields[] {
  const all: StatFields[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) all.push(stat);
  }
  const members = new Set(descendantsOf(pid, all));
  return all.filter((p) => members.has(p.pid));
}

export interface ProcessSample {
  /** Resident memory of the process tree, bytes. */
  rssBytes: number;
  /** User + system CPU time of the process tree, seconds. */
  cpuSeconds: number;
  pids: number;
}

export function sampleProcess(pid: number): ProcessSample {
  let rssBytes = 0;
  let ticks = 0;
  const members = tree(pid);
  if (members.length === 0) throw new Error(`process ${pid} is gone`);
  for (const p of members) {
    ticks += p.cpuTicks;
    try {
      rssBytes += parseRssBytes(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
    } catch {
      // a child that exited just now holds no memory
    }
  }
  return { rssBytes, cpuSeconds: ticks / clockTicksPerSecond, pids: members.length };
}

export function openFilesLimit(pid: number): number {
  return parseOpenFilesLimit(readFileSync(`/proc/${pid}/limits`, 'utf8'));
}

export interface MachineCpu {
  /** Ticks spent not idle (everything but idle and iowait), all CPUs together. */
  busyTicks: number;
  totalTicks: number;
}

/** The aggregate `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq steal …. */
export function parseMachineCpu(stat: string): MachineCpu {
  const line = /^cpu\s+([\d\s]+)$/m.exec(stat);
  if (!line) throw new Error('no cpu line in /proc/stat');
  const ticks = line[1]!.trim().split(/\s+/).map(Number);
  // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
  const counted = ticks.slice(0, 8);
  const total = counted.reduce((sum, t) => sum + t, 0);
  const idle = (counted[3] ?? 0) + (counted[4] ?? 0);
  return { busyTicks: total - idle, totalTicks: total };
}

export function sampleMachine(): MachineCpu {
  return parseMachineCpu(readFileSync('/proc/stat', 'utf8'));
}
