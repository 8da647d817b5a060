// What every EC2 handler shares: each call first makes sure the account's default VPC exists
// (an account's first EC2 call already sees it, as on AWS), DryRun is answered as EC2 does,
// and the domain's rule errors become EC2's error codes.
import type { Filter, Tag } from "@aws-sdk/client-ec2";
import { CidrError } from "../../domain/ec2/cidr-blocks.js";
import { filterMatcher, UnknownFilterError, type FilterFields } from "../../domain/ec2/filters.js";
import { PageTokenError, pageOf, type Page } from "../../domain/ec2/pagination.js";
import { RuleError } from "../../domain/ec2/security-group-rules.js";
import { TagError } from "../../domain/ec2/tags.js";
import { ensureDefaultVpc } from "../../state/default-vpc.js";
import { KeyedSerializer } from "../../keyed-serializer.js";
import { scopeKey } from "../../domain/scope.js";
import type { Ec2Context } from "./context.js";
import { Ec2Error } from "./errors.js";

export interface HandlerOptions {
  /**
   * "early" (the default): a DryRun call is answered before the handler runs, as EC2 answers it
   * once the caller's permission is checked. "checked": the handler runs its checks and throws
   * dryRunDone() before it writes, so a dry run of a bad request gets the request's error
   * (the security group calls, whose input EC2 validates first).
   */
  dryRun?: "early" | "checked";
}

/** A handler that runs after the default VPC is made, with DryRun answered and rule errors as EC2's. */
export function ec2Handler<I extends object, O>(
  work: (ctx: Ec2Context, input: I) => Promise<O>,
  options: HandlerOptions = {},
): (ctx: Ec2Context, input: I) => Promise<O> {
  return async (ctx, input) => {
    await ensureDefaultVpc(ctx.state, ctx.scope, ctx.now);
    try {
      if (options.dryRun !== "checked" && "DryRun" in input && input.DryRun === true) throw dryRunDone();
      return await work(ctx, input);
    } catch (err) {
      throw asEc2Error(err);
    }
  };
}

/** What EC2 answers a DryRun call that would have succeeded (HTTP 412). */
export const dryRunDone = (): Ec2Error => new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);

function asEc2Error(err: unknown): unknown {
  if (err instanceof CidrError || err instanceof TagError || err instanceof RuleError) return new Ec2Error(err.code, err.message);
  if (err instanceof UnknownFilterError) return new Ec2Error("InvalidParameterValue", err.message);
  if (err instanceof PageTokenError)
    return new Ec2Error(/nextToken/.test(err.message) ? "InvalidNextToken" : "InvalidParameterValue", err.message);
  return err;
}

/** The resources that match `filters`; an unknown filter name is EC2's InvalidParameterValue. */
export function filtered<T>(
  items: readonly T[],
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf?: (r: T) => Tag[] | undefined,
): T[] {
  const matches = filterMatcher(filters, fields, tagsOf);
  return items.filter(matches);
}

/** One page of `items` by id, within the operation's MaxResults bounds. */
export function paged<T>(items: readonly T[], idOf: (item: T) => string, input: { MaxResults?: number; NextToken?: string }): Page<T> {
  return pageOf(items, idOf, input, { min: 5, max: 1000 });
}

/**
 * EC2's answer for ids that name nothing: "The vpc ID 'vpc-1' does not exist", or for
 * several "The vpc IDs 'vpc-1, vpc-2' do not exist".
 */
export function notFound(
  code: "InvalidVpcID.NotFound" | "InvalidSubnetID.NotFound" | "InvalidNetworkInterfaceID.NotFound",
  noun: string,
  ids: readonly string[],
): Ec2Error {
  return ids.length === 1
    ? new Ec2Error(code, `The ${noun} ID '${ids[0]}' does not exist`)
    : new Ec2Error(code, `The ${noun} IDs '${ids.join(", ")}' do not exist`);
}

/** The resources named by `ids` (each once, in the order asked), or the NotFound error of those missing. */
export function selected<T>(
  all: readonly T[],
  idOf: (r: T) => string,
  ids: readonly string[] | undefined,
  missing: (ids: string[]) => Ec2Error,
): T[] {
  if (ids === undefined || ids.length === 0) return [...all];
  const byId = new Map(all.map((r) => [idOf(r), r]));
  const wanted = [...new Set(ids)];
  const absent = wanted.filter((id) => !byId.has(id));
  if (absent.length > 0) throw missing(absent);
  return wanted.map((id) => byId.get(id)!);
}

/**
 * One lock for every change to the VPCs and subnets of this berth: creating checks blocks
 * against every VPC of every account (they share hosts), deleting checks dependents.
 */
export const networkChanges = new KeyedSerializer();

/**
 * Runs a deletion that placement must not interleave with: under the VPC lock, then ECS's
 * placement lock of the account and region (always in that order; ECS takes only the second).
 */
export function deletingNetwork<T>(ctx: Ec2Context, section: () => Promise<T>): Promise<T> {
  return networkChanges.run("vpcs", () => ctx.placementLock.run(scopeKey(ctx.scope), section));
}
