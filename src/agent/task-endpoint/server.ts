// The HTTP server of the task endpoint: listens on the host's loopback (the redirect brings
// containers' 169.254.170.2:80 to it) and writes each route's answer as JSON.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log/logger.js";
import { answerJson } from "./answer.js";
import { route } from "./routes.js";
import type { TaskEndpointState } from "./endpoint.js";

/** Where the ECS agent's task endpoint listens; 169.254.170.2:80 is redirected to it. */
export const DEFAULT_TASK_ENDPOINT_PORT = 51679;
export const TASK_ENDPOINT_HOST = "127.0.0.1";

export class TaskEndpointServer {
  private server?: Server;

  constructor(
    private readonly state: TaskEndpointState,
    private readonly log: Logger,
  ) {}

  /** Listens on 127.0.0.1:`port` (0: any free port); resolves with the port. */
  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]!;
      void route(req.method ?? "GET", path, stripMapped(req.socket.remoteAddress ?? ""), { credentials: this.state, metadata: this.state })
        .catch((err: unknown) => {
          this.log.error("task endpoint request failed", { path, err });
          return { status: 500, body: "Internal server error" };
        })
        .then(({ status, body }) => {
          const json = answerJson(body);
          res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
          res.end(json);
        });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, TASK_ENDPOINT_HOST, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const stripMapped = (address: string) => (address.startsWith("::ffff:") ? address.slice(7) : address);
