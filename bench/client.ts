// The SDK client every benchmark drives berth (and moto) with: keep-alive, no retries.
import { ECSClient } from "@aws-sdk/client-ecs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent } from "node:http";
import { join } from "node:path";
import { NODE_FLAGS } from "../src/cli/node-flags.js";
import { packageRoot } from "../src/paths.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "../test/support/berth-process.js";

/** The node arguments that run the berth server on `port` with the test account, for benchmarks that spawn it themselves. */
export function berthServerArgs(port: number, dataDir: string): string[] {
  return [
    ...NODE_FLAGS,
    join(packageRoot, "dist/src/cli/main.js"),
    "server",
    "--port",
    String(port),
    "--data-dir",
    dataDir,
    "--account-id",
    TEST_ACCOUNT,
    "--access-key-id",
    TEST_ACCESS_KEY,
    "--secret-access-key",
    TEST_SECRET_KEY,
    "--no-profile",
  ];
}

export function benchClient(endpoint: string, maxSockets = 64): ECSClient {
  return new ECSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) }),
  });
}
