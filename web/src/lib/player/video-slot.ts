import type Hls from 'hls.js';
import type { ErrorData, HlsConfig } from 'hls.js';
import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import { isExpiredSourceError } from './expired-source.ts';
import { qualityOptions, shortSideOf, type QualityOption } from './quality-options.ts';

/**
 * One reusable `<video>` element and the hls.js instance feeding it. A feed keeps a few of these
 * (video-pool.ts) and moves them between episodes instead of creating an element per swipe:
 * mobile browsers only autoplay an element the user has already interacted with, and a warm
 * element with its first segment buffered shows its first frame as soon as it is made current.
 */
export type SlotPhase = 'empty' | 'loading' | 'ready' | 'failed';

export interface SlotFailure {
  title: string;
  code: string;
  detail?: string;
}

export interface SlotEvents {
  levels: QualityOption[];
  /** The short side of the rendition now playing (Auto shows it). */
  rung: number | null;
  failure: SlotFailure;
  phase: SlotPhase;
}

type Listener<T> = (value: T) => void;

/**
 * How much a preloading slot buffers: enough for its first frame and a second of play. The
 * active slot gets hls.js's defaults back (30 s ahead).
 */
const preloadBuffer: Partial<HlsConfig> = { maxBufferLength: 2, maxMaxBufferLength: 4 };
const activeBuffer: Partial<HlsConfig> = { maxBufferLength: 30, maxMaxBufferLength: 60 };

/**
 * hls.js's light build: everything this player uses (ABR ladder, AES-128, error recovery) without
 * EME DRM, subtitles, alternate audio, CMCD and interstitials, which the platform does not serve:
 * 117 KiB gzip instead of 185 KiB.
 */
let hlsModule: Promise<typeof import('hls.js/light')> | null = null;
function loadHls() {
  hlsModule ??= import('hls.js/light');
  return hlsModule;
}

export interface VideoSlotOptions {
  /** Fetches fresh signed URLs for an episode (once, when the current ones expire). */
  refreshPlayback: (episodeId: number) => Promise<PlaybackInfo>;
}

export class VideoSlot {
  readonly video: HTMLVideoElement;
  source: PlaybackInfo | null = null;
  phase: SlotPhase = 'empty';
  levels: QualityOption[] = [];
  rung: number | null = null;
  failure: SlotFailure | null = null;
  /** ms since the epoch when `load` was called and when its first frame could be shown. */
  loadStartedAt = 0;
  firstFrameAt = 0;

  private hls: Hls | null = null;
  private active = false;
  private generation = 0;
  private expiryRefreshUsed = false;
  private mediaRecoveryUsed = false;
  private selectedLevel = -1;
  private readonly listeners = new Map<keyof SlotEvents, Set<Listener<never>>>();

  constructor(
    document: Document,
    private readonly options: VideoSlotOptions,
  ) {
    const video = document.createElement('video');
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    video.setAttribute('webkit-playsinline', '');
    video.preload = 'auto';
    video.muted = true;
    video.disablePictureInPicture = false;
    video.addEventListener('loadeddata', () => {
      if (this.firstFrameAt === 0) this.firstFrameAt = Date.now();
      this.setPhase('ready');
    });
    video.addEventListener('error', () => this.onNativeError());
    this.video = video;
  }

