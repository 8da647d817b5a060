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
  validateListFilter,
  validatePrincipalArn,
  validateSettingChange,
  validateSettingValue,
} from "../../domain/account-settings.js";
import { paginate } from "../../domain/pagination.js";
import { ACCOUNT_DEFAULT_PRINCIPAL, type StoredSetting } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";

const settingId = (owner: string, name: string) => `${owner}|${name}`;

/**
 * Where a principal's own settings are kept. The root user's settings are the account
 * defaults (PutAccountSetting for root and PutAccountSettingDefault are one and the same),
 * so every user and role without its own setting inherits them.
 */
function ownerOf(ctx: RequestContext, principalArn: string): string {
  return principalArn === rootPrincipal(ctx.scope.accountId) ? ACCOUNT_DEFAULT_PRINCIPAL : principalArn;
}

export async function settingSources(ctx: RequestContext, principalArn: string): Promise<SettingSources> {
  const byName = (rows: StoredSetting[]) => new Map(rows.map((s) => [s.name, s.value] as const));
  return {
    principalArn,
    own: byName(await ctx.state.accountSettings.list(ctx.scope, { parent: ownerOf(ctx, principalArn) })),
    defaults: byName(await ctx.state.accountSettings.list(ctx.scope, { parent: ACCOUNT_DEFAULT_PRINCIPAL })),
  };
}

function principalOf(ctx: RequestContext, given: string | undefined): string {
  const principal = given ?? ctx.principalArn;
  validatePrincipalArn(principal, ctx.scope.accountId);
  return principal;
}

async function save(ctx: RequestContext, principal: string, name: SettingName, value: string): Promise<Setting> {
  validateSettingValue(name, value);
  const owner = ownerOf(ctx, principal);
  await ctx.state.accountSettings.write(ctx.scope, settingId(owner, name), () => ({ name, value, principalArn: owner }));
  return { name, value, principalArn: principal, type: "user" };
}

async function putAccountSetting(ctx: RequestContext, input: PutAccountSettingRequest): Promise<PutAccountSettingResponse> {
  const principal = principalOf(ctx, input.principalArn);
  validateSettingChange(input.name!, input.value!, principal, ctx.scope.accountId);
  return { setting: await save(ctx, principal, input.name!, input.value!) };
}

async function putAccountSettingDefault(
  ctx: RequestContext,
  input: PutAccountSettingDefaultRequest,
): Promise<PutAccountSettingDefaultResponse> {
  validateSettingChange(input.name!, input.value!, undefined, ctx.scope.accountId);
  // ECS shows the account default as a setting of the account's root user.
  return { setting: await save(ctx, rootPrincipal(ctx.scope.accountId), input.name!, input.value!) };
}

async function deleteAccountSetting(ctx: RequestContext, input: DeleteAccountSettingRequest): Promise<DeleteAccountSettingResponse> {
  const principal = principalOf(ctx, input.principalArn);
  const before = effectiveSetting(input.name!, await settingSources(ctx, principal));
  await ctx.state.accountSettings.remove(ctx.scope, settingId(ownerOf(ctx, principal), input.name!));
  return { setting: before };
}

async function listAccountSettings(ctx: RequestContext, input: ListAccountSettingsRequest): Promise<ListAccountSettingsResponse> {
  validateListFilter(input.name, input.value);
  const principal = principalOf(ctx, input.principalArn);
  const sources = await settingSources(ctx, principal);
  // Effective settings: every setting, resolved. Otherwise only what the principal set itself.
  let settings = effectiveSettings(sources).filter((s) => input.effectiveSettings || sources.own.has(s.name!));
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
} satisfies EcsHandlers;
