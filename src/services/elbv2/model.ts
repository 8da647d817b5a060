import { loadModel, type ServiceModel } from "../../aws/model.js";

/** The ELBv2 service model (botocore's elbv2/2015-12-01): AWS Query protocol, signing name "elasticloadbalancing". */
export const elbv2Model = (): ServiceModel => loadModel("src/services/elbv2/model/elbv2-2015-12-01.json");
