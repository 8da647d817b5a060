import { loadModel, type ServiceModel } from "../../aws/model.js";

/** The CloudWatch Logs model (botocore's logs/2014-03-28, the operations of scripts/ops/logs.txt): JSON 1.1, signing name "logs". */
export const logsModel = (): ServiceModel => loadModel("src/services/logs/model/logs-2014-03-28.json");
