// The security-group policy the control plane sends an agent (ControlPlaneMessage "firewall"):
// everything the agent needs to enforce the groups of the network interfaces on its host. The
// agent turns it into nftables rules (src/agent/firewall/); it never reads EC2's documents.
// Its shape is defined beside the pure function that computes it.
export type {
  FirewallPolicy,
  PolicyGroup,
  PolicyInterface,
  PolicyLoadBalancerInterface,
  PolicyRule,
  PolicyVpc,
} from "../domain/firewall/policy.js";
