/**
 * Messages between the page and the service worker. The page posts a request with a
 * MessageChannel port; the worker answers on that port with `{ok: true, result}` or
 * `{ok: false, code, message}`. Everything a message carries is checked here before use.
 */
import { isValidCap, type CacheUsage } from './cache-budget.ts';

export type OfflineRequest =
  | { type: 'precache'; episodeId: number; masterUrl: string; maxRungHeight?: number }
  | { type: 'clear' }
  | { type: 'usage' }
  | { type: 'set-cap'; capBytes: number };

export interface PrecacheResult {
  episodeId: number;
  /** The rung stored (short side), null when the ladder gives no RESOLUTION. */
  rung: number | null;
  /** Responses newly stored, and their bytes. */
  stored: number;
  bytes: number;
  /** Segments of the planned start now in the cache (new or already there). */
  segments: number;
  /** False when the cap stopped it before every planned segment was stored. */
  complete: boolean;
}

export interface UsageResult extends CacheUsage {
  capBytes: number;
}

export interface ClearResult {
  removedEntries: number;
  removedBytes: number;
}

export interface OfflineResults {
  precache: PrecacheResult;
  clear: ClearResult;
  usage: UsageResult;
  'set-cap': UsageResult;
}

export type OfflineErrorCode =
  | 'OFFLINE_BAD_MESSAGE'
  | 'OFFLINE_CAP_INVALID'
  | 'OFFLINE_FETCH_FAILED'
  | 'OFFLINE_PLAYLIST_INVALID'
  | 'OFFLINE_NO_RENDITION'
  | 'OFFLINE_STORAGE_FAILED'
  | 'OFFLINE_UNSUPPORTED'
  | 'OFFLINE_TIMEOUT';

export type OfflineReply<T> =
  { ok: true; result: T } | { ok: false; code: OfflineErrorCode; message: string };

export class OfflineError extends Error {
  constructor(
    readonly code: OfflineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OfflineError';
  }
}

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Validates a message from a page; throws OfflineError with a code for anything else. */
export function parseOfflineRequest(data: unknown, origin: string): OfflineRequest {
  if (typeof data !== 'object' || data === null)
    throw new OfflineError('OFFLINE_BAD_MESSAGE', 'A message must be an object with a type');
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'clear':
    case 'usage':
      return { type: message.type };
    case 'set-cap':
      if (!isValidCap(message.capBytes))
        throw new OfflineError(
          'OFFLINE_CAP_INVALID',
          'capBytes must be a whole number of bytes between 1 MB and 4 GB',
        );
      return { type: 'set-cap', capBytes: message.capBytes };
    case 'precache': {
      if (!positiveInteger(message.episodeId))
        throw new OfflineError('OFFLINE_BAD_MESSAGE', 'episodeId must be a positive integer');
      if (typeof message.masterUrl !== 'string')
        throw new OfflineError('OFFLINE_BAD_MESSAGE', 'masterUrl must be a string');
      let master: URL;
      try {
        master = new URL(message.masterUrl, origin);
      } catch {
        throw new OfflineError('OFFLINE_BAD_MESSAGE', 'masterUrl is not a URL');
      }
      if (master.protocol !== 'https:' && master.protocol !== 'http:')
        throw new OfflineError('OFFLINE_BAD_MESSAGE', 'masterUrl must be http(s)');
      if (message.maxRungHeight !== undefined && !positiveInteger(message.maxRungHeight))
        throw new OfflineError('OFFLINE_BAD_MESSAGE', 'maxRungHeight must be a positive integer');
      return {
        type: 'precache',
        episodeId: message.episodeId,
        masterUrl: master.href,
        ...(message.maxRungHeight !== undefined ? { maxRungHeight: message.maxRungHeight } : {}),
      };
    }
    default:
      throw new OfflineError(
        'OFFLINE_BAD_MESSAGE',
        `Unknown message type ${JSON.stringify(message.type)}`,
      );
  }
}
