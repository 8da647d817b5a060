// The refusals of ELBv2's listener and rule checks, by the exception each is in ELBv2's model:
// the checks are pure (src/domain), and the service turns each into its own error class.

export type ElbRuleErrorCode =
  | "ValidationError"
  | "InvalidConfigurationRequestException"
  | "IncompatibleProtocolsException"
  | "InvalidLoadBalancerActionException"
  | "TargetGroupNotFoundException"
  | "TargetGroupAssociationLimitException"
  | "TooManyTargetGroupsException"
  | "TooManyActionsException"
  | "PriorityInUseException"
  | "TooManyRulesException"
  | "TooManyListenersException"
  | "DuplicateListenerException"
  | "OperationNotPermittedException"
  | "UnsupportedProtocolException"
  | "CertificateNotFoundException";

export class ElbRuleError extends Error {
  constructor(
    readonly code: ElbRuleErrorCode,
    message: string,
  ) {
    super(message);
  }
}
