import { loadModel, type ServiceModel } from "../../aws/model.js";

/**
 * The EC2 service model (botocore's ec2/2016-11-15): EC2 Query protocol, signing name "ec2".
 * Only the operations berth serves keep their shapes (scripts/ops/ec2.txt); the others keep
 * their names, so that calling one is answered as unsupported rather than unknown.
 */
export const ec2Model = (): ServiceModel => loadModel("src/services/ec2/model/ec2-2016-11-15.json");
