import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSoftwareWebGL, webglRendererName } from './software-webgl.ts';

test('software rasterisers are recognised, GPUs are not', () => {
  for (const name of [
    'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
    'Google SwiftShader',
    'llvmpipe (LLVM 15.0.6, 256 bits)',
    'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)',
  ])
    assert.equal(isSoftwareWebGL(name), true, name);
  for (const name of [
    'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
    'Apple GPU',
    'Adreno (TM) 650',
    'Mali-G78',
    'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
  ])
    assert.equal(isSoftwareWebGL(name), false, name);
  assert.equal(isSoftwareWebGL(null), false, 'masked or unknown: trust WebGL');
});

test('the probe reads the unmasked renderer and frees its context', () => {
  let lost = false;
  const doc = {
    createElement: () => ({
      getContext: () => ({
        getExtension: (name: string) =>
          name === 'WEBGL_debug_renderer_info'
            ? { UNMASKED_RENDERER_WEBGL: 0x9246 }
            : { loseContext: () => void (lost = true) },
        getParameter: (name: number) => (name === 0x9246 ? 'Google SwiftShader' : null),
      }),
    }),
  };
  assert.equal(webglRendererName(doc as never), 'Google SwiftShader');
  assert.equal(lost, true);
  assert.equal(
    webglRendererName({ createElement: () => ({ getContext: () => null }) } as never),
    null,
  );
});
