import type { RealtimeStore } from '../realtime-state/store.ts';
import { hotRequestIdOf, impressionOf, type FeedCursorCodec } from './feed-cursor.ts';
import type { FeedEntry, FeedPage, FeedService } from './feed-service.ts';

/**
 * The feed without the ranker: the hot order of the realtime store (one entry per published
 * series, the episode to continue for a viewer with progress), endless by starting again from the
 * top when it runs out. Serves a standalone API or gateway that has no ranker in process and no
 * RANKER_URL, the feed client when the ranker does not answer, and the ranker itself when its
 * candidates cannot be read: the feed always answers.
 *
 * It reads and writes the ranker's cursor (feed-cursor.ts), keeping its place in `offset`, so a
 * session can pass between the ranker and this feed. It logs no impressions: they carry the
 * feature vectors the ranker scored, and there are none here.
 */
export function createHotFeed(options: {
  store: Pick<RealtimeStore, 'feedPage'>;
  cursors: FeedCursorCodec;
}): FeedService {
  const { store, cursors } = options;
  return {
    async page(request): Promise<FeedPage> {
      const { viewerId, limit, now } = request;
      const state =
        request.cursor === undefined
          ? cursors.start(viewerId, now)
          : cursors.decode(request.cursor, viewerId);
      const requestId = hotRequestIdOf(state.session, state.page);
      const first = await store.feedPage(viewerId, state.offset, limit, now);
      const picked = [...first.entries];
      let offset = state.offset + first.entries.length;
      // The end of the hot order: start again from the top, without repeating this page.
      if (!first.more && picked.length < limit && state.offset > 0) {
        const again = await store.feedPage(viewerId, 0, limit - picked.length, now);
        const onPage = new Set(picked.map((entry) => entry.episodeId));
        picked.push(...again.entries.filter((entry) => !onPage.has(entry.episodeId)));
        offset = again.entries.length;
      }
      const entries: FeedEntry[] = picked.map((entry, position) => ({
        episodeId: entry.episodeId,
        seriesId: entry.seriesId,
        impression: impressionOf(requestId, position),
        source: 'hot',
        score: picked.length - position,
        explore: false,
      }));
      return {
        entries,
        next: cursors.encode({ ...state, page: state.page + 1, offset }),
        requestId,
        modelVersion: null,
      };
    },
  };
}
