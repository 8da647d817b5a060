// Creating a task's container under its deterministic name. A name clash with a container of
// the same task means an earlier attempt died between create and recording the id (an agent
// crash): that leftover is replaced. A clash with anything else is a real conflict.
import { isRuntimeError, type ContainerSpec, type RuntimeDriver } from "../../runtime/driver.js";
import { LABEL } from "./identity.js";

export async function createOwned(driver: RuntimeDriver, spec: ContainerSpec, taskArn: string): Promise<string> {
  try {
    return await driver.create(spec);
  } catch (err) {
    if (!isRuntimeError(err, "conflict")) throw err;
    const found = await driver.inspect(spec.name);
    if (!found || found.labels[LABEL.taskArn] !== taskArn) throw err;
    await driver.destroy(found.id);
    return driver.create(spec);
  }
}
