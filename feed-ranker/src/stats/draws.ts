/**
 * Draws from the distributions the ranker needs, on any uniform source in [0, 1): the seeded
 * streams of the simulator (sim/random-streams.ts) and the re-ranker's exploration (Thompson
 * sampling, serving/rerank.ts), so a seed reproduces both.
 */
export type Uniform = () => number;

/** A standard normal draw (Box-Muller). */
export function normal(random: Uniform): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A Gamma(shape, 1) draw: Marsaglia and Tsang, "A Simple Method for Generating Gamma Variables"
 * (2000), with their boost U^(1/shape) for shapes below 1, which a sparse Dirichlet needs.
 */
export function gamma(random: Uniform, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(Math.max(random(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A draw from Beta(a, b), a and b > 0, as X / (X + Y) of two gamma draws. */
export function beta(random: Uniform, a: number, b: number): number {
  const x = gamma(random, a);
  const y = gamma(random, b);
  return x / (x + y);
}
