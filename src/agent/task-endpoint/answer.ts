// What the endpoint's routes produce: a status and a body the server writes as JSON (a string
// body too: the ECS agent answers most metadata errors with a JSON string).
export interface EndpointAnswer {
  status: number;
  body: unknown;
}

// Bodies served many times unchanged (a task's credentials, read by every SDK call of its
// containers) are serialized once: the request path then allocates next to nothing, which
// keeps the young generation's collections, and so the endpoint's tail latency, down.
const serialized = new WeakMap<object, string>();

/** Marks `body` as never changing: it is frozen and its JSON kept for as long as it is. */
export function unchangingBody<T extends object>(body: T): Readonly<T> {
  serialized.set(body, JSON.stringify(body));
  return Object.freeze(body);
}

/** The body as the server writes it. */
export function answerJson(body: unknown): string {
  return (typeof body === "object" && body !== null && serialized.get(body)) || JSON.stringify(body);
}
