// The operations of the ECS model berth leaves out, and why. Each answers
// UnsupportedFeatureException naming it, so a client learns at once that berth will not do
// it, rather than that it is missing for now; any other operation without a handler is
// still to be built and says so.
import { EcsError } from "../../domain/errors.js";

const DAEMONS =
  "ECS Managed Daemons run only on Amazon ECS Managed Instances, which berth does not provide. " +
  "To run one task on every container instance, create a service with the DAEMON scheduling strategy.";
const EXPRESS =
  "Express services provision Application Load Balancers, target groups, security groups and auto scaling " +
  "policies in the account, which berth does not manage for them. Create a service with CreateService instead.";
const AGENT =
  "berth's agent is part of berth and is updated with it: install the new berth and restart `berth agent` (or `berth up`) on the host.";

/** Why berth does not serve an operation of the ECS model, by operation. */
export const UNSUPPORTED_OPERATIONS: Readonly<Record<string, string>> = {
  CreateDaemon: DAEMONS,
  DeleteDaemon: DAEMONS,
  DescribeDaemon: DAEMONS,
  UpdateDaemon: DAEMONS,
  ListDaemons: DAEMONS,
  RegisterDaemonTaskDefinition: DAEMONS,
  DescribeDaemonTaskDefinition: DAEMONS,
  DeleteDaemonTaskDefinition: DAEMONS,
  ListDaemonTaskDefinitions: DAEMONS,
  DescribeDaemonDeployments: DAEMONS,
  DescribeDaemonRevisions: DAEMONS,
  ListDaemonDeployments: DAEMONS,
  CreateExpressGatewayService: EXPRESS,
  DeleteExpressGatewayService: EXPRESS,
  DescribeExpressGatewayService: EXPRESS,
  UpdateExpressGatewayService: EXPRESS,
  UpdateContainerAgent: AGENT,
};

/** The error for an operation of the model that has no handler: left out for good, or not built yet. */
export function unservedOperation(operation: string): EcsError {
  const why = UNSUPPORTED_OPERATIONS[operation];
  return new EcsError(
    "UnsupportedFeatureException",
    why === undefined
      ? `${operation} is part of the ECS API but is not implemented by berth yet.`
      : `${operation} is not supported by berth. ${why}`,
  );
}
