import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clip,
  escapeHtml,
  renderMissingSharePage,
  renderSharePage,
  type ShareCard,
} from './share-page.ts';

const hostile = `"<script>alert('x')</script>&amp;`;

const card: ShareCard = {
  language: 'en',
  type: 'video.episode',
  title: `${hostile} · Episode 3`,
  description: `Synopsis ${hostile}`,
  imageUrl: `https://binge.example/media/abc/poster.jpg?x="><script>`,
  shareUrl: 'https://binge.example/s/Ab3dE6gH9k',
  pageUrl: '/watch/7',
  seriesUrl: 'https://binge.example/series/3',
  redirect: true,
};

/** Every `<meta property|name="k" content="v">`, with v unescaped as a browser would. */
function metaTags(html: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [, key, value] of html.matchAll(
    /<meta (?:property|name)="([^"]+)" content="([^"]*)">/g,
  ))
    tags.set(
      key!,
      value!.replace(
        /&(lt|gt|quot|#39|amp);/g,
        (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!,
      ),
    );
  return tags;
}

test('escapeHtml turns every character that can end a text or an attribute into an entity', () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
  );
});

test('the card carries Open Graph and Twitter tags with the catalog text intact but inert', () => {
  const html = renderSharePage(card);
  assert.ok(!html.includes('<script'), 'no tag from the text survives');
  assert.ok(!html.includes(`"<`), 'no attribute is closed early');
  const tags = metaTags(html);
  assert.equal(tags.get('og:title'), card.title);
  assert.equal(tags.get('og:description'), card.description);
  assert.equal(tags.get('og:image'), card.imageUrl);
  assert.equal(tags.get('og:url'), card.shareUrl);
  assert.equal(tags.get('og:type'), 'video.episode');
  assert.equal(tags.get('og:site_name'), 'Binge');
  assert.equal(tags.get('og:locale'), 'en_US');
  assert.equal(tags.get('og:locale:alternate'), 'zh_CN');
  assert.equal(tags.get('video:series'), card.seriesUrl);
  assert.equal(tags.get('twitter:card'), 'summary_large_image');
  assert.equal(tags.get('twitter:title'), card.title);
  assert.equal(tags.get('twitter:image'), card.imageUrl);
  assert.match(html, /<meta http-equiv="refresh" content="0; url=\/watch\/7">/);
  assert.match(html, /<a href="\/watch\/7">Watch on Binge<\/a>/);
  assert.match(
    html,
    /<title>&quot;&lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt;&amp;amp; · Episode 3 · Binge<\/title>/,
  );
});

test('unfurlers get no redirect; without a poster the card is a summary without image tags', () => {
  const html = renderSharePage({
    ...card,
    imageUrl: null,
    redirect: false,
    language: 'zh',
    type: 'video.tv_show',
    seriesUrl: undefined,
  });
  const tags = metaTags(html);
  assert.ok(!html.includes('http-equiv="refresh"'));
  assert.equal(tags.get('twitter:card'), 'summary');
  assert.equal(tags.has('og:image'), false);
  assert.equal(tags.has('twitter:image'), false);
  assert.equal(tags.has('video:series'), false);
  assert.equal(tags.get('og:locale'), 'zh_CN');
  assert.match(html, /<html lang="zh-CN">/);
});

test('clip keeps whole code points and collapses whitespace', () => {
  assert.equal(clip('  short \n text ', 20), 'short text');
  assert.equal(clip('😀'.repeat(10), 5), '😀😀😀😀…');
});

test('the missing-link page links home and is not indexed', () => {
  const html = renderMissingSharePage();
  assert.match(html, /<a href="\/">Binge<\/a>/);
  assert.match(html, /noindex/);
});
