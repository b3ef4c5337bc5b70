/**
 * Whether a WebGL implementation rasterises on the CPU. Chromium on a machine without a usable GPU
 * hands pages SwiftShader (Mesa's llvmpipe under other browsers on Linux, WARP on Windows), and it
 * does not flag that as a "major performance caveat" for Pixi's failIfMajorPerformanceCaveat check
 * (Chromium 156 here). Through it Pixi's WebGL renderer drew danmu several times slower than its
 * Canvas 2D renderer (BENCHMARKS.md, Danmu rendering), so the layer asks for Canvas 2D there.
 */
const softwarePattern = /swiftshader|llvmpipe|softpipe|software|basic render|warp/i;

export function isSoftwareWebGL(rendererName: string | null): boolean {
  return rendererName !== null && softwarePattern.test(rendererName);
}

interface CanvasFactory {
  createElement(name: 'canvas'): {
    getContext(kind: 'webgl'): {
      getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
      getExtension(name: 'WEBGL_lose_context'): { loseContext(): void } | null;
      getParameter(name: number): unknown;
    } | null;
  };
}

/** The unmasked WebGL renderer string of this browser, or null (no WebGL, or it is masked). */
export function webglRendererName(doc: CanvasFactory): string | null {
  const gl = doc.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  try {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null;
    return typeof name === 'string' ? name : null;
  } finally {
    // Browsers cap live WebGL contexts (16 in Chromium): free the probe's at once.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
