// berth's task placement: pure, synchronous, no clock and no randomness of its own.
export { checkInstance, place } from "./place.js";
export { PlacementError, compileRequest } from "./request.js";
export { type Comparison, type Expression, type Operator, QueryError, type SubjectKind, matches, parseExpression } from "./query.js";
export * from "./types.js";
