// Listeners: a port and protocol of a load balancer, and the default actions its requests or
// connections take when no rule matches. Each listener is stored with its default rule (the
// one DescribeRules shows last, Priority "default"), whose actions are always the listener's.
import type {
  CreateListenerInput,
  CreateListenerOutput,
  DeleteListenerInput,
  DeleteListenerOutput,
  DescribeListenerAttributesInput,
  DescribeListenerAttributesOutput,
  DescribeListenersInput,
  DescribeListenersOutput,
  Listener,
  ModifyListenerAttributesInput,
  ModifyListenerAttributesOutput,
  ModifyListenerInput,
  ModifyListenerOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { checkedActions } from "../../domain/elbv2/actions.js";
import { elbIdOf, listenerArn, newElbId, ruleArn } from "../../domain/elbv2/arns.js";
import type { StoredListener } from "../../domain/elbv2/documents.js";
import {
  checkListenerCount,
  checkListenerProtocol,
  checkPortFree,
  defaultListenerAttributes,
  withListenerAttributes,
} from "../../domain/elbv2/listener.js";
import { defaultRuleOf, isDefaultRule } from "../../domain/elbv2/rules.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { listenerNotFound, loadBalancerNotFound, requireListener, requireLoadBalancer } from "./lookup.js";
import { requestedPage } from "./paging.js";
import { actionSite, loadBalancerType, routingChange, rulesOfListener, targetGroupFacts } from "./routing.js";

async function createListener(ctx: Elbv2Context, input: CreateListenerInput): Promise<CreateListenerOutput> {
  return routingChange(ctx, async () => {
    const lb = await requireLoadBalancer(ctx, input.LoadBalancerArn!);
    const lbArn = lb.loadBalancer.LoadBalancerArn!;
    const { port, protocol } = checkListenerProtocol(loadBalancerType(lb), input.Port, input.Protocol, input.Certificates);
    const siblings = await ctx.state.elbv2.listeners.list(ctx.scope, { parent: elbIdOf(lbArn) });
    checkPortFree(
      lbArn,
      siblings.map((s) => s.listener),
      port,
    );
    checkListenerCount(siblings.length);
    const defaultActions = input.DefaultActions ?? [];
    const actions = checkedActions(defaultActions, actionSite(lb, protocol), await targetGroupFacts(ctx, defaultActions));
    const id = newElbId();
    const arn = listenerArn(lbArn, id);
    const listener: Listener = { ListenerArn: arn, LoadBalancerArn: lbArn, Port: port, Protocol: protocol, DefaultActions: actions };
    const stored: StoredListener = {
      listener,
      attributes: defaultListenerAttributes(protocol),
      tags: input.Tags ?? [],
      createdAt: ctx.now.getTime(),
    };
    const ruleId = newElbId();
    await ctx.state.elbv2.transact((tx) => {
      // The load balancer must still be there as this commits (DeleteLoadBalancer removes its listeners).
      if (!tx.write(ctx.state.elbv2.loadBalancers, ctx.scope, elbIdOf(lbArn), () => undefined)) throw loadBalancerNotFound();
      tx.put(ctx.state.elbv2.listeners, ctx.scope, id, stored);
      tx.put(ctx.state.elbv2.rules, ctx.scope, ruleId, defaultRuleOf(arn, ruleArn(arn, ruleId), actions, stored.createdAt));
    });
    return { Listeners: [listener] };
  });
}

async function describeListeners(ctx: Elbv2Context, input: DescribeListenersInput): Promise<DescribeListenersOutput> {
  const byArns = input.ListenerArns !== undefined && input.ListenerArns.length > 0;
  if (byArns && input.LoadBalancerArn !== undefined)
    throw new Elbv2Error("ValidationError", "Listener ARNs and a load balancer ARN cannot be specified at the same time");
  let listeners: StoredListener[];
  if (byArns) {
    listeners = await Promise.all([...new Set(input.ListenerArns)].map((arn) => requireListener(ctx, arn)));
  } else {
    if (input.LoadBalancerArn === undefined)
      throw new Elbv2Error("ValidationError", "You must specify either listener ARNs or a load balancer ARN");
    const lb = await requireLoadBalancer(ctx, input.LoadBalancerArn);
    listeners = await ctx.state.elbv2.listeners.list(ctx.scope, { parent: elbIdOf(lb.loadBalancer.LoadBalancerArn!) });
  }
  const { items, NextMarker } = requestedPage(listeners, (l) => l.listener.ListenerArn!, input, listeners.length);
  return { Listeners: items.map((l) => l.listener), ...(NextMarker ? { NextMarker } : {}) };
}

async function modifyListener(ctx: Elbv2Context, input: ModifyListenerInput): Promise<ModifyListenerOutput> {
  return routingChange(ctx, async () => {
    const current = await requireListener(ctx, input.ListenerArn!);
    const was = current.listener;
    const lb = await requireLoadBalancer(ctx, was.LoadBalancerArn!);
    const lbArn = lb.loadBalancer.LoadBalancerArn!;
    const protocolChanges = input.Protocol !== undefined && input.Protocol !== was.Protocol;
    const { port, protocol } = checkListenerProtocol(
      loadBalancerType(lb),
      input.Port ?? was.Port,
      input.Protocol ?? was.Protocol,
      input.Certificates ?? was.Certificates,
    );
    if (port !== was.Port) {
      const siblings = await ctx.state.elbv2.listeners.list(ctx.scope, { parent: elbIdOf(lbArn) });
      checkPortFree(
        lbArn,
        siblings.map((s) => s.listener),
        port,
        was.ListenerArn,
      );
    }
    // The default actions as given, or the current ones checked again against a new protocol.
    const given = input.DefaultActions !== undefined && input.DefaultActions.length > 0 ? input.DefaultActions : undefined;
    const wanted = given ?? was.DefaultActions ?? [];
    const actions =
      given || protocolChanges ? checkedActions(wanted, actionSite(lb, protocol), await targetGroupFacts(ctx, wanted)) : wanted;
    const listener: Listener = { ...was, Port: port, Protocol: protocol, DefaultActions: actions };
    const attributes = protocolChanges ? withListenerAttributes(current.attributes, [], protocol) : current.attributes;
    const defaultRule = (await rulesOfListener(ctx, was.ListenerArn!)).find(isDefaultRule);
    const id = elbIdOf(was.ListenerArn!);
    await ctx.state.elbv2.transact((tx) => {
      const now = tx.write(ctx.state.elbv2.listeners, ctx.scope, id, (cur) =>
        cur ? { ...cur, listener, ...(attributes ? { attributes } : {}) } : undefined,
      );
      if (!now) throw listenerNotFound();
      if (defaultRule)
        tx.put(ctx.state.elbv2.rules, ctx.scope, elbIdOf(defaultRule.rule.RuleArn!), {
          ...defaultRule,
          rule: { ...defaultRule.rule, Actions: actions },
        });
    });
    return { Listeners: [listener] };
  });
}

async function deleteListener(ctx: Elbv2Context, input: DeleteListenerInput): Promise<DeleteListenerOutput> {
  return routingChange(ctx, async () => {
    const stored = await requireListener(ctx, input.ListenerArn!);
    const rules = await rulesOfListener(ctx, stored.listener.ListenerArn!);
    await ctx.state.elbv2.transact((tx) => {
      tx.remove(ctx.state.elbv2.listeners, ctx.scope, elbIdOf(stored.listener.ListenerArn!));
      for (const r of rules) tx.remove(ctx.state.elbv2.rules, ctx.scope, elbIdOf(r.rule.RuleArn!));
    });
    return {};
  });
}

async function describeListenerAttributes(
  ctx: Elbv2Context,
  input: DescribeListenerAttributesInput,
): Promise<DescribeListenerAttributesOutput> {
  const stored = await requireListener(ctx, input.ListenerArn!);
  return { Attributes: withListenerAttributes(stored.attributes, [], stored.listener.Protocol!) };
}

async function modifyListenerAttributes(ctx: Elbv2Context, input: ModifyListenerAttributesInput): Promise<ModifyListenerAttributesOutput> {
  return routingChange(ctx, async () => {
    const stored = await requireListener(ctx, input.ListenerArn!);
    const attributes = withListenerAttributes(stored.attributes, input.Attributes ?? [], stored.listener.Protocol!);
    const written = await ctx.state.elbv2.listeners.write(ctx.scope, elbIdOf(stored.listener.ListenerArn!), (cur) =>
      cur ? { ...cur, attributes } : undefined,
    );
    if (!written) throw listenerNotFound();
    return { Attributes: attributes };
  });
}

export const listenersOperations: Elbv2Handlers = {
  CreateListener: createListener,
  DescribeListeners: describeListeners,
  ModifyListener: modifyListener,
  DeleteListener: deleteListener,
  DescribeListenerAttributes: describeListenerAttributes,
  ModifyListenerAttributes: modifyListenerAttributes,
};
