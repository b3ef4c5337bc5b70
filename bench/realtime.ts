/**
 * The realtime benchmark (issue 3): our gateway, Socket.IO 4 and a plain `ws` server, side by side
 * in one run on one machine, with the same load.
 *
 * 1. memory: RSS of the server process per idle connection at 5,000 and 20,000 connections, each
 *    subscribed to one danmu room like a viewer;
 * 2. broadcast: one room, 5,000 subscribers, 50 danmu a second (~100 bytes) from 125 publishers:
 *    deliveries/s, end-to-end latency p50/p99, server CPU, deliveries per CPU-second;
 * 3. cluster: the same across two nodes through Redis, subscribers and publishers split between them;
 * 4. light: scenario 2 with 1,000 subscribers, where the peers come closer to keeping up.
 *
 * Servers and load generators each run in their own processes (servers/, load-worker.ts); the
 * orchestrator here only starts them, reads /proc and prints. Figures are medians over windows
 * after a warm-up. See BENCHMARKS.md ("Realtime gateway") for the figures and how to read them.
 *
 *   npm run bench:realtime                              # full run, about 15 minutes
 *   npm run bench:realtime -- --quick                   # 500 connections, short windows
 *   npm run bench:realtime -- --systems=socketio,ws --scenarios=broadcast
 *
 * Env: DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (default
 * redis://127.0.0.1:6379), and overrides SUBSCRIBERS, LIGHT_SUBSCRIBERS, PUBLISHERS, RATE,
 * MEMORY_SIZES (comma list), MEMORY_IDLE_SECONDS, WARMUP_SECONDS, WINDOWS, WINDOW_SECONDS,
 * SUBSCRIBER_PROCESSES, LATENCY_EVERY.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { loopbackAddress, forwardedFor } from './realtime/addresses.ts';
import { backendPids, createBingeFixture, type BingeFixture } from './realtime/binge-fixture.ts';
import { collectGarbage, waitForInspectorUrl } from './realtime/collect-garbage.ts';
import { clockMs } from './realtime/danmu-payload.ts';
import { medianFigures, sumCounts, windowFigures, type WindowFigures } from './realtime/figures.ts';
import { LoadWorker } from './realtime/load-workers.ts';
import {
  clockTicksPerSecond,
  openFilesLimit,
  sampleMachine,
  sampleProcess,
} from './realtime/proc-stats.ts';
import { counts, figure, ratio, renderTable } from './realtime/report.ts';
import { gatewayExists, repoRoot, startNodes, type NodeGroup } from './realtime/server-nodes.ts';
import type { PublisherIdentity, SystemName, WindowReport } from './realtime/worker-protocol.ts';
import { median } from './support/load.ts';

// Options ---------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const listFlag = (name: string, all: string[]) => {
  const given = flag(name);
  return given?.includes('=') ? given.split('=')[1]!.split(',') : all;
};
const quick = flag('quick') !== undefined;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const allSystems: SystemName[] = ['binge', 'socketio', 'ws'];
const systemLabel: Record<SystemName, string> = {
  binge: 'binge gateway',
  socketio: 'Socket.IO 4',
  ws: 'ws',
};
const scenarios = listFlag(
  'scenarios',
  quick ? ['memory', 'broadcast', 'cluster'] : ['memory', 'light', 'broadcast', 'cluster'],
);
const wantedSystems = listFlag('systems', allSystems) as SystemName[];

const config = {
  memorySizes: (process.env.MEMORY_SIZES ?? (quick ? '500' : '5000,20000')).split(',').map(Number),
  subscribers: env('SUBSCRIBERS', quick ? 500 : 5000),
  /**
   * The `light` scenario: the one-node broadcast with fewer subscribers, closer to what the peers
   * can carry, so that latencies also compare where nobody is far behind.
   */
  lightSubscribers: env('LIGHT_SUBSCRIBERS', 1000),
  publishers: env('PUBLISHERS', 125),
  /** Danmu per second over all publishers: 125 × 0.4/s, under the gateway's 0.5/s per user. */
  rate: env('RATE', 50),
  warmupSeconds: env('WARMUP_SECONDS', quick ? 3 : 10),
  windows: env('WINDOWS', quick ? 3 : 5),
  windowSeconds: env('WINDOW_SECONDS', quick ? 3 : 10),
  /** Subscriber processes (the publishers get one more). */
  subscriberWorkers: env('SUBSCRIBER_PROCESSES', 4),
  /** Handshakes in flight per worker while connecting. */
  concurrency: 50,
  /** One subscriber in this many measures latency (all count deliveries). */
  latencyEvery: env('LATENCY_EVERY', 10),
  memorySettleSeconds: quick ? 2 : 5,
  /**
   * Idle time after a server starts before its baseline RSS: our gateway's resident memory falls
   * by ~45 MB about 25 s after start-up (V8 handing pooled pages back; a forced collection does not
   * do it), which would otherwise be subtracted from 20,000 connections' worth.
   */
  memoryIdleSeconds: env('MEMORY_IDLE_SECONDS', quick ? 5 : 40),
  /** File descriptors a server keeps for itself (listener, Redis, PostgreSQL, epoll, stdio…). */
  fdReserve: 100,
};
const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Shared state of the run ----------------------------------------------------------------------

