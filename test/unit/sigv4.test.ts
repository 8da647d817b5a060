// The verifier against the real signer of the AWS SDK (@smithy/signature-v4).
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../../src/aws/errors.js";
import { verifySigV4 } from "../../src/aws/sigv4.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const KEY = "AKIDEXAMPLE";

async function signed(opts: { body?: string; region?: string; service?: string; secret?: string; at?: Date } = {}) {
  const body = opts.body ?? '{"clusterName":"web"}';
  const signer = new SignatureV4({
    service: opts.service ?? "ecs",
    region: opts.region ?? "eu-west-1",
    credentials: { accessKeyId: KEY, secretAccessKey: opts.secret ?? SECRET },
    sha256: Hash.bind(null, "sha256"),
  });
  const req = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 4545,
    path: "/",
    headers: {
      host: "127.0.0.1:4545",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonEC2ContainerServiceV20141113.CreateCluster",
    },
    body,
  });
  const s = await signer.sign(req, { signingDate: opts.at ?? new Date() });
  const headers = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: "POST", url: "/", headers, body: Buffer.from(body) };
}

const secretFor = (key: string) => (key === KEY ? SECRET : undefined);

function rejectsWith(fn: () => unknown, code: string) {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === code);
}

describe("SigV4 verification", () => {
  test("accepts what the SDK signs and reports key and region", async () => {
    const req = await signed();
    assert.deepEqual(verifySigV4(req, "ecs", secretFor, new Date()), { accessKeyId: KEY, region: "eu-west-1" });
  });

  test("a tampered body fails the signature", async () => {
    const req = await signed();
    rejectsWith(
      () => verifySigV4({ ...req, body: Buffer.from('{"clusterName":"evil"}') }, "ecs", secretFor, new Date()),
      "InvalidSignatureException",
    );
  });

  test("a wrong secret fails the signature", async () => {
    const req = await signed({ secret: "nope" });
    rejectsWith(() => verifySigV4(req, "ecs", secretFor, new Date()), "InvalidSignatureException");
  });

  test("an unknown access key is UnrecognizedClientException", async () => {
    const req = await signed();
    rejectsWith(() => verifySigV4(req, "ecs", () => undefined, new Date()), "UnrecognizedClientException");
  });

  test("no Authorization header is MissingAuthenticationTokenException", () => {
    rejectsWith(
      () => verifySigV4({ method: "POST", url: "/", headers: {}, body: Buffer.alloc(0) }, "ecs", secretFor, new Date()),
      "MissingAuthenticationTokenException",
    );
  });

  test("a signature older than five minutes has expired", async () => {
    const req = await signed({ at: new Date(Date.now() - 6 * 60_000) });
    assert.throws(
      () => verifySigV4(req, "ecs", secretFor, new Date()),
      (err: unknown) => err instanceof ProtocolError && err.code === "InvalidSignatureException" && /Signature expired/.test(err.message),
    );
    const fresh = await signed({ at: new Date(Date.now() - 4 * 60_000) });
    assert.equal(verifySigV4(fresh, "ecs", secretFor, new Date()).accessKeyId, KEY);
  });

  test("a signature for another service is refused", async () => {
    const req = await signed({ service: "s3" });
    rejectsWith(() => verifySigV4(req, "ecs", secretFor, new Date()), "InvalidSignatureException");
  });

  test("a garbled Authorization header is IncompleteSignatureException", async () => {
    const req = await signed();
    const headers = { ...req.headers, authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20200101" };
    rejectsWith(() => verifySigV4({ ...req, headers }, "ecs", secretFor, new Date()), "IncompleteSignatureException");
  });
});
