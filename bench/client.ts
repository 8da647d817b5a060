// The SDK client every benchmark drives berth (and moto) with: keep-alive, no retries.
import { ECSClient } from "@aws-sdk/client-ecs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent } from "node:http";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";

export function benchClient(endpoint: string, maxSockets = 64): ECSClient {
  return new ECSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) }),
  });
}
