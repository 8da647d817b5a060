// How ECS words input its model refuses. ECS checks enum values itself and answers
// "<member> should be one of [A,B]" (e.g. "include should be one of [ATTACHMENTS,SETTINGS,
// STATISTICS,TAGS]", as users paste it, hashicorp/terraform-provider-aws#23342), naming a
// list by the list and a few members in words ("launch type should be one of [...]"); the
// other constraints keep the AWS validation wording.
import type { EnumViolation } from "../../aws/validate.js";
import { invalidParameter, type EcsError } from "../../domain/errors.js";

/** Members ECS names in words in its enum messages; any other is named by its path. */
const MEMBER_WORDS: Readonly<Record<string, string>> = { launchType: "launch type" };

export function ecsViolation(message: string, detail?: EnumViolation): EcsError {
  if (detail?.kind !== "enum") return invalidParameter(message);
  const member = detail.path.replace(/\[\d+\]$/, "");
  return invalidParameter(`${MEMBER_WORDS[member] ?? member} should be one of [${detail.allowed.join(",")}]`);
}
