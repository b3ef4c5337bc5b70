import type { SimCatalog } from './catalog.ts';
import type { PolicyRun } from './simulation.ts';
import { SESSION_LIMITS } from './watch-model.ts';

/** Per policy: what a session of its feed is worth to the viewer. */
export interface PolicyReport {
  policy: string;
  sessions: number;
  meanWatchMinutes: number;
  medianWatchMinutes: number;
  itemsPerSession: number;
  /** Share of sessions the viewer left out of impatience before the early marks. */
  earlyEndShare: number;
  /** Likes per item shown. */
  likeRate: number;
  /** Skips (under 3 s) per item shown. */
  skipRate: number;
  /** Median duration of the items shown: a watch-time objective leans toward long items. */
  medianItemSeconds: number;
}

export interface SimReport {
  seed: number;
  users: number;
  sessions: number;
  warmupSessions: number;
  pageSize: number;
  catalog: { items: number; tags: number; sampledDurations: number };
  model: { backend: string; rows: number; epochs: number; positives: number };
  earlyEnd: string;
  policies: PolicyReport[];
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds for the report, so it reads the same on every machine that computes the same run. */
function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function summarise(
  runs: PolicyRun[],
  catalog: SimCatalog,
  setup: Omit<SimReport, 'earlyEnd' | 'policies'>,
): SimReport {
  return {
    ...setup,
    earlyEnd:
      `left out of impatience before ${SESSION_LIMITS.earlyItems} items and before ` +
      `${SESSION_LIMITS.earlySeconds / 60} minutes`,
    policies: runs.map(({ policy, sessions, impressions }) => {
      const items = sessions.reduce((n, s) => n + s.items, 0);
      const count = Math.max(1, sessions.length);
      return {
        policy,
        sessions: sessions.length,
        meanWatchMinutes: round(sessions.reduce((n, s) => n + s.seconds, 0) / 60 / count),
        medianWatchMinutes: round(median(sessions.map((s) => s.seconds / 60))),
        itemsPerSession: round(items / count),
        earlyEndShare: round(sessions.filter((s) => s.early).length / count),
        likeRate: round(sessions.reduce((n, s) => n + s.likes, 0) / Math.max(1, items)),
        skipRate: round(sessions.reduce((n, s) => n + s.skips, 0) / Math.max(1, items)),
        medianItemSeconds: round(median(impressions.map((i) => catalog.durationS[i.item]!)), 1),
      };
    }),
  };
}

export function formatReport(report: SimReport): string {
  const header = [
    'policy',
    'watch min/session',
    'median',
    'items/session',
    'early end',
    'likes',
    'skips',
    'item length',
  ];
  const rows = report.policies.map((p) => [
    p.policy,
    p.meanWatchMinutes.toFixed(2),
    p.medianWatchMinutes.toFixed(2),
    p.itemsPerSession.toFixed(1),
    `${(p.earlyEndShare * 100).toFixed(1)}%`,
    `${(p.likeRate * 100).toFixed(2)}%`,
    `${(p.skipRate * 100).toFixed(1)}%`,
    `${p.medianItemSeconds.toFixed(0)} s`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  return [
    `session simulation: ${report.users} viewers × ${report.sessions} sessions after ` +
      `${report.warmupSessions} warm-up sessions each, seed ${report.seed}, pages of ${report.pageSize}`,
    `catalog: ${report.catalog.items} KuaiRand videos, ${report.catalog.tags} tags, ` +
      `${report.catalog.sampledDurations} durations sampled`,
    `model: trained on ${report.model.rows} warm-up impressions (${report.model.positives} plays), ` +
      `${report.model.epochs} epochs, ${report.model.backend} backend`,
    `early end: ${report.earlyEnd}; likes and skips per item shown; item length: median`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
