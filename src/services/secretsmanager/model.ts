import { loadModel, type ServiceModel } from "../../aws/model.js";

/** The Secrets Manager service model (botocore's secretsmanager/2017-10-17): AWS JSON 1.1, signing name "secretsmanager". */
export const secretsManagerModel = (): ServiceModel => loadModel("src/services/secretsmanager/model/secretsmanager-2017-10-17.json");
