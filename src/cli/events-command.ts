// `berth events`: follows task state changes as they happen, one line each (or the events
// themselves as JSON lines with --json), from berth's task event stream.
import { ECSClient } from "@aws-sdk/client-ecs";
import { subscribeTaskEvents, type TaskEvent } from "../services/ecs/events/client.js";
import { parseCommandLine } from "./config.js";
import { readCredentials, type Credentials } from "./credentials.js";

/** One line for a person: when, which task, where it is and where it is going. */
export function describeEvent(e: TaskEvent): string {
  const d = e.detail;
  const task = d.taskArn.split("/").slice(-2).join("/");
  const stop = typeof d.stopCode === "string" ? ` ${d.stopCode}: ${typeof d.stoppedReason === "string" ? d.stoppedReason : ""}` : "";
  return `${e.time}  ${task}  ${d.lastStatus} (desired ${d.desiredStatus}) v${d.version}${stop}`;
}

export async function runEventsCommand(args: string[]): Promise<void> {
  const values = parseCommandLine("events", args);
  const { endpoint, region } = values;
  const credentials = await findCredentials(values.accessKeyId, values.secretAccessKey, values.dataDir, region);
  const subscription = await subscribeTaskEvents({ endpoint, region, credentials, cluster: values.cluster }, (e) =>
    console.log(values.json ? JSON.stringify(e) : describeEvent(e)),
  );
  console.error(
    `following the task events of ${values.cluster ? `cluster ${values.cluster}` : "every cluster"} at ${endpoint} (Ctrl-C to stop)`,
  );
  process.once("SIGINT", () => subscription.close());
  process.once("SIGTERM", () => subscription.close());
  await subscription.ended;
}

/** The flags' or AWS_* variables' credentials, else those berth keeps in its data dir, else the SDK's chain. */
export async function findCredentials(
  key: string | undefined,
  secret: string | undefined,
  dataDir: string,
  region: string,
): Promise<Credentials> {
  if (key && secret) return { accessKeyId: key, secretAccessKey: secret };
  const kept = readCredentials(dataDir);
  if (kept) return kept;
  const { accessKeyId, secretAccessKey } = await new ECSClient({ region }).config.credentials();
  return { accessKeyId, secretAccessKey };
}
