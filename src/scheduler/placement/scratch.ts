// Typed arrays the size of the cluster, reused from one placement to the next. A placement of
// ten tasks among 1,000 instances needs half a dozen of them; allocating each (zeroed, its
// memory outside the JS heap) was a large part of a whole call (bench/RESULTS.md). place() runs
// synchronously and is never re-entered, so one set serves every call: each call starts it
// over and takes the arrays it needs in turn. What it hands out holds old values: the
// callers write every element they read.
class ScratchArrays {
  private readonly float64s: Float64Array[] = [];
  private readonly int32s: Int32Array[] = [];
  private float64Taken = 0;
  private int32Taken = 0;

  /** Makes every array available again: for the start of a placement. */
  startOver(): void {
    this.float64Taken = 0;
    this.int32Taken = 0;
  }

  float64(n: number): Float64Array {
    const k = this.float64Taken++;
    let array = this.float64s[k];
    if (!array || array.length < n) this.float64s[k] = array = new Float64Array(n);
    return array.subarray(0, n);
  }

  int32(n: number): Int32Array {
    const k = this.int32Taken++;
    let array = this.int32s[k];
    if (!array || array.length < n) this.int32s[k] = array = new Int32Array(n);
    return array.subarray(0, n);
  }
}

export const scratch = new ScratchArrays();
