import { loadModel, type ServiceModel } from "../../aws/model.js";

/** The ECS service model (botocore's ecs/2014-11-13): operations, protocol, input constraints. */
export const ecsModel = (): ServiceModel => loadModel("src/services/ecs/model/ecs-2014-11-13.json");
