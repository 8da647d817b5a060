// Dynamic host ports for bridge-mode mappings with hostPort 0, chosen by the agent from
// ECS's range so DescribeTasks can show them before Docker would have picked one.
import { createServer } from "node:net";
import { createSocket } from "node:dgram";

export const DYNAMIC_PORT_RANGE = { from: 49153, to: 65535 } as const;

export class HostPortAllocator {
  private readonly given = new Set<string>();

  constructor(private readonly rng: () => number = Math.random) {}

  async allocate(bindIp: string, protocol: "tcp" | "udp"): Promise<number> {
    const span = DYNAMIC_PORT_RANGE.to - DYNAMIC_PORT_RANGE.from + 1;
    const start = Math.floor(this.rng() * span);
    for (let i = 0; i < span; i++) {
      const port = DYNAMIC_PORT_RANGE.from + ((start + i) % span);
      const key = `${bindIp}/${protocol}/${port}`;
      if (this.given.has(key)) continue;
      if (await isFree(bindIp, port, protocol)) {
        this.given.add(key);
        return port;
      }
    }
    throw new Error(`no free ${protocol} port in ${DYNAMIC_PORT_RANGE.from}-${DYNAMIC_PORT_RANGE.to} on ${bindIp}`);
  }

  release(bindIp: string, protocol: "tcp" | "udp", port: number): void {
    this.given.delete(`${bindIp}/${protocol}/${port}`);
  }
}

function isFree(host: string, port: number, protocol: "tcp" | "udp"): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "udp") {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, host, () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
