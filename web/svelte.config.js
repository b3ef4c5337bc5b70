import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // bin/platform.ts mounts build/handler.js into the API server for every non-API path, so
    // web and API share one origin and one port.
    adapter: adapter({ out: 'build', precompress: true }),
    // lib/offline/offline-client.ts registers src/service-worker.ts itself, in production only.
    serviceWorker: { register: false },
  },
};

export default config;
