// The refusals of ELBv2's target group and target checks, by the exception each is in ELBv2's
// model: the checks are pure (src/domain), and the service turns each into its own error class.

export type TargetGroupErrorCode =
  | "ValidationError"
  | "InvalidConfigurationRequestException"
  | "InvalidTargetException"
  | "TooManyTargetsException"
  | "TooManyTagsException"
  | "DuplicateTagKeysException";

export class TargetGroupError extends Error {
  constructor(
    readonly code: TargetGroupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new TargetGroupError("ValidationError", message);
export const unsupported = (message: string) => new TargetGroupError("InvalidConfigurationRequestException", message);
