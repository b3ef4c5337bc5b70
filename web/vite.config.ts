import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const apiTarget = process.env.BINGE_API_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `npm run dev -w web` runs beside `npm start`, which serves the API and media on 8080.
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/media': { target: apiTarget, changeOrigin: true },
    },
    fs: {
      // @binge/core is a workspace symlink to ../core; its protocol files are TypeScript sources
      // that Vite must be allowed to read and transform in dev.
      allow: [fileURLToPath(new URL('../core/src/protocol', import.meta.url))],
    },
  },
  ssr: {
    // The protocol package ships .ts sources, which Node cannot load at run time: bundle them into
    // the server build instead of leaving a bare import to @binge/core.
    noExternal: ['@binge/core'],
  },
});
