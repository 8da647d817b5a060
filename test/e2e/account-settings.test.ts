// Account settings end to end, through the real @aws-sdk/client-ecs and the real AWS CLIs.
import {
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  DeleteClusterCommand,
  type ECSClient,
  ListAccountSettingsCommand,
  type ListAccountSettingsCommandInput,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  type Setting,
  type SettingName,
  paginateListAccountSettings,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type BerthProcess, TEST_ACCOUNT, startBerth } from "../support/berth-process.js";
import { type CliResult, availableClis, runCli, sdkClient } from "../support/clients.js";
import { expectCliError, expectError } from "../support/assertions.js";

const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const user = (name: string) => `arn:aws:iam::${TEST_ACCOUNT}:user/${name}`;
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/service-role/deployer`;
const ALL_SETTINGS = 11; // SettingName values in the current ECS model

describe("account settings", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;

  /** Every page of ListAccountSettings, through the SDK paginator. */
  async function listAll(input: ListAccountSettingsCommandInput, pageSize?: number): Promise<Setting[]> {
    const settings: Setting[] = [];
    for await (const page of paginateListAccountSettings({ client: ecs, pageSize }, input)) {
      settings.push(...(page.settings ?? []));
    }
    return settings;
  }
  const effective = async (principalArn: string, name: SettingName) => (await listAll({ principalArn, name, effectiveSettings: true }))[0];
  const put = (name: SettingName, value: string, principalArn?: string) =>
    ecs.send(new PutAccountSettingCommand({ name, value, principalArn }));

  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
  });
  after(async () => {
    ecs?.destroy();
    await berth?.stop();
  });

  test("a fresh account has no settings of its own, and AWS defaults as effective settings", async () => {
    assert.deepEqual(await listAll({}), []);
    const all = await listAll({ effectiveSettings: true });
    assert.equal(all.length, ALL_SETTINGS);
    assert.equal(new Set(all.map((s) => s.name)).size, ALL_SETTINGS);
    for (const s of all) {
      assert.equal(s.principalArn, ROOT);
      assert.equal(s.type, "aws_managed");
    }
    const byName = new Map(all.map((s) => [s.name, s.value]));
    assert.equal(byName.get("serviceLongArnFormat"), "enabled");
    assert.equal(byName.get("containerInsights"), "disabled");
    // The default page holds 10 settings, so the 11th needs a token.
    const first = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings!.length, 10);
    assert.ok(first.nextToken);
  });

  test("PutAccountSetting without principalArn sets the caller's (root) setting, which users and roles inherit", async () => {
    const { setting } = await put("containerInsights", "enabled");
    assert.deepEqual(setting, { name: "containerInsights", value: "enabled", principalArn: ROOT, type: "user" });
    assert.deepEqual(await listAll({}), [setting]);
    const inherited = await effective(user("alice"), "containerInsights");
    assert.equal(inherited!.value, "enabled");
    assert.equal(inherited!.principalArn, user("alice"));
    // Without effectiveSettings a principal sees only what it set itself.
    assert.deepEqual(await listAll({ principalArn: user("alice") }), []);
  });

  test("PutAccountSetting for an explicit IAM user or role overrides the account setting for that principal only", async () => {
    const { setting } = await put("containerInsights", "disabled", user("alice"));
    assert.deepEqual(setting, { name: "containerInsights", value: "disabled", principalArn: user("alice"), type: "user" });
    const role = await put("awsvpcTrunking", "enabled", ROLE);
    assert.equal(role.setting!.principalArn, ROLE);

    assert.equal((await effective(user("alice"), "containerInsights"))!.value, "disabled");
    assert.equal((await effective(ROOT, "containerInsights"))!.value, "enabled");
    assert.equal((await effective(user("bob"), "containerInsights"))!.value, "enabled");
    assert.equal((await effective(ROLE, "awsvpcTrunking"))!.value, "enabled");
    assert.equal((await effective(ROOT, "awsvpcTrunking"))!.value, "disabled");
    assert.deepEqual(await listAll({ principalArn: ROLE }), [role.setting]);
  });

  test("PutAccountSettingDefault sets the account default, shown as the root user's setting", async () => {
    const { setting } = await ecs.send(new PutAccountSettingDefaultCommand({ name: "defaultLogDriverMode", value: "blocking" }));
    assert.deepEqual(setting, { name: "defaultLogDriverMode", value: "blocking", principalArn: ROOT, type: "user" });
    assert.equal((await effective(user("carol"), "defaultLogDriverMode"))!.value, "blocking");
    const own = await listAll({});
    assert.deepEqual(own.map((s) => s.name).sort(), ["containerInsights", "defaultLogDriverMode"]);
  });

  test("ListAccountSettings filters by name and value, and a value needs a name", async () => {
    const alice = user("alice");
    assert.deepEqual(await listAll({ principalArn: alice, effectiveSettings: true, name: "containerInsights", value: "enabled" }), []);
    const hit = await listAll({ principalArn: alice, effectiveSettings: true, name: "containerInsights", value: "disabled" });
    assert.equal(hit.length, 1);
    const enabled = await listAll({ effectiveSettings: true, name: "serviceLongArnFormat" });
    assert.deepEqual(
      enabled.map((s) => s.value),
      ["enabled"],
    );
    await expectError(ecs.send(new ListAccountSettingsCommand({ value: "enabled" })), "InvalidParameterException");
  });

  test("ListAccountSettings pages through the SDK paginator, and rejects bad page sizes and tokens", async () => {
    const pages: number[] = [];
    for await (const page of paginateListAccountSettings({ client: ecs, pageSize: 3 }, { effectiveSettings: true })) {
      pages.push(page.settings!.length);
    }
    assert.deepEqual(pages, [3, 3, 3, 2]);
    const all = await listAll({ effectiveSettings: true }, 4);
    assert.equal(new Set(all.map((s) => s.name)).size, ALL_SETTINGS);
    await expectError(ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })), "InvalidParameterException");
    await expectError(ecs.send(new ListAccountSettingsCommand({ nextToken: "garbage" })), "InvalidParameterException");
  });

  test("invalid values, setting names and principals are AWS-shaped errors that change nothing", async () => {
    const snapshot = async () => [
      await listAll({ effectiveSettings: true }),
      await listAll({ principalArn: user("alice"), effectiveSettings: true }),
    ];
    const beforeAll = await snapshot();
    await expectError(put("containerInsights", "maybe"), "InvalidParameterException", /maybe/);
    await expectError(put("serviceLongArnFormat", "on"), "InvalidParameterException");
    await expectError(put("fargateTaskRetirementWaitPeriod", "3"), "InvalidParameterException");
    await expectError(put("notASetting" as SettingName, "enabled"), "InvalidParameterException");
    await expectError(
      ecs.send(new PutAccountSettingDefaultCommand({ name: "containerInsights", value: "ENABLED" })),
      "InvalidParameterException",
    );
    // GuardDuty owns guardDutyActivate; the Fargate retirement wait period is the root user's alone.
    await expectError(put("guardDutyActivate", "on"), "InvalidParameterException");
    await expectError(put("fargateTaskRetirementWaitPeriod", "14", user("alice")), "InvalidParameterException");
    for (const principal of [
      "alice",
      "arn:aws:iam::999999999999:user/alice",
      `arn:aws:iam::${TEST_ACCOUNT}:group/admins`,
      `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/x`,
    ]) {
      await expectError(put("containerInsights", "enabled", principal), "InvalidParameterException");
      await expectError(ecs.send(new ListAccountSettingsCommand({ principalArn: principal })), "InvalidParameterException");
      await expectError(
        ecs.send(new DeleteAccountSettingCommand({ name: "containerInsights", principalArn: principal })),
        "InvalidParameterException",
      );
    }
    assert.deepEqual(await snapshot(), beforeAll);
  });

  test("DeleteAccountSetting returns the setting and falls back to the account setting, then the AWS default", async () => {
    const alice = user("alice");
    const { setting } = await ecs.send(new DeleteAccountSettingCommand({ name: "containerInsights", principalArn: alice }));
    assert.deepEqual(setting, { name: "containerInsights", value: "disabled", principalArn: alice, type: "user" });
    assert.equal((await effective(alice, "containerInsights"))!.value, "enabled");
    assert.deepEqual(await listAll({ principalArn: alice }), []);

    await ecs.send(new DeleteAccountSettingCommand({ name: "containerInsights" }));
    const fallback = await effective(alice, "containerInsights");
    assert.equal(fallback!.value, "disabled");
    assert.equal(fallback!.type, "aws_managed");
    assert.deepEqual(
      (await listAll({})).map((s) => s.name),
      ["defaultLogDriverMode"],
    );
  });

  test("CreateCluster takes containerInsights from the account setting unless the request sets it", async () => {
    await ecs.send(new PutAccountSettingDefaultCommand({ name: "containerInsights", value: "enhanced" }));
    const insights = (c: { settings?: { name?: string; value?: string }[] } | undefined) =>
      c?.settings?.find((s) => s.name === "containerInsights")?.value;
    const a = await ecs.send(new CreateClusterCommand({ clusterName: "insights-default" }));
    assert.equal(insights(a.cluster), "enhanced");
    const b = await ecs.send(
      new CreateClusterCommand({ clusterName: "insights-off", settings: [{ name: "containerInsights", value: "disabled" }] }),
    );
    assert.equal(insights(b.cluster), "disabled");
    await ecs.send(new DeleteAccountSettingCommand({ name: "containerInsights" }));
    const c = await ecs.send(new CreateClusterCommand({ clusterName: "insights-builtin" }));
    assert.equal(insights(c.cluster), "disabled");
    for (const cluster of ["insights-default", "insights-off", "insights-builtin"]) {
      await ecs.send(new DeleteClusterCommand({ cluster }));
    }
  });

  test("the AWS CLIs put, list, page through and delete account settings", () => {
    const clis = availableClis();
    assert.ok(clis.length >= 1, "no AWS CLI installed");
    clis.forEach((cli, i) => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const me = user(`cli-${i}`);
      const ok = (r: CliResult) => {
        assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
        return r.json;
      };
      // Debian's CLI v2.9.19 has a model without Setting.type and drops it from its output.
      const core = ({ name, value, principalArn }: Setting) => ({ name, value, principalArn });

      const put = ok(aws("put-account-setting", "--name", "awsvpcTrunking", "--value", "enabled", "--principal-arn", me));
      assert.deepEqual(core(put.setting), { name: "awsvpcTrunking", value: "enabled", principalArn: me });
      assert.deepEqual(ok(aws("list-account-settings", "--principal-arn", me)).settings, [put.setting]);

      // The CLI follows nextToken itself; --page-size makes it take several pages.
      const all = ok(aws("list-account-settings", "--effective-settings", "--principal-arn", me, "--page-size", "4"));
      assert.equal(all.settings.length, ALL_SETTINGS, cli.name);
      const filtered = ok(
        aws("list-account-settings", "--effective-settings", "--principal-arn", me, "--name", "awsvpcTrunking", "--value", "enabled"),
      );
      assert.equal(filtered.settings.length, 1);

      const dflt = ok(aws("put-account-setting-default", "--name", "tagResourceAuthorization", "--value", "off"));
      assert.deepEqual(core(dflt.setting), { name: "tagResourceAuthorization", value: "off", principalArn: ROOT });
      ok(aws("delete-account-setting", "--name", "tagResourceAuthorization"));

      expectCliError(
        aws("put-account-setting", "--name", "containerInsights", "--value", "bogus"),
        "InvalidParameterException",
        "PutAccountSetting",
      );
      expectCliError(
        aws("put-account-setting", "--name", "awsvpcTrunking", "--value", "enabled", "--principal-arn", "arn:aws:iam::999999999999:root"),
        "InvalidParameterException",
        "PutAccountSetting",
      );
      expectCliError(aws("list-account-settings", "--value", "enabled"), "InvalidParameterException", "ListAccountSettings");

      const del = ok(aws("delete-account-setting", "--name", "awsvpcTrunking", "--principal-arn", me));
      assert.equal(del.setting.value, "enabled");
      assert.deepEqual(ok(aws("list-account-settings", "--principal-arn", me)).settings, []);
    });
  });
});
