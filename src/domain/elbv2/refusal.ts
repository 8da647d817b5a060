// The refusals of ELBv2's pure checks (listeners, rules, actions, conditions, target groups,
// targets), by the exception each is in ELBv2's model: src/domain does not know the service's
// error class, so the service turns each into its own (src/services/elbv2/errors.ts).

export type ElbRefusalCode =
  | "ValidationError"
  | "CertificateNotFoundException"
  | "DuplicateListenerException"
  | "DuplicateTagKeysException"
  | "IncompatibleProtocolsException"
  | "InvalidConfigurationRequestException"
  | "InvalidLoadBalancerActionException"
  | "InvalidTargetException"
  | "OperationNotPermittedException"
  | "PriorityInUseException"
  | "TargetGroupAssociationLimitException"
  | "TargetGroupNotFoundException"
  | "TooManyActionsException"
  | "TooManyListenersException"
  | "TooManyRulesException"
  | "TooManyTagsException"
  | "TooManyTargetGroupsException"
  | "TooManyTargetsException"
  | "UnsupportedProtocolException";

export class ElbRefusal extends Error {
  constructor(
    readonly code: ElbRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new ElbRefusal("ValidationError", message);
export const unsupported = (message: string) => new ElbRefusal("InvalidConfigurationRequestException", message);
