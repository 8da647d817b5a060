// The documents the ECS control plane stores, and the keys and ids they are found by.
import type { ContainerInstance, Service, Setting, Tag, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { DeploymentRecord, ReconcilerMemory, UnplacedTasks } from "../domain/deployment.js";
import type { TaskSetRecord } from "../domain/task-set.js";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import type { TaskLoadBalancing } from "../domain/task/load-balancing.js";
import type { Reservation } from "../domain/task/reservation.js";
import type { ServiceHistory } from "../domain/service-history.js";

export interface StoredTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** An account setting as set by a principal; principalArn "default" holds the account default. */
export type StoredSetting = Setting & { name: string; value: string; principalArn: string };

export const ACCOUNT_DEFAULT_PRINCIPAL = "default";

/**
 * A registered agent host. EC2-style hosts are the cluster's container instances; a host
 * registered as berth's FARGATE capacity serves FARGATE tasks of every cluster and never
 * shows up as a container instance.
 */
export interface StoredInstance {
  id: string;
  /** "" for FARGATE capacity, which belongs to no cluster */
  cluster: string;
  fargateHost: boolean;
  instance: ContainerInstance;
  lastSeenAt: Date;
}

export interface StoredTask {
  task: Task;
  cluster: string;
  /** The agent host that runs it: a container instance id or a FARGATE host id. */
  hostId?: string;
  /** The definition it runs, as it was when the task was created. */
  taskDefinition: TaskDefinition;
  reservation: Reservation;
  network?: TaskNetwork;
  /** Scale-in protected until then (UpdateTaskProtection); absent when never or no longer protected. */
  protectedUntil?: Date;
  /** A service task behind load balancers: its targets, and the drain that holds its stop back. */
  loadBalancing?: TaskLoadBalancing;
}

/** A RunTask's client token and the tasks that call started, so a retry returns them. */
export interface StoredRunTaskToken {
  cluster: string;
  clientToken: string;
  taskIds: string[];
  createdAt: Date;
}

export const runTaskTokenId = (cluster: string, clientToken: string) => `${cluster}/${clientToken}`;

export interface StoredService {
  /** As DescribeServices shows it, but for deployments, which live below. */
  service: Service;
  cluster: string;
  /** PRIMARY first, then ACTIVE; INACTIVE ones are dropped. */
  deployments: DeploymentRecord[];
  /** What the reconciler keeps between runs. */
  memory: ReconcilerMemory;
  /** What the last run could not place, for the next run's events and throttle. */
  unplaced: UnplacedTasks[];
  /** The scheduler should look again by then (epoch ms), even if nothing changes. */
  wakeAt?: number;
  clientToken?: string;
  /** EXTERNAL deployment controller only: its task sets, PRIMARY first (src/domain/task-set.ts). */
  taskSets?: TaskSetRecord[];
  /** Its service revisions and service deployments (absent in documents written before berth kept them). */
  history?: ServiceHistory;
}

/**
 * Tasks are grouped by cluster and then by group ("service:web", "family:app"), so a service
 * reads only its own tasks; cluster names cannot hold "/", so a cluster's tasks are the
 * parents under "<cluster>/".
 */
export const taskParent = (cluster: string, group: string) => `${cluster}/${group}`;
export const clusterTasks = (cluster: string) => ({ parentPrefix: `${cluster}/` });

/** Tasks whose record may still change; STOPPED ones only wait to be purged. */
export const taskIndexStatus = (t: Task) => (t.lastStatus === "STOPPED" ? "STOPPED" : "LIVE");

/** A service's document id: its cluster and name. */
export const serviceId = (s: StoredService) => `${s.cluster}/${s.service.serviceName}`;

export const taskDefinitionId = (family: string, revision: number) => `${family}:${revision}`;
