import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/**
 * The TF.js backend of the ranker. In Node: tfjs-node's native TensorFlow when that package is
 * installed (its install downloads libtensorflow, so it is never a dependency of ours), else the
 * WASM backend, whose .wasm binaries ship inside the npm package and are read from disk (nothing is
 * fetched), else the pure-JS CPU backend. RANKER_BACKEND pins one.
 */
export type BackendChoice = 'auto' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const require = createRequire(import.meta.url);
let wasmPathsSet = false;

function pointWasmAtPackage(): void {
  if (wasmPathsSet) return;
  const dist = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'dist',
  );
  setWasmPaths(`${dist}${path.sep}`);
  wasmPathsSet = true;
}

async function tryNative(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ name);
    return (
      tf.findBackend('tensorflow') !== null || tf.engine().registryFactory.tensorflow !== undefined
    );
  } catch {
    return false;
  }
}

let current: Promise<BackendName> | null = null;

/**
 * Selects the backend once per process and resolves with its name; later calls return the same
 * answer. The WASM backend installs process-wide error handlers of its own (emscripten), which
 * re-throw: they do what Node does by default, so nothing changes for us.
 */
export function initBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  current ??= (async () => {
    if (choice === 'auto' && (await tryNative()) && (await tf.setBackend('tensorflow')))
      return 'tensorflow';
    if (choice !== 'cpu') {
      pointWasmAtPackage();
      try {
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return 'wasm';
        }
      } catch {
        // fall through to the CPU backend
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return current;
}

/** Switches the backend in place (benchmarks compare WASM and CPU in one run). */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') pointWasmAtPackage();
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} is not available`);
  await tf.ready();
}

export { tf };
