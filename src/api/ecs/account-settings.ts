import type {
  DeleteAccountSettingRequest,
  DeleteAccountSettingResponse,
  ListAccountSettingsRequest,
  ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest,
  PutAccountSettingDefaultResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
  Setting,
  SettingName,
} from "@aws-sdk/client-ecs";
import {
  type SettingSources,
  effectiveSetting,
  effectiveSettings,
  rootPrincipal,
  validatePrincipalArn,
  validateSettingValue,
} from "../../domain/account-settings.js";
import { paginate } from "../../domain/pagination.js";
import { ACCOUNT_DEFAULT_PRINCIPAL, type StoredSetting } from "../../state/ecs-state.js";
import type { HandlerTable, RequestContext } from "./context.js";

const settingId = (principal: string, name: string) => `${principal}|${name}`;

export async function settingSources(ctx: RequestContext, principalArn: string): Promise<SettingSources> {
  const byName = (rows: StoredSetting[]) => new Map(rows.map((s) => [s.name, s.value] as const));
  return {
    principalArn,
    own: byName(await ctx.state.accountSettings.list(ctx.scope, { parent: principalArn })),
    defaults: byName(await ctx.state.accountSettings.list(ctx.scope, { parent: ACCOUNT_DEFAULT_PRINCIPAL })),
  };
}

function principalOf(ctx: RequestContext, given: string | undefined): string {
  const principal = given ?? ctx.principalArn;
  validatePrincipalArn(principal, ctx.scope.accountId);
  return principal;
}

async function save(ctx: RequestContext, owner: string, name: SettingName, value: string): Promise<void> {
  validateSettingValue(name, value);
  await ctx.state.accountSettings.write(ctx.scope, settingId(owner, name), () => ({ name, value, principalArn: owner }));
}

async function putAccountSetting(ctx: RequestContext, input: PutAccountSettingRequest): Promise<PutAccountSettingResponse> {
  const principal = principalOf(ctx, input.principalArn);
  await save(ctx, principal, input.name!, input.value!);
  return { setting: { name: input.name, value: input.value, principalArn: principal, type: "user" } };
}

async function putAccountSettingDefault(
  ctx: RequestContext,
  input: PutAccountSettingDefaultRequest,
): Promise<PutAccountSettingDefaultResponse> {
  await save(ctx, ACCOUNT_DEFAULT_PRINCIPAL, input.name!, input.value!);
  // ECS shows the account default as a setting of the account's root user.
  return { setting: { name: input.name, value: input.value, principalArn: rootPrincipal(ctx.scope.accountId), type: "user" } };
}

async function deleteAccountSetting(
  ctx: RequestContext,
  input: DeleteAccountSettingRequest,
): Promise<DeleteAccountSettingResponse> {
  const principal = principalOf(ctx, input.principalArn);
  const before = effectiveSetting(input.name!, await settingSources(ctx, principal));
  const removedOwn = await ctx.state.accountSettings.remove(ctx.scope, settingId(principal, input.name!));
  // For the root user the account default is its own setting, so that is what goes.
  if (!removedOwn && principal === rootPrincipal(ctx.scope.accountId)) {
    await ctx.state.accountSettings.remove(ctx.scope, settingId(ACCOUNT_DEFAULT_PRINCIPAL, input.name!));
  }
  return { setting: { name: before.name, value: before.value, principalArn: principal, type: before.type } };
}

async function listAccountSettings(
  ctx: RequestContext,
  input: ListAccountSettingsRequest,
): Promise<ListAccountSettingsResponse> {
  const principal = principalOf(ctx, input.principalArn);
  const sources = await settingSources(ctx, principal);
  let settings: Setting[];
  if (input.effectiveSettings) {
    settings = effectiveSettings(sources);
  } else {
    // Only what was set: the principal's own settings, and for the root user the account defaults.
    const isRoot = principal === rootPrincipal(ctx.scope.accountId);
    const names = new Set([...sources.own.keys(), ...(isRoot ? sources.defaults.keys() : [])]);
    settings = effectiveSettings(sources).filter((s) => names.has(s.name!));
  }
  settings = settings.filter(
    (s) => (input.name === undefined || s.name === input.name) && (input.value === undefined || s.value === input.value),
  );
  const page = paginate(settings, (s) => s.name!, { ...input, defaultMax: 10, limit: 10 });
  return { settings: page.items, nextToken: page.nextToken };
}

export const accountSettingOperations = {
  PutAccountSetting: putAccountSetting,
  PutAccountSettingDefault: putAccountSettingDefault,
  DeleteAccountSetting: deleteAccountSetting,
  ListAccountSettings: listAccountSettings,
} satisfies HandlerTable;
