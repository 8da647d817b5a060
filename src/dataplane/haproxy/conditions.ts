// ALB rule conditions as HAProxy ACL expressions: each condition one ACL whose patterns are
// its values (any may match), a rule matching when all its ACLs do. ALB's wildcards (* any
// run of characters, ? one character) become anchored regular expressions.
import type { RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";

/** An ACL: the sample it reads, its match flags and patterns (each quoted for the config). */
export interface AclSpec {
  fetch: string;
  patterns: string[];
}

/** A configuration argument in double quotes, with what HAProxy would take for escapes escaped. */
export const quoted = (text: string) => `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;

/** ALB's wildcard pattern as an anchored regular expression. */
export const wildcardRegex = (pattern: string) => `^${wildcardBody(pattern, ".")}$`;

/** The pattern as an unanchored regular expression whose wildcards match `any` (one character class). */
function wildcardBody(pattern: string, any: string): string {
  const escape = (c: string) => c.replace(/[.*?+^${}()|[\]\\/]/g, "\\$&");
  return [...pattern].map((c) => (c === "*" ? `${any}*` : c === "?" ? any : escape(c))).join("");
}

export function conditionAcl(condition: RuleCondition): AclSpec | undefined {
  const reg = (fetch: string, values: readonly string[]) => ({ fetch, patterns: values.map((v) => quoted(wildcardRegex(v))) });
  switch (condition.Field) {
    case "path-pattern":
      return reg("path -m reg", condition.PathPatternConfig?.Values ?? condition.Values ?? []);
    case "host-header":
      return reg("req.hdr(host),field(1,:) -m reg -i", condition.HostHeaderConfig?.Values ?? condition.Values ?? []);
    case "http-header": {
      const c = condition.HttpHeaderConfig!;
      return reg(`req.fhdr(${c.HttpHeaderName!.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~-]/g, "")}) -m reg -i`, c.Values ?? []);
    }
    case "http-request-method":
      return { fetch: "method -m str", patterns: (condition.HttpRequestMethodConfig?.Values ?? []).map(quoted) };
    case "query-string": {
      const pairs = condition.QueryStringConfig?.Values ?? [];
      const piece = (p: string) => wildcardBody(p, "[^&]");
      return {
        fetch: "query -m reg -i",
        patterns: pairs.map((p) => quoted(`(^|&)${p.Key ? piece(p.Key) : "[^&=]*"}=${piece(p.Value ?? "")}(&|$)`)),
      };
    }
    case "source-ip":
      return { fetch: "src", patterns: condition.SourceIpConfig?.Values ?? [] };
    default:
      return undefined;
  }
}
