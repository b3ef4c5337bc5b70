import type { RankerModel } from '../model/ranker-model.ts';
import { gatherCandidates } from './candidates.ts';
import { SIM_DIM, writeFeatures } from './features.ts';
import type { PageRequest, Policy } from './policy.ts';

/**
 * The ranker: candidates from several sources, each scored by the TF.js model's expected watch
 * time on features from the logs, best first. With `epsilon`, that share of the page's slots goes
 * to a random candidate instead (epsilon-greedy exploration).
 */
export function modelPolicy(model: RankerModel, options: { epsilon?: number } = {}): Policy {
  const epsilon = options.epsilon ?? 0;
  if (model.dim !== SIM_DIM)
    throw new RangeError(`the model takes ${model.dim} features, the simulator writes ${SIM_DIM}`);
  return {
    name: epsilon > 0 ? `model ε=${epsilon}` : 'model',
    page(request: PageRequest): number[] {
      const candidates = gatherCandidates(request);
      if (candidates.length === 0) return [];
      const x = new Float32Array(candidates.length * SIM_DIM);
      writeFeatures(request.observations, request.viewer, request.session, candidates, x);
      const scores = model.predict(x, candidates.length);
      const ranked = candidates
        .map((item, k) => [item, scores[k]!] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .map(([item]) => item);
      const page = ranked.slice(0, request.size);
      if (epsilon > 0) {
        const rest = ranked.slice(request.size);
        for (let slot = 0; slot < page.length && rest.length > 0; slot += 1)
          if (request.random() < epsilon)
            page[slot] = rest.splice(Math.floor(request.random() * rest.length), 1)[0]!;
      }
      return page;
    },
  };
}
