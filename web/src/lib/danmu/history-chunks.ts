/**
 * Which stretches of an episode's danmu to load around the playhead. History is fetched in fixed
 * chunks of video time (aligned, so a chunk is loaded once however the viewer seeks): the chunk
 * under what is on screen now (back to one scroll duration ago, since a seek shows comments that
 * started before the new position) and the chunks up to `aheadMs` in front of the playhead.
 */
export interface ChunkPlan {
  /** Video time per chunk; at most the protocol's 10-minute history window. */
  readonly chunkMs: number;
  /** How far behind the playhead comments may still be on screen. */
  readonly behindMs: number;
  /** How far ahead to have loaded. */
  readonly aheadMs: number;
}

export const defaultChunkPlan: ChunkPlan = { chunkMs: 30_000, behindMs: 8_000, aheadMs: 45_000 };

/** Chunk indexes needed at `tMs`, nearest first (the one under the playhead leads). */
export function chunksAround(tMs: number, plan: ChunkPlan, durationMs?: number): number[] {
  if (!Number.isFinite(tMs) || tMs < 0) tMs = 0;
  const current = Math.floor(tMs / plan.chunkMs);
  const first = Math.floor(Math.max(0, tMs - plan.behindMs) / plan.chunkMs);
  let last = Math.floor((tMs + plan.aheadMs) / plan.chunkMs);
  if (durationMs !== undefined && Number.isFinite(durationMs) && durationMs > 0)
    last = Math.min(last, Math.floor(durationMs / plan.chunkMs));
  const out = [current];
  for (let k = first; k <= last; k += 1) if (k !== current) out.push(k);
  return out.filter((k) => k <= Math.max(last, current));
}

/** The video-time window of a chunk, both ends inclusive as the protocol's `from`/`to`. */
export function chunkWindow(index: number, plan: ChunkPlan): { from: number; to: number } {
  return { from: index * plan.chunkMs, to: (index + 1) * plan.chunkMs - 1 };
}
