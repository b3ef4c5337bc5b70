import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * `npm run build -w mobile-webview` sets BINGE_WEBVIEW=1: the same client built for native
 * shells, written to mobile-webview/build (or BINGE_WEBVIEW_OUT), with SvelteKit's service-worker
 * registration off (see mobile-webview/README.md, "The webview build"). The default build is
 * unchanged.
 */
const webview = process.env.BINGE_WEBVIEW === '1';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // bin/platform.ts mounts build/handler.js into the API server for every non-API path, so
    // web and API share one origin and one port.
    adapter: adapter({
      out: webview ? (process.env.BINGE_WEBVIEW_OUT ?? '../mobile-webview/build') : 'build',
      precompress: true,
    }),
    // lib/offline/offline-client.ts registers src/service-worker.ts itself, in production web
    // builds only (not in the webview build: see the root layout).
    serviceWorker: { register: false },
  },
};

export default config;