const runId = randomBytes(4).toString('hex');
const logDir = await mkdtemp(path.join(tmpdir(), 'binge-bench-realtime-'));
const dataDir = path.join(logDir, 'data');
let addresses = 0;
/** Numbers the broadcast scenarios of the run, for their client message ids. */
let scenarioCount = 0;
const nextAddress = () => loopbackAddress(addresses++);

const systems = wantedSystems.filter((s) => s !== 'binge' || gatewayExists());
if (wantedSystems.includes('binge') && !systems.includes('binge')) {
  console.log('realtime/src/server.ts does not exist yet: our gateway is left out of this run.\n');
}

let fixture: BingeFixture | undefined;
let room = `danmu:${randomInt(100_000_000, 1_000_000_000)}`;
let publisherIdentities: PublisherIdentity[] = [];

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Splits `total` into `parts` near-equal integers. */
function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

async function startWorkers(n: number): Promise<{ worker: LoadWorker; address: string }[]> {
  const workers = await Promise.all(Array.from({ length: n }, () => LoadWorker.start()));
  return workers.map((worker) => ({ worker, address: nextAddress() }));
}

async function stopAll(workers: { worker: LoadWorker }[], group: NodeGroup | undefined) {
  await Promise.all(workers.map(({ worker }) => worker.stop()));
  await group?.stop();
}

/** CPU seconds of one process; 0 once it has gone (a pooled PostgreSQL backend may close). */
function processCpu(pid: number): number {
  try {
    return sampleProcess(pid).cpuSeconds;
  } catch {
    return 0;
  }
}

function treeCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + sampleProcess(pid).cpuSeconds, 0);
}

async function redisPid(): Promise<number | null> {
  const client = new Redis(redisUrl, { lazyConnect: true });
  try {
    await client.connect();
    const match = /^process_id:(\d+)/m.exec(await client.info('server'));
    const pid = match ? Number(match[1]) : null;
    if (pid === null) return null;
    sampleProcess(pid); // throws when /proc cannot see it (another PID namespace)
    return pid;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

/** What the server logged: line count and a few distinct lines, for the report. */
async function logSummary(files: string[]): Promise<{ lines: number; sample: string[] }> {
  const all = (await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => ''))))
    .join('\n')
    .split('\n')
    // The ready lines (`realtime listening on …`, the peers' `{"listening":…}`) are not news.
    .filter((l) => l.trim() !== '' && !/^(realtime listening on |\{"listening":)/.test(l));
  const distinct = new Map<string, string>();
  for (const line of all) {
    let key = line;
    try {
      const parsed = JSON.parse(line) as { msg?: string; level?: number };
      key = `${parsed.level ?? ''} ${parsed.msg ?? line}`;
    } catch {
      // not JSON: the line is its own key
    }
    if (!distinct.has(key)) distinct.set(key, line.slice(0, 400));
  }
  return { lines: all.length, sample: [...distinct.values()].slice(0, 8) };
}

// Scenario 1: memory per idle connection -------------------------------------------------------

interface MemoryFigure {
  wanted: number;
  held: number;
  failed: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  kbPerConnection: number;
  /** (RSS now − RSS at the previous size) ÷ (connections added): fixed costs drop out. */
  marginalKbPerConnection: number | null;
  fdLimit: number;
  trouble: Record<string, number>;
}

