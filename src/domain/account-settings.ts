// ECS account settings: what each may be set to, and how the effective value is found —
// the principal's own setting, else the account default, else ECS's built-in default.
import type { Setting, SettingName } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

const ENABLED_DISABLED = ["enabled", "disabled"];

const RULES: Record<SettingName, { values: string[]; builtIn: string }> = {
  serviceLongArnFormat: { values: ENABLED_DISABLED, builtIn: "enabled" },
  taskLongArnFormat: { values: ENABLED_DISABLED, builtIn: "enabled" },
  containerInstanceLongArnFormat: { values: ENABLED_DISABLED, builtIn: "enabled" },
  awsvpcTrunking: { values: ENABLED_DISABLED, builtIn: "disabled" },
  containerInsights: { values: ["enabled", "disabled", "enhanced"], builtIn: "disabled" },
  fargateFIPSMode: { values: ENABLED_DISABLED, builtIn: "disabled" },
  tagResourceAuthorization: { values: ["on", "off"], builtIn: "on" },
  fargateTaskRetirementWaitPeriod: { values: ["0", "7", "14"], builtIn: "7" },
  guardDutyActivate: { values: ["on", "off"], builtIn: "off" },
  defaultLogDriverMode: { values: ["blocking", "non-blocking"], builtIn: "non-blocking" },
  fargateEventWindows: { values: ENABLED_DISABLED, builtIn: "disabled" },
};

export const SETTING_NAMES = Object.keys(RULES) as SettingName[];

export function rootPrincipal(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export function validateSettingValue(name: SettingName, value: string): void {
  const rule = RULES[name];
  if (!rule.values.includes(value)) {
    throw invalidParameter(
      `The specified value '${value}' is not valid for the setting '${name}'. Valid values: ${rule.values.join(", ")}.`,
    );
  }
}

const LONG_ARN_SETTINGS: readonly SettingName[] = ["serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat"];

/**
 * What PutAccountSetting / PutAccountSettingDefault may change: guardDutyActivate is
 * read-only (GuardDuty sets it), the long ARN formats can no longer be turned off (mandatory
 * since 2021; ECS's words as the Terraform AWS provider documents them), and the Fargate
 * retirement wait period belongs to the root user alone. `principalArn` is undefined for the
 * account default.
 */
export function validateSettingChange(name: SettingName, value: string, principalArn: string | undefined, accountId: string): void {
  if (LONG_ARN_SETTINGS.includes(name) && value === "disabled") throw invalidParameter("You can no longer disable Long Arn settings");
  if (name === "guardDutyActivate") {
    throw invalidParameter("The guardDutyActivate account setting is read-only. Amazon GuardDuty manages it on your behalf.");
  }
  if (name === "fargateTaskRetirementWaitPeriod" && principalArn !== undefined && principalArn !== rootPrincipal(accountId)) {
    throw invalidParameter("The fargateTaskRetirementWaitPeriod account setting can only be set for the root user.");
  }
}

/** ListAccountSettings filters: a value filter only makes sense for one setting. */
export function validateListFilter(name: string | undefined, value: string | undefined): void {
  if (value !== undefined && name === undefined) {
    throw invalidParameter("To filter account settings by value, you must also specify the account setting name.");
  }
}

/** A principal ARN ECS accepts: the account root, an IAM user or an IAM role of this account. */
export function validatePrincipalArn(principalArn: string, accountId: string): void {
  const valid = new RegExp(`^arn:aws:iam::${accountId}:(root|user/.+|role/.+)$`);
  if (!valid.test(principalArn)) {
    throw invalidParameter(
      `The specified principalArn '${principalArn}' is not valid. Specify a valid IAM user, IAM role or root user ARN.`,
    );
  }
}

export interface SettingSources {
  principalArn: string;
  /** Settings the principal set for itself, by name. */
  own: ReadonlyMap<string, string>;
  /** The account defaults, by name. */
  defaults: ReadonlyMap<string, string>;
}

export function effectiveSetting(name: SettingName, sources: SettingSources): Setting {
  const value = sources.own.get(name) ?? sources.defaults.get(name) ?? RULES[name].builtIn;
  const type = sources.own.has(name) || sources.defaults.has(name) ? "user" : "aws_managed";
  return { name, value, principalArn: sources.principalArn, type };
}

export function effectiveSettings(sources: SettingSources): Setting[] {
  return SETTING_NAMES.map((name) => effectiveSetting(name, sources));
}
