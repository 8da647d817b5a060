// The real-world task definitions in test/fixtures/task-definitions (see SOURCE.md there).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { packageRoot } from "../../src/paths.js";

// From the package root, not this module: tsc compiles test/ to dist/test/ but does not copy JSON.
export const FIXTURES_DIR = resolve(packageRoot, "test/fixtures/task-definitions");

export function taskDefinitionFixtures(): { file: string; input: RegisterTaskDefinitionRequest }[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, input: JSON.parse(readFileSync(join(FIXTURES_DIR, file), "utf8")) }));
}

/**
 * Fixtures real ECS refuses, and why. wildfly's FARGATE file has `ulimits: null`; the kibana
 * and tomcat EC2 files use awsvpc with hostPort ≠ containerPort, which ECS answers with
 * "When networkMode=awsvpc, the host ports and container ports in port mappings must match."
 */
export const REJECTED_FIXTURES: Record<string, { type: string; message: RegExp }> = {
  "wildfly_wildfly_fargate.json": { type: "InvalidParameterException", message: /containerDefinitions\[0\]\.ulimits/ },
  "kibana_kibana_ec2.json": { type: "ClientException", message: /host ports and container ports in port mappings must match/ },
  "tomcat_tomcat_ec2.json": { type: "ClientException", message: /host ports and container ports in port mappings must match/ },
};