/**
 * RSS of a server with no garbage: a full collection through its inspector before each 1-second
 * sample, and the median of the last three once they lie within 1 MB of each other (or after 20).
 */
async function settledRss(pid: number, inspector: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    await collectGarbage(inspector);
    samples.push(sampleProcess(pid).rssBytes);
    const last = samples.slice(-3);
    if (last.length === 3 && Math.max(...last) - Math.min(...last) < 2 ** 20) break;
    await sleep(1000);
  }
  return median(samples.slice(-3));
}

async function memoryScenario(system: SystemName): Promise<MemoryFigure[]> {
  const group = await startNodes(system, {
    nodes: 1,
    redisUrl: undefined,
    runId,
    logDir,
    fixture,
    dataDir,
    inspect: true,
  });
  const inspector = await waitForInspectorUrl(group.logFiles[0]!);
  const workers = await startWorkers(config.subscriberWorkers).catch(async (error: unknown) => {
    await group.stop();
    throw error;
  });
  try {
    const pid = group.pids[0]!;
    const fdLimit = openFilesLimit(pid);
    await sleep(config.memoryIdleSeconds * 1000);
    const before = await settledRss(pid, inspector);
    let previous = { rss: before, held: 0 };
    const results: MemoryFigure[] = [];
    let held = 0;
    let failed = 0;
    const trouble: Record<string, number>[] = [];
    for (const wanted of config.memorySizes) {
      const size = Math.min(wanted, fdLimit - config.fdReserve);
      const shares = split(Math.max(size - held, 0), workers.length);
      let firstIndex = held;
      const started = clockMs();
      const replies = await Promise.all(
        workers.map(({ worker, address }, i) => {
          const reply = worker.send({
            cmd: 'subscribe',
            system,
            targets: group.targets,
            room,
            count: shares[i]!,
            localAddress: address,
            firstIndex,
            concurrency: config.concurrency,
            latencyEvery: config.latencyEvery,
          });
          firstIndex += shares[i]!;
          return reply;
        }),
      );
      for (const { open } of replies) {
        failed += open!.failed;
        if (open!.failed > 0)
          log(`${system}: ${open!.failed} failed: ${open!.failures.join(' | ')}`);
      }
      log(
        `${system}: ${size} connections opened in ${((clockMs() - started) / 1000).toFixed(1)} s`,
      );
      await sleep(config.memorySettleSeconds * 1000);
      const after = await settledRss(pid, inspector);
      const marks = await Promise.all(workers.map(({ worker }) => worker.send({ cmd: 'mark' })));
      const windows = marks.map((m) => m.window!);
      trouble.push(...windows.map((w) => ({ ...w.closes, ...w.errors })));
      held = windows.reduce((sum, w) => sum + w.open, 0);
      results.push({
        wanted,
        held,
        failed,
        rssBeforeMb: before / 2 ** 20,
        rssAfterMb: after / 2 ** 20,
        kbPerConnection: (after - before) / held / 1024,
        marginalKbPerConnection:
          previous.held > 0 ? (after - previous.rss) / (held - previous.held) / 1024 : null,
        fdLimit,
        trouble: sumCounts(trouble),
      });
      previous = { rss: after, held };
      log(
        `${system}: ${held} held, RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MB, ` +
          `${((after - before) / held / 1024).toFixed(2)} KB each`,
      );
    }
    return results;
  } finally {
    await stopAll(workers, group);
  }
}

// Scenarios 2 and 3: broadcast in one room, on one node or two -----------------------------------

interface BroadcastResult {
  subscribers: number;
  publishers: number;
  median: WindowFigures;
  windows: WindowFigures[];
  closes: Record<string, number>;
  errors: Record<string, number>;
  rejected: Record<string, number>;
  failedToOpen: number;
  log: { lines: number; sample: string[] };
}

