// How SsmErrors (src/domain/ssm/errors.ts) look on the wire: the model gives each its status.
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { SsmError } from "../../domain/ssm/errors.js";
import { ssmModel } from "./model.js";

const STATUS: Record<string, number> = { NotImplemented: 501, InternalServerError: 500 };

export const ssmErrors: ServiceErrors = {
  describe: (err) => {
    if (!(err instanceof SsmError)) return undefined;
    const wire = modeledError(ssmModel(), err.code, err.message);
    return { ...wire, status: STATUS[err.code] ?? wire.status };
  },
  internalErrorCode: "InternalServerError",
};
