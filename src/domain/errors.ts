// Every error a handler or a domain rule raises is one of the exception classes that
// @aws-sdk/client-ecs generates from the ECS model; the protocol layer turns them into
// wire responses. These helpers only save the `$metadata: {}` boilerplate.
import {
  AccessDeniedException,
  ClientException,
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  InvalidParameterException,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ServerException,
  UpdateInProgressException,
} from "@aws-sdk/client-ecs";

const meta = { $metadata: {} };

export const clientException = (message: string) => new ClientException({ message, ...meta });
export const invalidParameter = (message: string) => new InvalidParameterException({ message, ...meta });
export const clusterNotFound = (message = "Cluster not found.") => new ClusterNotFoundException({ message, ...meta });
export const resourceNotFound = (message = "The specified resource could not be found.") =>
  new ResourceNotFoundException({ message, ...meta });
export const resourceInUse = (message: string) => new ResourceInUseException({ message, ...meta });
export const limitExceeded = (message: string) => new LimitExceededException({ message, ...meta });
export const accessDenied = (message: string) => new AccessDeniedException({ message, ...meta });
export const updateInProgress = (message: string) => new UpdateInProgressException({ message, ...meta });
export const serverException = (message: string) => new ServerException({ message, ...meta });
export const clusterContainsServices = (message: string) =>
  new ClusterContainsServicesException({ message, ...meta });
export const clusterContainsTasks = (message: string) => new ClusterContainsTasksException({ message, ...meta });
export const clusterContainsContainerInstances = (message: string) =>
  new ClusterContainsContainerInstancesException({ message, ...meta });
