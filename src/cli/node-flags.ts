// Flags for the node process that runs berth; the ./berth launcher passes the same ones
// (a unit test keeps the two in step), and so do the tests and benchmarks that spawn it.
//
// A young generation of 2 × 8 MB instead of V8's 2 × 16 MB: a control plane's allocations
// are short-lived request garbage, scavenged as well in 8 MB; the larger space only stays
// resident. And an old generation that grows to 1.3× what the last full collection kept,
// not up to 4×: after a burst (1,000 instances and 10,000 tasks loaded through the API) V8
// otherwise sits on tens of MB of collected old space until its memory reducer runs, 20 s or
// more later. bench/footprint and the placement bench's server CPU per task measure both
// sides (bench/RESULTS.md): less resident memory for no more CPU; 4 MB semi-spaces cost CPU.
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8", "--heap-growing-percent=30"];
