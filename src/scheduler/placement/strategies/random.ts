// random, and the last word after every other strategy: a uniform pick among the
// instances still tied. One call of the injected rng per contested pick, none otherwise.
export function pickUniform(tied: Int32Array, count: number, rng: () => number): number {
  if (count === 1) return tied[0]!;
  const k = Math.floor(rng() * count);
  return tied[k < count ? k : count - 1]!; // rng() may return 1 by accident; never read past the ties
}