async function broadcastScenario(
  system: SystemName,
  nodes: number,
  wanted: number,
): Promise<BroadcastResult> {
  const group = await startNodes(system, {
    nodes,
    redisUrl: nodes > 1 ? redisUrl : undefined,
    runId,
    logDir,
    fixture,
    dataDir,
  });
  const redis = nodes > 1 ? await redisPid() : null;
  let workers: { worker: LoadWorker; address: string }[] = [];
  try {
    workers = await startWorkers(config.subscriberWorkers + 1);
    const subscriberWorkers = workers.slice(0, config.subscriberWorkers);
    const publisherWorker = workers.at(-1)!.worker;
    const shares = split(wanted, subscriberWorkers.length);
    let firstIndex = 0;
    const started = clockMs();
    const replies = await Promise.all(
      subscriberWorkers.map(({ worker, address }, i) => {
        const reply = worker.send({
          cmd: 'subscribe',
          system,
          // Subscriber processes alternate between the nodes.
          targets: [group.targets[i % nodes]!],
          room,
          count: shares[i]!,
          localAddress: address,
          firstIndex,
          concurrency: config.concurrency,
          latencyEvery: config.latencyEvery,
        });
        firstIndex += shares[i]!;
        return reply;
      }),
    );
    let failedToOpen = 0;
    for (const { open } of replies) {
      failedToOpen += open!.failed;
      if (open!.failed > 0) log(`${system}: ${open!.failed} failed: ${open!.failures.join(' | ')}`);
    }
    const subscribers = replies.reduce((sum, r) => sum + r.open!.opened, 0);
    log(
      `${system} ×${nodes}: ${subscribers} subscribers in ${((clockMs() - started) / 1000).toFixed(1)} s`,
    );
    const opened = await publisherWorker.send({
      cmd: 'publishers',
      system,
      targets: group.targets,
      room,
      publishers: publisherIdentities,
    });
    if (opened.open!.failed > 0) {
      log(
        `${system}: ${opened.open!.failed} publishers failed: ${opened.open!.failures.join(' | ')}`,
      );
    }
    const publishers = opened.open!.opened;
    await publisherWorker.send({
      cmd: 'start',
      intervalMs: (publishers / config.rate) * 1000,
      cmidPrefix: (scenarioCount++).toString(36).padStart(2, '0'),
    });

    const all: WindowReport[][] = [];
    let postgres: number[] = [];
    const workerPids = workers.map(({ worker }) => worker.child.pid!);
    const mark = async () => {
      const reports = await Promise.all(workers.map(({ worker }) => worker.send({ cmd: 'mark' })));
      return reports.map((r) => r.window!);
    };
    const sample = () => ({
      at: clockMs(),
      server: treeCpu(group.pids),
      redis: redis === null ? 0 : treeCpu([redis]),
      postgres: postgres.reduce((sum, pid) => sum + processCpu(pid), 0),
      load: treeCpu(workerPids),
      machine: sampleMachine(),
    });
    await sleep(config.warmupSeconds * 1000);
    all.push(await mark()); // the warm-up: counted for trouble, not for figures
    if (system === 'binge' && fixture) {
      postgres = await backendPids(adminUrl, fixture.databaseName).catch(() => []);
    }
    let start = sample();
    const windows: WindowFigures[] = [];
    for (let w = 0; w < config.windows; w += 1) {
      await sleep(config.windowSeconds * 1000);
      const reports = await mark();
      const end = sample();
      all.push(reports);
      const figures = windowFigures({
        reports,
        seconds: (end.at - start.at) / 1000,
        serverCpuSeconds: end.server - start.server,
        redisCpuSeconds: redis === null ? null : end.redis - start.redis,
        postgresCpuSeconds: system === 'binge' ? end.postgres - start.postgres : null,
        loadCpuSeconds: end.load - start.load,
        machineCpuSeconds: (end.machine.busyTicks - start.machine.busyTicks) / clockTicksPerSecond,
        subscribers,
      });
      start = end;
      windows.push(figures);
      log(
        `${system} ×${nodes} window ${w + 1}: ${figure(figures.deliveriesPerSecond)} deliveries/s, ` +
          `p50 ${figure(figures.p50Ms, 1)} ms, p99 ${figure(figures.p99Ms, 1)} ms ` +
          `(ok p50 ${figure(figures.ackP50Ms, 1)} ms), ` +
          `server ${figure(figures.serverCpuPerSecond, 2)} CPU-s/s, ` +
          `${figure(figures.deliveriesPerCpuSecond)} per CPU-s, ` +
          `delivered ${figure(figures.deliveredShare * 100, 1)} %, ` +
          `machine ${figure(figures.machineCpuPerSecond, 2)} CPU-s/s (others ${figure(figures.otherCpuPerSecond, 2)})`,
      );
    }
    const flat = all.flat();
    return {
      subscribers,
      publishers,
      median: medianFigures(windows),
      windows,
      closes: sumCounts(flat.map((r) => r.closes)),
      errors: sumCounts(flat.map((r) => r.errors)),
      rejected: sumCounts(flat.map((r) => r.rejected)),
      failedToOpen,
      log: await logSummary(group.logFiles),
    };
  } finally {
    await stopAll(workers, group);
  }
}

