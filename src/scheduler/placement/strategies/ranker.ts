// A strategy ranks the feasible instances: the lowest key wins, and the next strategy
// only breaks ties. Each ranker keeps `keys[i]` current for every instance as tasks land,
// so a pick is a pass over typed arrays with no calls.
export interface Ranker {
  readonly keys: Float64Array;
  /** Told after a task lands on instance i, for rankers that keep their own keys. */
  placed?(i: number): void;
}
