// Every error a handler or a domain rule raises is an EcsError: one of the exceptions the ECS
// model declares, by name, with a message. The protocol layer turns it into the wire response
// (its status from the model: ServerException is the server's fault, the rest the caller's).
// The names are checked against the exception classes @aws-sdk/client-ecs generates, at
// compile time only: loading the SDK at run time made the control plane larger and slower to
// start (bench/RESULTS.md).
import type * as Ecs from "@aws-sdk/client-ecs";

/** The name of every exception class in @aws-sdk/client-ecs, i.e. every exception in the ECS model. */
export type EcsExceptionName = {
  [K in keyof typeof Ecs]: (typeof Ecs)[K] extends abstract new (...args: never[]) => Ecs.ECSServiceException ? K : never;
}[keyof typeof Ecs];

export class EcsError extends Error {
  constructor(
    override readonly name: Exclude<EcsExceptionName, "ECSServiceException">,
    message: string,
  ) {
    super(message);
  }
}

export const clientException = (message: string) => new EcsError("ClientException", message);
export const invalidParameter = (message: string) => new EcsError("InvalidParameterException", message);
export const clusterNotFound = (message = "Cluster not found.") => new EcsError("ClusterNotFoundException", message);
export const resourceNotFound = (message = "The specified resource could not be found.") =>
  new EcsError("ResourceNotFoundException", message);
export const serverException = (message: string) => new EcsError("ServerException", message);
export const clusterContainsServices = (message: string) => new EcsError("ClusterContainsServicesException", message);
export const clusterContainsTasks = (message: string) => new EcsError("ClusterContainsTasksException", message);
export const clusterContainsContainerInstances = (message: string) => new EcsError("ClusterContainsContainerInstancesException", message);
