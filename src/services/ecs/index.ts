// Every ECS operation berth serves, by its model name. An operation in the model but not
// here answers with an explicit "not built yet" error (see service.ts).
import { accountSettingOperations } from "./account-settings.js";
import { agentOperations } from "./agent.js";
import { containerInstanceOperations } from "./container-instances.js";
import { taskOperations } from "./tasks.js";
import { serviceOperations } from "./services.js";
import { serviceDeploymentOperations } from "./service-deployments.js";
import { capacityProviderOperations } from "./capacity-providers.js";
import { clusterOperations } from "./clusters.js";
import type { EcsHandlers } from "./context.js";
import { tagOperations } from "./tags.js";
import { execOperations } from "./execute-command.js";
import { taskDefinitionOperations } from "./task-definitions.js";
import { taskProtectionOperations } from "./task-protection.js";
import { taskSetOperations } from "./task-sets.js";

export const ecsOperations: EcsHandlers = {
  ...clusterOperations,
  ...taskDefinitionOperations,
  ...tagOperations,
  ...accountSettingOperations,
  ...capacityProviderOperations,
  ...containerInstanceOperations,
  ...agentOperations,
  ...taskOperations,
  ...serviceOperations,
  ...taskSetOperations,
  ...serviceDeploymentOperations,
  ...execOperations,
  ...taskProtectionOperations,
};
