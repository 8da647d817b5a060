// An install without dev dependencies runs berth: the build and package.json/package-lock.json
// installed with `npm ci --omit=dev` in a directory of their own start a control plane and an
// agent that registers. (An import of a devDependency at run time broke `berth agent` once.)
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand, CreateClusterCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { packageRoot } from "../../src/paths.js";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = `packaging-${process.pid}`;

describe("a production install (npm ci --omit=dev)", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-packaging-"));
  let berth: BerthProcess | undefined;
  let agent: AgentProcess | undefined;

  before(async () => {
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(packageRoot, file), join(dir, file));
    cpSync(join(packageRoot, "dist/src"), join(dir, "dist/src"), { recursive: true });
    // What the code reads beside itself at run time (the service model) lives under src/.
    cpSync(join(packageRoot, "src"), join(dir, "src"), { recursive: true });
    // Install scripts are skipped: the one that matters builds better-sqlite3's addon, which
    // takes minutes of compiling here (no prebuilt binary can be downloaded) and says nothing
    // about which packages the install brings. The repository's own build of it, from the same
    // lockfile, is copied in instead.
    await promisify(execFile)("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      timeout: 300_000,
    });
    cpSync(
      join(packageRoot, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"),
      join(dir, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"),
    );
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
    rmSync(dir, { recursive: true, force: true });
  });

  test("holds no dev dependency", () => {
    assert.equal(existsSync(join(dir, "node_modules/typescript")), false);
    assert.equal(existsSync(join(dir, "node_modules/@types/ws")), false);
  });

  test("starts a control plane and an agent that registers and connects", async () => {
    mkdirSync(join(dir, "data"));
    berth = await startBerth({ packageDir: dir, dataDir: join(dir, "data/server") });
    const ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { packageDir: dir, dataDir: join(dir, "data/agent"), args: ["--cluster", CLUSTER] });
    const arn = (await agent.registered)[0]!;
    assert.deepEqual((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns, [arn]);
    const instance = await waitFor(
      async () =>
        (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }))).containerInstances![0]!,
      { until: (i) => i.agentConnected === true, message: "the agent connected" },
    );
    assert.equal(instance.status, "ACTIVE");
    assert.equal(instance.agentConnected, true);
  });
});
