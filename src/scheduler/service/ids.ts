// Deployment ids as ECS writes them: "ecs-svc/" and 19 digits (a positive 64-bit integer,
// e.g. ecs-svc/5191625155316533644). Tasks of the deployment carry it as `startedBy`.

export const DEPLOYMENT_ID_PREFIX = "ecs-svc/";

/** A new deployment id from `random` (uniform in [0, 1)); the first digit is 1–8 to stay below 2^63. */
export function newDeploymentId(random: () => number): string {
  let digits = String(1 + Math.floor(random() * 8));
  for (let i = 1; i < 19; i++) digits += String(Math.floor(random() * 10));
  return DEPLOYMENT_ID_PREFIX + digits;
}

export const isDeploymentId = (value: string | undefined): value is string => value !== undefined && /^ecs-svc\/\d{19}$/.test(value);
