import { loadModel, type ServiceModel } from "../../aws/model.js";

/** The STS service model (botocore's sts/2011-06-15): AWS Query protocol, signing name "sts". */
export const stsModel = (): ServiceModel => loadModel("src/services/sts/model/sts-2011-06-15.json");
