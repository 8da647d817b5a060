// A listener's port, protocol and attributes as ELBv2 checks them for each type of load
// balancer. Berth keeps no certificates (it has no ACM or IAM certificate store), so HTTPS and
// TLS listeners are refused with ELBv2's own errors for a missing or unknown certificate.
import type { Certificate, ListenerAttribute, ProtocolEnum } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { LoadBalancerType } from "./actions.js";
import { ElbRefusal } from "./refusal.js";

/** The listener protocols of each type, in the order ELBv2's error lists them. */
export const LISTENER_PROTOCOLS: Record<LoadBalancerType, readonly string[]> = {
  application: ["HTTPS", "HTTP"],
  network: ["TLS", "TCP", "TCP_UDP", "UDP"],
};

export const MAX_LISTENERS_PER_LOAD_BALANCER = 50;

/** A listener's port and protocol checked for a load balancer of `type`. */
export function checkListenerProtocol(
  type: LoadBalancerType,
  port: number | undefined,
  protocol: string | undefined,
  certificates: readonly Certificate[] | undefined,
): { port: number; protocol: ProtocolEnum } {
  if (port === undefined) throw new ElbRefusal("ValidationError", "A listener port must be specified");
  if (protocol === undefined) throw new ElbRefusal("ValidationError", "A listener protocol must be specified");
  const allowed = LISTENER_PROTOCOLS[type];
  if (!allowed.includes(protocol))
    throw new ElbRefusal("ValidationError", `Listener protocol '${protocol}' must be one of '${allowed.join(", ")}'`);
  if (protocol === "HTTPS" || protocol === "TLS") {
    const first = certificates?.find((c) => c.CertificateArn !== undefined);
    if (!first) throw new ElbRefusal("ValidationError", `A certificate must be specified for ${protocol} listeners`);
    throw new ElbRefusal(
      "CertificateNotFoundException",
      `Certificate '${first.CertificateArn}' not found: berth keeps no certificates, so it cannot serve ${protocol} listeners`,
    );
  }
  if (certificates?.length) throw new ElbRefusal("ValidationError", `Certificates cannot be specified for ${protocol} listeners`);
  return { port, protocol: protocol as ProtocolEnum };
}

/** A listener of the same load balancer already on `port` (other than `except`): DuplicateListener. */
export function checkPortFree(
  loadBalancerArn: string,
  listeners: readonly { ListenerArn?: string; Port?: number }[],
  port: number,
  except?: string,
): void {
  if (listeners.some((l) => l.Port === port && l.ListenerArn !== except))
    throw new ElbRefusal(
      "DuplicateListenerException",
      `A listener already exists on this port for this load balancer '${loadBalancerArn}'`,
    );
}

export function checkListenerCount(count: number): void {
  if (count >= MAX_LISTENERS_PER_LOAD_BALANCER)
    throw new ElbRefusal(
      "TooManyListenersException",
      `You've reached the limit of '${MAX_LISTENERS_PER_LOAD_BALANCER}' listeners per load balancer`,
    );
}

interface AttributeSpec {
  fallback: string;
  valid: (value: string) => boolean;
  expected: string;
}

const anyValue: AttributeSpec = { fallback: "", valid: () => true, expected: "" };
const header = (valid: (v: string) => boolean, expected: string): AttributeSpec => ({
  fallback: "",
  valid: (v) => v === "" || valid(v),
  expected,
});
const integerIn = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;

/** The response headers an application load balancer's HTTP listener may add or suppress. */
const HTTP_ATTRIBUTES: Record<string, AttributeSpec> = {
  "routing.http.response.server.enabled": { fallback: "true", valid: (v) => v === "true" || v === "false", expected: "true or false" },
  "routing.http.response.strict_transport_security.header_value": anyValue,
  "routing.http.response.access_control_allow_origin.header_value": anyValue,
  "routing.http.response.access_control_allow_methods.header_value": anyValue,
  "routing.http.response.access_control_allow_headers.header_value": anyValue,
  "routing.http.response.access_control_allow_credentials.header_value": header((v) => v === "true", "true"),
  "routing.http.response.access_control_expose_headers.header_value": anyValue,
  "routing.http.response.access_control_max_age.header_value": header(integerIn(0, 86400), "a number of seconds from 0 to 86400"),
  "routing.http.response.content_security_policy.header_value": anyValue,
  "routing.http.response.x_content_type_options.header_value": header((v) => v === "nosniff", "nosniff"),
  "routing.http.response.x_frame_options.header_value": header(
    (v) => v === "DENY" || v === "SAMEORIGIN" || v.startsWith("ALLOW-FROM "),
    "DENY, SAMEORIGIN or ALLOW-FROM <uri>",
  ),
};

const TCP_ATTRIBUTES: Record<string, AttributeSpec> = {
  "tcp.idle_timeout.seconds": { fallback: "350", valid: integerIn(60, 6000), expected: "a number of seconds from 60 to 6000" },
};

function attributeSpecs(protocol: string): Record<string, AttributeSpec> {
  if (protocol === "HTTP" || protocol === "HTTPS") return HTTP_ATTRIBUTES;
  if (protocol === "TCP") return TCP_ATTRIBUTES;
  return {};
}

/** Every attribute a listener of `protocol` has, at ELBv2's defaults. */
export function defaultListenerAttributes(protocol: string): ListenerAttribute[] {
  return Object.entries(attributeSpecs(protocol)).map(([Key, spec]) => ({ Key, Value: spec.fallback }));
}

/**
 * A listener's attributes with `changes` applied, every key checked against those of its
 * protocol; `current` may lack keys (a listener stored before them), which take their defaults.
 */
export function withListenerAttributes(
  current: readonly ListenerAttribute[] | undefined,
  changes: readonly ListenerAttribute[],
  protocol: string,
): ListenerAttribute[] {
  const specs = attributeSpecs(protocol);
  const values = new Map(defaultListenerAttributes(protocol).map((a) => [a.Key!, a.Value!]));
  for (const a of current ?? []) if (a.Key !== undefined && values.has(a.Key)) values.set(a.Key, a.Value ?? "");
  for (const change of changes) {
    const key = change.Key ?? "";
    const spec = specs[key];
    if (!spec)
      throw new ElbRefusal("InvalidConfigurationRequestException", `The attribute '${key}' is not supported by ${protocol} listeners`);
    const value = change.Value ?? "";
    if (!spec.valid(value))
      throw new ElbRefusal(
        "InvalidConfigurationRequestException",
        `The value '${value}' of attribute '${key}' is not valid: it must be ${spec.expected}`,
      );
    values.set(key, value);
  }
  return [...values].map(([Key, Value]) => ({ Key, Value }));
}
