// Hand-made requests for what well-behaved SDKs never send: malformed JSON, unknown
// targets, missing signatures. Signed with the SDK's own signer.
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./berth-process.js";

export interface RawResponse {
  status: number;
  errorType: string | null;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever came back
}

export async function rawCall(
  endpoint: string,
  target: string,
  body: string,
  opts: { sign?: boolean; region?: string } = {},
): Promise<RawResponse> {
  const url = new URL(endpoint);
  let headers: Record<string, string> = {
    host: url.host,
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": target,
  };
  if (opts.sign !== false) {
    const signer = new SignatureV4({
      service: "ecs",
      region: opts.region ?? "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.sign(
      new HttpRequest({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: "/", headers, body }),
    );
    headers = signed.headers;
  }
  const res = await fetch(endpoint + "/", { method: "POST", headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), body: parsed };
}

export const ECS_TARGET = (operation: string) => `AmazonEC2ContainerServiceV20141113.${operation}`;
