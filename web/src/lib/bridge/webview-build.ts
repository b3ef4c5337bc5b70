/**
 * True in the build made by `npm run build -w mobile-webview` (which sets VITE_BINGE_WEBVIEW=1),
 * false in the default build and outside Vite. Page code that registers a service worker by hand
 * checks it, as SvelteKit's own registration is already off in that build: the native shell owns
 * caching there (WKWebView runs service workers only for App-Bound Domains).
 */
export const webviewBuild: boolean =
  (import.meta as { env?: Record<string, unknown> }).env?.VITE_BINGE_WEBVIEW === '1';