// Report ----------------------------------------------------------------------------------------

const peers = (['socketio', 'ws'] as const).filter((s) => systems.includes(s));

function header(): string[] {
  const columns = systems.map((s) => systemLabel[s]);
  const ratios = systems.includes('binge') ? peers.map((p) => `binge ÷ ${systemLabel[p]}`) : [];
  return ['', ...columns, ...ratios];
}

function row<T>(
  label: string,
  results: Partial<Record<SystemName, T>>,
  value: (r: T) => number | null,
  digits = 0,
): string[] {
  const values = systems.map((s) => (results[s] === undefined ? null : value(results[s]!)));
  const ours = results.binge === undefined ? null : value(results.binge);
  const ratios = systems.includes('binge')
    ? peers.map((p) => ratio(ours, results[p] === undefined ? null : value(results[p]!)))
    : [];
  return [label, ...values.map((v) => figure(v, digits)), ...ratios];
}

function memoryTable(results: Partial<Record<SystemName, MemoryFigure[]>>): string {
  const rows: string[][] = [];
  config.memorySizes.forEach((wanted, i) => {
    const at = Object.fromEntries(
      Object.entries(results).map(([s, list]) => [s, list![i]!]),
    ) as Partial<Record<SystemName, MemoryFigure>>;
    rows.push(row(`connections held (asked ${figure(wanted)})`, at, (r) => r.held));
    rows.push(row('  RSS before, MB', at, (r) => r.rssBeforeMb));
    rows.push(row('  RSS after, MB', at, (r) => r.rssAfterMb));
    rows.push(row('  **KB per idle connection**', at, (r) => r.kbPerConnection, 2));
    if (i > 0) {
      rows.push(
        row(
          '  KB per connection added since the previous size',
          at,
          (r) => r.marginalKbPerConnection,
          2,
        ),
      );
    }
  });
  const table = renderTable(header(), rows);
  const notes = systems
    .map((s) => {
      const list = results[s] ?? [];
      const last = list.at(-1);
      if (!last) return `${systemLabel[s]}: no figures`;
      return (
        `${systemLabel[s]}: RSS before ${figure(last.rssBeforeMb)} MB; fd limit ${figure(last.fdLimit)}; ` +
        `failed to open ${last.failed}; closes/errors: ${counts(last.trouble)}`
      );
    })
    .join('\n');
  return `${table}\n\n${notes}`;
}

