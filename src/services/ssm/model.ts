import { loadModel, type ServiceModel } from "../../aws/model.js";

/**
 * The SSM service model (botocore's ssm/2014-11-06, Parameter Store's operations in full, the
 * rest by name: scripts/ops/ssm.txt): AWS JSON 1.1, target prefix AmazonSSM, signing name "ssm".
 */
export const ssmModel = (): ServiceModel => loadModel("src/services/ssm/model/ssm-2014-11-06.json");
