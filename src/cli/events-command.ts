// `berth events`: follows task state changes as they happen, one line each (or the events
// themselves as JSON lines with --json), from berth's task event stream.
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ECSClient } from "@aws-sdk/client-ecs";
import { subscribeTaskEvents, type TaskEvent } from "../services/ecs/events/client.js";
import { DEFAULT_PORT, UsageError } from "./config.js";
import { readCredentials, type Credentials } from "./credentials.js";

export const EVENTS_USAGE = `usage: berth events [flags]
  --endpoint URL            the control plane (default http://127.0.0.1:${DEFAULT_PORT})   [$BERTH_ENDPOINT]
  --cluster NAME            only this cluster's tasks (default: every cluster)
  --region REGION           (default us-east-1)                        [$AWS_REGION]
  --access-key-id, --secret-access-key   credentials (default: $AWS_ACCESS_KEY_ID and
                            $AWS_SECRET_ACCESS_KEY, then <data-dir>/credentials.json, then
                            the AWS SDK's usual chain)
  --data-dir DIR            where berth keeps its credentials (default ~/.berth) [$BERTH_DATA_DIR]
  --json                    print each event as it arrives, one JSON document a line`;

/** One line for a person: when, which task, where it is and where it is going. */
export function describeEvent(e: TaskEvent): string {
  const d = e.detail;
  const task = d.taskArn.split("/").slice(-2).join("/");
  const stop = d.stopCode ? ` ${String(d.stopCode)}: ${String(d.stoppedReason ?? "")}` : "";
  return `${e.time}  ${task}  ${d.lastStatus} (desired ${d.desiredStatus}) v${d.version}${stop}`;
}

export async function runEventsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      endpoint: { type: "string" },
      cluster: { type: "string" },
      region: { type: "string" },
      "access-key-id": { type: "string" },
      "secret-access-key": { type: "string" },
      "data-dir": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const endpoint = values.endpoint ?? process.env.BERTH_ENDPOINT ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  const region = values.region ?? process.env.AWS_REGION ?? "us-east-1";
  const dataDir = values["data-dir"] ?? process.env.BERTH_DATA_DIR ?? join(homedir(), ".berth");
  const credentials = await findCredentials(values["access-key-id"], values["secret-access-key"], dataDir, region);
  const subscription = await subscribeTaskEvents({ endpoint, region, credentials, cluster: values.cluster }, (e) =>
    console.log(values.json ? JSON.stringify(e) : describeEvent(e)),
  );
  console.error(`following the task events of ${values.cluster ? `cluster ${values.cluster}` : "every cluster"} at ${endpoint} (Ctrl-C to stop)`);
  process.once("SIGINT", () => subscription.close());
  process.once("SIGTERM", () => subscription.close());
  await subscription.ended;
}

async function findCredentials(key: string | undefined, secret: string | undefined, dataDir: string, region: string): Promise<Credentials> {
  if ((key === undefined) !== (secret === undefined)) throw new UsageError("--access-key-id and --secret-access-key go together");
  if (key && secret) return { accessKeyId: key, secretAccessKey: secret };
  const envKey = process.env.AWS_ACCESS_KEY_ID;
  const envSecret = process.env.AWS_SECRET_ACCESS_KEY;
  if (envKey && envSecret) return { accessKeyId: envKey, secretAccessKey: envSecret };
  const kept = readCredentials(dataDir);
  if (kept) return kept;
  const { accessKeyId, secretAccessKey } = await new ECSClient({ region }).config.credentials();
  return { accessKeyId, secretAccessKey };
}
