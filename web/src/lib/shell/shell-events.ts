import { bridge } from '$lib/bridge/bridge.ts';

/**
 * What the page does with the native shell's events (lib/bridge): playback stops when the app goes
 * to the background, and the picture is hidden while the screen is being recorded (paid dramas
 * are what pirates record). Safe-area insets from the shell become CSS variables for shells whose
 * webview does not fill `env(safe-area-inset-*)`. In a plain browser only `appState` fires
 * (visibilitychange); there is no screen-recording signal on the web.
 */
export function followShellEvents(document: Document): () => void {
  const shell = bridge();
  const root = document.documentElement;
  const applyInsets = (insets: { top: number; right: number; bottom: number; left: number }) => {
    for (const side of ['top', 'right', 'bottom', 'left'] as const)
      root.style.setProperty(`--shell-inset-${side}`, `${insets[side]}px`);
  };
  const offs = [
    shell.on('appState', ({ state }) => {
      if (state !== 'background') return;
      for (const video of document.querySelectorAll('video')) video.pause();
    }),
    shell.on('screenRecording', ({ active }) => {
      root.toggleAttribute('data-screen-recording', active);
    }),
    shell.on('safeAreaChange', applyInsets),
  ];
  if (shell.shell !== 'browser') void shell.safeArea().then(applyInsets, () => undefined);
  return () => offs.forEach((off) => off());
}

/** A light tap of the phone's haptics (a like); nothing where the device has none. */
export function tapHaptic(): void {
  void bridge()
    .haptic('light')
    .catch(() => undefined);
}
