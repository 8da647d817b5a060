// A control plane built in-process and served on loopback, so that simulated agents can reach
// it over their real channel; restartable on the same port (a restart mid-drain, mid-deployment).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildControlPlane, type ControlPlane, type ControlPlaneOptions } from "../../src/cli/control-plane.js";
import { testPlaneOptions } from "./in-process.js";

/** A control plane built here and served on loopback, so that a simulated agent can reach it; restartable on the same port. */
export class ServedPlane {
  plane!: ControlPlane;
  endpoint = "";
  private server?: Server;
  private port = 0;

  constructor(
    private readonly dataDir: string,
    /** Options other than the test defaults (testPlaneOptions), e.g. a short credentials lifetime. */
    private readonly overrides: Partial<ControlPlaneOptions> = {},
  ) {}

  async start(): Promise<this> {
    this.plane = buildControlPlane({ ...testPlaneOptions(this.dataDir), ...this.overrides });
    const server = createServer(this.plane.handle);
    server.on("upgrade", this.plane.upgrade);
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.endpoint = `http://127.0.0.1:${this.port}`;
    this.plane.start();
    return this;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server!.closeAllConnections();
    // The plane first: it closes the agents' channels, which the server waits for.
    await this.plane.close();
    await closed;
  }
}
