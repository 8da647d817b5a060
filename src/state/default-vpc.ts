// Every account and region has a default VPC from its first use, as on AWS: made once, on the
// first question that needs it (an EC2 call, an awsvpc task), in one transaction with its
// default group and subnets. Once deleted it stays deleted until CreateDefaultVpc.
import type { Scope } from "../domain/scope.js";
import { scopeKey } from "../domain/scope.js";
import type { StoredVpc } from "../domain/ec2/documents.js";
import { newDefaultVpc } from "../domain/ec2/vpc.js";
import type { Ec2State } from "./ec2-state.js";

const ACCOUNT = "account";
const settled = new WeakMap<Ec2State, Map<string, Promise<void>>>();

/** Makes the scope's default VPC if it was never made; resolves once it is stored (or was deleted). */
export function ensureDefaultVpc(ec2: Ec2State, scope: Scope, now: Date): Promise<void> {
  let scopes = settled.get(ec2);
  if (!scopes) settled.set(ec2, (scopes = new Map<string, Promise<void>>()));
  const key = scopeKey(scope);
  let done = scopes.get(key);
  if (!done) {
    done = makeOnce(ec2, scope, now).catch((err: unknown) => {
      scopes.delete(key); // the next question tries again
      throw err;
    });
    scopes.set(key, done);
  }
  return done;
}

async function makeOnce(ec2: Ec2State, scope: Scope, now: Date): Promise<void> {
  if ((await ec2.accounts.get(scope, ACCOUNT))?.defaultVpcMade) return;
  const made = newDefaultVpc(scope, now);
  await ec2.transact((tx) => {
    let madeBefore = false;
    tx.write(ec2.accounts, scope, ACCOUNT, (cur) => {
      madeBefore = cur?.defaultVpcMade === true;
      return madeBefore ? undefined : { defaultVpcMade: true };
    });
    if (madeBefore) return;
    tx.put(ec2.vpcs, scope, made.vpc.vpc.VpcId!, made.vpc);
    tx.put(ec2.securityGroups, scope, made.defaultGroup.group.GroupId!, made.defaultGroup);
    for (const s of made.subnets) tx.put(ec2.subnets, scope, s.subnet.SubnetId!, s);
  });
}

/** The scope's default VPC, if it has one (made first if never made). */
export async function defaultVpc(ec2: Ec2State, scope: Scope, now: Date): Promise<StoredVpc | undefined> {
  await ensureDefaultVpc(ec2, scope, now);
  return (await ec2.vpcs.list(scope)).find((v) => v.vpc.IsDefault);
}
