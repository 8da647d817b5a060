// What the endpoint's routes produce: a status and a body the server writes as JSON (a string
// body too: the ECS agent answers most metadata errors with a JSON string).
export interface EndpointAnswer {
  status: number;
  body: unknown;
}