  on<K extends keyof SlotEvents>(name: K, listener: Listener<SlotEvents[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  private emit<K extends keyof SlotEvents>(name: K, value: SlotEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? [])
      (listener as Listener<SlotEvents[K]>)(value);
  }

  private setPhase(phase: SlotPhase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.emit('phase', phase);
  }

  get episodeId(): number | null {
    return this.source?.episodeId ?? null;
  }

  /** Points the element at an episode and buffers its start; a preload stops at the first segment. */
  async load(source: PlaybackInfo, startAtSeconds = 0, active = false): Promise<void> {
    this.unload();
    const generation = ++this.generation;
    this.source = source;
    this.active = active;
    this.loadStartedAt = Date.now();
    this.firstFrameAt = 0;
    this.setPhase('loading');
    this.video.poster = source.posterUrl ?? '';
    const { default: HlsPlayer } = await loadHls();
    if (generation !== this.generation) return;
    // hls.js first: recent Chromium also answers "maybe" for native HLS, but hls.js gives the
    // quality ladder and error detail the player needs.
    if (HlsPlayer.isSupported()) {
      const instance = new HlsPlayer({
        startPosition: startAtSeconds > 0 ? startAtSeconds : -1,
        ...(active ? activeBuffer : preloadBuffer),
      });
      this.hls = instance;
      instance.on(HlsPlayer.Events.MANIFEST_PARSED, (_event, data) => {
        this.levels = qualityOptions(data.levels);
        if (this.selectedLevel !== -1) instance.currentLevel = this.selectedLevel;
        this.emit('levels', this.levels);
      });
      instance.on(HlsPlayer.Events.LEVEL_SWITCHED, (_event, data) => {
        const level = instance.levels[data.level];
        this.rung = level ? shortSideOf(level) : null;
        this.emit('rung', this.rung);
      });
      instance.on(HlsPlayer.Events.FRAG_LOADED, () => {
        this.expiryRefreshUsed = false;
      });
      instance.on(HlsPlayer.Events.ERROR, (_event, data) => this.onHlsError(instance, data));
      instance.loadSource(source.masterUrl);
      instance.attachMedia(this.video);
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      this.video.src = source.masterUrl;
      if (startAtSeconds > 0) {
        this.video.addEventListener(
          'loadedmetadata',
          () => (this.video.currentTime = startAtSeconds),
          {
            once: true,
          },
        );
      }
      this.video.load();
    } else {
      this.fail({
        title: 'This browser cannot play HLS video',
        code: 'HLS_UNSUPPORTED',
        detail: 'Neither Media Source Extensions nor native HLS is available.',
      });
    }
  }

  /** Makes this the playing slot: full buffer ahead. */
  activate(): void {
    this.active = true;
    if (this.hls) Object.assign(this.hls.config, activeBuffer);
  }

  /** Back to a neighbour: paused, buffering no further than a preload would. */
  deactivate(): void {
    this.active = false;
    this.video.pause();
    if (this.hls) Object.assign(this.hls.config, preloadBuffer);
  }

  get isActive(): boolean {
    return this.active;
  }

  chooseLevel(index: number): void {
    this.selectedLevel = index;
    // currentLevel switches now (flushing the buffer); -1 hands the choice back to hls.js ABR.
    if (this.hls) this.hls.currentLevel = index;
  }

  get selectedQuality(): number {
    return this.selectedLevel;
  }

  /** Fetches fresh signed URLs and reloads at the same position (after a 403 or a retry). */
  async reloadFresh(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const at = this.video.currentTime;
    const resume = !this.video.paused;
    try {
      const fresh = await this.options.refreshPlayback(source.episodeId);
      if (this.source !== source) return;
      await this.load(fresh, at, this.active);
      if (resume) void this.video.play().catch(() => undefined);
    } catch (error) {
      const problem = (error as { problem?: SlotFailure }).problem;
      this.fail(
        problem
          ? {
              title: problem.title,
              code: problem.code,
              ...(problem.detail ? { detail: problem.detail } : {}),
            }
          : { title: 'The video could not be loaded', code: 'NETWORK_ERROR' },
      );
    }
  }

  retry(): void {
    this.expiryRefreshUsed = false;
    this.mediaRecoveryUsed = false;
    this.failure = null;
    void this.reloadFresh();
  }

  private fail(failure: SlotFailure): void {
    this.failure = failure;
    this.setPhase('failed');
    this.emit('failure', failure);
  }

  private onHlsError(instance: Hls, data: ErrorData): void {
    if (instance !== this.hls) return;
    if (isExpiredSourceError(data) && !this.expiryRefreshUsed) {
      this.expiryRefreshUsed = true;
      void this.reloadFresh();
      return;
    }
    if (!data.fatal) return;
    if (data.type === 'mediaError' && !this.mediaRecoveryUsed) {
      this.mediaRecoveryUsed = true;
      instance.recoverMediaError();
      return;
    }
    instance.destroy();
    this.hls = null;
    const status = data.response?.code;
    this.fail({
      title:
        data.type === 'networkError'
          ? 'The video could not be loaded'
          : 'The video could not be played',
      code: `HLS_${data.details}`,
      ...(status
        ? { detail: `HTTP ${status}` }
        : data.error?.message
          ? { detail: data.error.message }
          : {}),
    });
  }

  private onNativeError(): void {
    // Native HLS (Safari) reports an expired URL only as a network or source error.
    if (this.hls || !this.video.error || !this.source) return;
    if (!this.expiryRefreshUsed) {
      this.expiryRefreshUsed = true;
      void this.reloadFresh();
    } else {
      this.fail({
        title: 'The video could not be played',
        code: `MEDIA_ERR_${this.video.error.code}`,
        detail: this.video.error.message,
      });
    }
  }

  /** Frees the episode; the element stays for the next one. */
  unload(): void {
    this.generation++;
    this.hls?.destroy();
    this.hls = null;
    this.source = null;
    this.levels = [];
    this.rung = null;
    this.failure = null;
    this.phase = 'empty';
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.removeAttribute('poster');
    this.video.load();
  }

  destroy(): void {
    this.unload();
    this.listeners.clear();
    this.video.remove();
  }
}
