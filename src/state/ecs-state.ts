// The collections the ECS control plane keeps, and the index keys of each.
import type { CapacityProvider, Cluster, Setting, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Collection, Store } from "./store.js";

export interface StoredTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** An account setting as set by a principal; principalArn "default" holds the account default. */
export type StoredSetting = Setting & { name: string; value: string; principalArn: string };

export const ACCOUNT_DEFAULT_PRINCIPAL = "default";

export interface EcsState {
  clusters: Collection<Cluster>;
  taskDefinitions: Collection<StoredTaskDefinition>;
  capacityProviders: Collection<CapacityProvider>;
  accountSettings: Collection<StoredSetting>;
}

export function ecsState(store: Store): EcsState {
  return {
    clusters: store.collection<Cluster>({
      name: "cluster",
      keys: (c) => ({ parent: "", seq: 0, status: c.status ?? "ACTIVE" }),
    }),
    taskDefinitions: store.collection<StoredTaskDefinition>({
      name: "taskDefinition",
      keys: ({ taskDefinition: td }) => ({ parent: td.family!, seq: td.revision!, status: td.status! }),
    }),
    capacityProviders: store.collection<CapacityProvider>({
      name: "capacityProvider",
      keys: (cp) => ({ parent: "", seq: 0, status: cp.status ?? "ACTIVE" }),
    }),
    accountSettings: store.collection<StoredSetting>({
      name: "accountSetting",
      keys: (s) => ({ parent: s.principalArn, seq: 0, status: "" }),
    }),
  };
}

export const taskDefinitionId = (family: string, revision: number) => `${family}:${revision}`;
