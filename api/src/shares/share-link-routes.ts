import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isShareCode } from '@binge/core/shares/share-code';
import type { Share, ShareStore } from '@binge/core/shares/store';
import type { CatalogRepository } from '../catalog/catalog-repository.ts';
import { ProblemSchema } from '../catalog/catalog-schemas.ts';
import { toSeriesSummary } from '../catalog/series-view.ts';
import { sendProblem } from '../errors/problem.ts';
import type { MediaUrlSigner } from '../media/media-url.ts';
import { cardLanguage, prefersJson, type CardLanguage } from './content-negotiation.ts';
import { repeatKey, type RepeatOpens } from './repeat-opens.ts';
import { shareUrl } from './share-routes.ts';
import { clip, renderMissingSharePage, renderSharePage, type ShareCard } from './share-page.ts';
import { isLinkUnfurler } from './unfurlers.ts';

export interface ShareLinkRoutesOptions {
  store: ShareStore;
  catalog: CatalogRepository;
  signer: MediaUrlSigner;
  /** The public origin (PUBLIC_URL): og:url, og:image and video:series must be absolute. */
  publicUrl: string;
  repeatOpens: RepeatOpens;
}

/** Open Graph descriptions show two or three lines; longer synopses are cut. */
const DESCRIPTION_CHARS = 200;

/**
 * Browsers' speculative loads announce themselves (Chromium `Sec-Purpose: prefetch`, the older
 * `Purpose: prefetch`, Firefox `X-Moz: prefetch`, Safari's link previews `X-Purpose: preview`):
 * nobody has opened the link yet.
 */
function isPrefetch(request: FastifyRequest): boolean {
  const { headers } = request;
  return [headers['sec-purpose'], headers['purpose'], headers['x-moz'], headers['x-purpose']].some(
    (value) => typeof value === 'string' && /prefetch|prerender|preview/i.test(value),
  );
}

/**
 * `/s/<code>`, outside /api: the page link unfurlers turn into a preview card and people are
 * redirected from to the web page of the series (`/series/<id>`) or episode (`/watch/<id>`).
 * Registered on the API, not the web app, in both topologies (app.ts lists `/s/` among the API's
 * own prefixes; the nginx edge routes `/s/` to the API).
 *
 * An open is counted (shares.opens + 1) for a GET of an existing link whose target is still
 * published, whose User-Agent is not a link unfurler or crawler (unfurlers.ts; no User-Agent
 * counts as one), that is not a prefetch, and that is not a repeat: the same link from the same
 * IP address and User-Agent within 60 seconds (repeat-opens.ts). HEAD requests never count.
 */
export async function shareLinkRoutes(app: FastifyInstance, options: ShareLinkRoutesOptions) {
  const { store, catalog, signer, publicUrl, repeatOpens } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const absolute = (url: string) => (/^https?:\/\//.test(url) ? url : `${publicUrl}${url}`);

  /** The card of a link's target, or null when the target is no longer published. */
  async function cardOf(
    share: Share,
    language: CardLanguage,
    redirect: boolean,
  ): Promise<ShareCard | null> {
    const episode =
      share.targetType === 'episode' ? await catalog.findPlayback(share.targetId) : null;
    if (share.targetType === 'episode' && episode === null) return null;
    const seriesId = episode?.seriesId ?? share.targetId;
    const series = await catalog.findSeries(seriesId);
    if (series === null) return null;
    const summary = toSeriesSummary(series, [], signer, signer.expiry());
    const seriesTitle = summary.title[language];
    const common = {
      language,
      description: clip(summary.synopsis[language], DESCRIPTION_CHARS),
      imageUrl: summary.posterUrl === null ? null : absolute(summary.posterUrl),
      shareUrl: shareUrl(publicUrl, share.code),
      redirect,
    };
    if (episode === null)
      return {
        ...common,
        type: 'video.tv_show',
        title: seriesTitle,
        pageUrl: `/series/${seriesId}`,
      };
    const episodeTitle = language === 'zh' ? episode.titleZh : episode.titleEn;
    return {
      ...common,
      type: 'video.episode',
      title: `${seriesTitle} · ${episodeTitle}`,
      pageUrl: `/watch/${episode.id}`,
      seriesUrl: `${publicUrl}/series/${seriesId}`,
    };
  }

  /** Counts the open when the rules above say it is one person's first in the window. */
  async function countOpen(request: FastifyRequest, share: Share, unfurler: boolean) {
    if (request.method !== 'GET' || unfurler || isPrefetch(request)) return;
    const userAgent = request.headers['user-agent'] ?? '';
    let first: boolean;
    try {
      first = await repeatOpens.firstWithin(repeatKey(share.code, request.ip, userAgent));
    } catch (err) {
      // The card matters more than the count: without the repeat check nothing is counted.
      request.log.warn({ err }, 'share open not counted: the repeat check failed');
      return;
    }
    if (first) await store.recordOpen(share.code);
  }

  function missing(request: FastifyRequest, reply: FastifyReply) {
    if (prefersJson(request.headers.accept))
      return sendProblem(request, reply, 'SHARE_NOT_FOUND', 'No share link at this address');
    return reply
      .code(404)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderMissingSharePage());
  }

  const htmlPage = { 'text/html': { schema: { type: 'string' } } };

  typed.get(
    '/s/:code',
    {
      schema: {
        summary: 'A share link: preview card for unfurlers, redirect for people',
        description:
          'HTML with Open Graph and Twitter card tags (title, synopsis, series poster, locale from ' +
          'Accept-Language) and, for people, a meta refresh to /series/{id} or /watch/{episodeId}. ' +
          'A person’s GET counts one open; link unfurlers and crawlers, prefetches, HEAD and ' +
          'repeats by the same IP and User-Agent within a minute do not. An unknown or malformed ' +
          'code, or one whose target is no longer published, is a 404 page, or a problem document ' +
          'when Accept prefers JSON.',
        tags: ['shares'],
        params: Type.Object({ code: Type.String({ description: 'The code of the link' }) }),
        response: {
          200: { description: 'The card page', content: htmlPage },
          404: {
            description: 'SHARE_NOT_FOUND: a page, or a problem document when Accept prefers JSON',
            content: { ...htmlPage, 'application/problem+json': { schema: ProblemSchema } },
          },
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      const share = isShareCode(code) ? await store.find(code) : null;
      const unfurler = isLinkUnfurler(request.headers['user-agent']);
      const language = cardLanguage(request.headers['accept-language']);
      const card = share === null ? null : await cardOf(share, language, !unfurler);
      if (share === null || card === null) return missing(request, reply);
      await countOpen(request, share, unfurler);
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(renderSharePage(card));
    },
  );

  // `/s/`, `/s/a/b`: a mangled link still gets the page a person can read, not the web app's 404.
  app.get('/s/*', { schema: { hide: true } }, async (request, reply) => missing(request, reply));
}