function broadcastTable(
  results: Partial<Record<SystemName, BroadcastResult>>,
  nodes: number,
): string {
  const m = (r: BroadcastResult) => r.median;
  const rows = [
    row('subscribers connected', results, (r) => r.subscribers),
    row('publications/s acknowledged', results, (r) => m(r).ackedPerSecond, 1),
    row('**deliveries/s**', results, (r) => m(r).deliveriesPerSecond),
    row('delivered, % of sent × subscribers', results, (r) => m(r).deliveredShare * 100, 1),
    row('**latency p50, ms** (lower is better)', results, (r) => m(r).p50Ms, 1),
    row('**latency p99, ms** (lower is better)', results, (r) => m(r).p99Ms, 1),
    row('publish → ok p50, ms', results, (r) => m(r).ackP50Ms, 1),
    row('publish → ok p99, ms', results, (r) => m(r).ackP99Ms, 1),
    row(
      `server CPU-s/s (${nodes} node${nodes > 1 ? 's' : ''}; lower is better)`,
      results,
      (r) => m(r).serverCpuPerSecond,
      2,
    ),
    row('**deliveries per CPU-second**', results, (r) => m(r).deliveriesPerCpuSecond),
    ...(nodes > 1 ? [row('Redis CPU-s/s', results, (r) => m(r).redisCpuPerSecond, 2)] : []),
    row('PostgreSQL CPU-s/s (our danmu are stored)', results, (r) => m(r).postgresCpuPerSecond, 2),
    row('load generator CPU-s/s', results, (r) => m(r).loadCpuPerSecond, 2),
    row(`whole machine CPU-s/s (of ${cpus().length})`, results, (r) => m(r).machineCpuPerSecond, 2),
    row('  of which other processes', results, (r) => m(r).otherCpuPerSecond, 2),
    row('bytes per delivery (WebSocket payload)', results, (r) => m(r).bytesPerDelivery, 1),
  ];
  const table = renderTable(header(), rows);
  const notes = systems
    .map((s) => {
      const r = results[s];
      if (!r) return `${systemLabel[s]}: no figures`;
      return (
        `${systemLabel[s]}: closes: ${counts(r.closes)}; errors: ${counts(r.errors)}; ` +
        `publish failures: ${counts(r.rejected)}; failed to open: ${r.failedToOpen}; ` +
        `server log lines: ${r.log.lines}`
      );
    })
    .join('\n');
  return `${table}\n\n${notes}`;
}

function goals(
  memory: Partial<Record<SystemName, MemoryFigure[]>>,
  light: Partial<Record<SystemName, BroadcastResult>>,
  broadcast: Partial<Record<SystemName, BroadcastResult>>,
  cluster: Partial<Record<SystemName, BroadcastResult>>,
): string {
  const lines: string[] = [];
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'MET' : 'NOT MET');
  const perCpu = (r?: BroadcastResult) => r?.median.deliveriesPerCpuSecond ?? null;
  for (const [label, set] of [
    [`one node, ${figure(config.subscribers)} subscribers`, broadcast],
    [`two nodes, ${figure(config.subscribers)} subscribers`, cluster],
    [`one node, ${figure(config.lightSubscribers)} subscribers`, light],
  ] as const) {
    if (Object.keys(set).length === 0) continue;
    const ours = perCpu(set.binge);
    const theirs = perCpu(set.socketio);
    const r = ours !== null && theirs !== null ? ours / theirs : null;
    lines.push(
      `≥10× Socket.IO's deliveries per CPU-second (${label}): ${r === null ? '—' : `${r.toFixed(2)}×`} → ${verdict(r === null ? null : r >= 10)}`,
    );
  }
  const p99 = broadcast.binge?.median.p99Ms ?? null;
  lines.push(
    `p99 < 100 ms at ${figure(config.subscribers)} subscribers (one node): ${p99 === null ? '—' : `${p99.toFixed(1)} ms`} → ${verdict(p99 === null ? null : p99 < 100)}`,
  );
  const p99Cluster = cluster.binge?.median.p99Ms ?? null;
  lines.push(
    `p99 < 100 ms (two nodes): ${p99Cluster === null ? '—' : `${p99Cluster.toFixed(1)} ms`} → ${verdict(p99Cluster === null ? null : p99Cluster < 100)}`,
  );
  for (const m of memory.binge ?? []) {
    lines.push(
      `< 10 KB per idle connection at ${figure(m.held)}: ${m.kbPerConnection.toFixed(2)} KB → ${verdict(m.kbPerConnection < 10)}`,
    );
  }
  if (!memory.binge) lines.push('< 10 KB per idle connection: not measured');
  return lines.map((l) => `- ${l}`).join('\n');
}

// Run -------------------------------------------------------------------------------------------

const memory: Partial<Record<SystemName, MemoryFigure[]>> = {};
const light: Partial<Record<SystemName, BroadcastResult>> = {};
const broadcast: Partial<Record<SystemName, BroadcastResult>> = {};
const cluster: Partial<Record<SystemName, BroadcastResult>> = {};
const failures: string[] = [];

async function attempt(what: string, run: () => Promise<void>) {
  try {
    await run();
  } catch (error) {
    const message = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
    failures.push(message);
    log(message);
  }
}

