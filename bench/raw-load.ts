// A light load generator for measuring servers rather than clients: one ECS request signed
// once with SigV4 (the SDK's own signer) and replayed over keep-alive connections. A signed
// request stays valid for minutes, as on AWS, so every replay is verified in full by berth;
// it only spares the client the SDK's per-call building, signing and parsing.
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Agent, request } from "node:http";

export interface RawRequest {
  port: number;
  headers: Record<string, string>;
  body: string;
}

export async function signedEcsRequest(
  port: number,
  operation: string,
  input: unknown,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<RawRequest> {
  const body = JSON.stringify(input);
  const signer = new SignatureV4({ service: "ecs", region: "us-east-1", credentials, sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: "/",
      headers: {
        host: `127.0.0.1:${port}`,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AmazonEC2ContainerServiceV20141113.${operation}`,
        "content-length": String(Buffer.byteLength(body)),
      },
      body,
    }),
  );
  return { port, headers: signed.headers, body };
}

/** A call that sends `req` and resolves when the whole response has arrived (rejects on non-2xx). */
export function rawCaller(req: RawRequest): () => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return () => rawSend(req, agent);
}

/** Sends `req` over `agent` and resolves once the whole answer has arrived, unparsed (rejects on non-2xx). */
export function rawSend(req: RawRequest, agent: Agent): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port: req.port, method: "POST", path: "/", headers: req.headers, agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode! < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    r.on("error", reject);
    r.end(req.body);
  });
}