try {
  if (systems.includes('binge')) {
    fixture = await createBingeFixture(adminUrl, config.publishers, 3 * 3600_000);
    room = fixture.room;
    publisherIdentities = fixture.publishers.map((p, i) => ({
      ...p,
      localAddress: '127.0.0.1',
      forwardedFor: forwardedFor(100_000 + i),
    }));
  } else {
    publisherIdentities = Array.from({ length: config.publishers }, (_, i) => ({
      userId: i + 1,
      token: '',
      localAddress: '127.0.0.1',
      forwardedFor: forwardedFor(100_000 + i),
    }));
  }
  log(`run ${runId}: ${systems.join(', ')}; room ${room}; logs in ${logDir}`);
  // The scenario is the outer loop so that the systems are measured close together in time.
  if (scenarios.includes('memory')) {
    for (const system of systems) {
      await attempt(`memory ${system}`, async () => {
        memory[system] = await memoryScenario(system);
      });
    }
  }
  if (scenarios.includes('light')) {
    for (const system of systems) {
      await attempt(`light ${system}`, async () => {
        light[system] = await broadcastScenario(system, 1, config.lightSubscribers);
      });
    }
  }
  if (scenarios.includes('broadcast')) {
    for (const system of systems) {
      await attempt(`broadcast ${system}`, async () => {
        broadcast[system] = await broadcastScenario(system, 1, config.subscribers);
      });
    }
  }
  if (scenarios.includes('cluster')) {
    for (const system of systems) {
      await attempt(`cluster ${system}`, async () => {
        cluster[system] = await broadcastScenario(system, 2, config.subscribers);
      });
    }
  }
} finally {
  await fixture
    ?.drop()
    .catch((error: unknown) => log(`could not drop the database: ${String(error)}`));
}

/** Which gateway was measured: the commit, and whether realtime/ had uncommitted changes. */
function gatewayRevision(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'realtime', 'core') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in realtime/ or core/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, clock ticks ${clockTicksPerSecond}/s`;
const load =
  `${figure(config.subscribers)} subscribers in ${config.subscriberWorkers} processes, ` +
  `${config.publishers} publishers × ${(config.rate / config.publishers).toFixed(2)}/s = ${config.rate} danmu/s; ` +
  `warm-up ${config.warmupSeconds} s, median of ${config.windows} windows of ${config.windowSeconds} s`;
const sections: string[] = [
  `Machine: ${machine}`,
  `Gateway: ${gatewayRevision()}`,
  `Load: ${load}`,
];
if (scenarios.includes('memory')) {
  sections.push(
    `### Memory per idle connection (one node, each subscribed to one room)\n\n${memoryTable(memory)}`,
  );
}
if (scenarios.includes('light')) {
  sections.push(
    `### One room, one node, ${figure(config.lightSubscribers)} subscribers (a lighter load)\n\n${broadcastTable(light, 1)}`,
  );
}
if (scenarios.includes('broadcast')) {
  sections.push(
    `### One room, one node, ${figure(config.subscribers)} subscribers\n\n${broadcastTable(broadcast, 1)}`,
  );
}
if (scenarios.includes('cluster')) {
  sections.push(
    `### One room, two nodes through Redis, ${figure(config.subscribers)} subscribers\n\n${broadcastTable(cluster, 2)}`,
  );
}
if (systems.includes('binge'))
  sections.push(`### Goals (ours)\n\n${goals(memory, light, broadcast, cluster)}`);
const logs = [light.binge, broadcast.binge, cluster.binge].filter((r) => r && r.log.lines > 0);
if (logs.length > 0) {
  sections.push(
    `### What our gateway logged\n\n${logs.map((r) => r!.log.sample.join('\n')).join('\n')}`,
  );
}
if (failures.length > 0) sections.push(`### Failures\n\n${failures.join('\n')}`);
const output = sections.join('\n\n');
console.log(`\n${output}\n`);
const resultsFile = path.join(logDir, 'results.json');
await writeFile(
  resultsFile,
  JSON.stringify({ runId, config, machine, memory, light, broadcast, cluster, failures }, null, 2),
);
console.log(`Figures and server logs: ${logDir}`);
await rm(dataDir, { recursive: true, force: true });
process.exit(failures.length > 0 ? 1 : 0);
