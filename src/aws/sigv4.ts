// Verifies AWS Signature Version 4 on an incoming request. SDKs sign; nothing on npm
// verifies, so the canonical request is rebuilt here from what the client says it signed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
import { createHmac, hash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ProtocolError } from "./errors.js";

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (already URI-encoded by the client). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
}

/** AWS rejects requests whose signing time is more than 5 minutes from its clock. */
const ALLOWED_SKEW_MS = 5 * 60 * 1000;

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
// One-shot: no Hash object per call, a measurable part of every verification (bench/RESULTS.md).
const sha256Hex = (data: Buffer | string) => hash("sha256", data, "hex");

/**
 * Signing keys by secret and credential scope. A key is four HMACs deep and changes only
 * with the day, region and service, so clients signing all day reuse one; the cache is
 * cleared whenever it grows past a few hundred (many keys, or the date rolled over).
 */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 256;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\0${date}\0${region}\0${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
    signingKeys.set(cacheKey, key);
  }
  return key;
}

export function verifySigV4(
  req: SignedRequest,
  service: string,
  secretFor: (accessKeyId: string) => string | undefined,
  now: Date,
): VerifiedCaller {
  const authorization = header(req.headers, "authorization");
  if (!authorization) throw new ProtocolError("MissingAuthenticationTokenException", "Missing Authentication Token");
  const parsed = parseAuthorization(authorization);
  const [accessKeyId, date, region, scopeService, terminator] = parsed.credential.split("/");
  if (!accessKeyId || !date || !region || !scopeService || terminator !== "aws4_request") {
    throw new ProtocolError(
      "IncompleteSignatureException",
      `Credential should be scoped to a valid region, not '${region ?? ""}'. ` +
        `Credential should be scoped correctly with the service '${service}'.`,
    );
  }
  const secret = secretFor(accessKeyId);
  if (secret === undefined) {
    throw new ProtocolError("UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  if (scopeService !== service) {
    throw new ProtocolError("InvalidSignatureException", `Credential should be scoped to correct service: '${service}'.`);
  }
  const amzDate = header(req.headers, "x-amz-date") ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    throw new ProtocolError(
      "IncompleteSignatureException",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (!amzDate.startsWith(date)) {
    throw new ProtocolError(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (Math.abs(now.getTime() - signedAt.getTime()) > ALLOWED_SKEW_MS) {
    throw new ProtocolError(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - ALLOWED_SKEW_MS))} ` +
        `(${formatAmzDate(now)} - 5 min.)`,
    );
  }
  const canonical = canonicalRequest(req, parsed.signedHeaders);
  const scope = `${date}/${region}/${scopeService}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  const key = signingKey(secret, date, region, scopeService);
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const given = Buffer.from(parsed.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ProtocolError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return { accessKeyId, region };
}

/**
 * The service a request's credential scope names (`Credential=AKID/20260101/us-east-1/ecs/…`),
 * read without verifying anything: the front door routes by it before it verifies.
 */
export function credentialScopeService(headers: IncomingHttpHeaders): string | undefined {
  const authorization = header(headers, "authorization");
  const start = authorization?.indexOf("Credential=") ?? -1;
  if (start < 0) return undefined;
  const end = authorization!.indexOf(",", start);
  return authorization!
    .slice(start + 11, end < 0 ? undefined : end)
    .trim()
    .split("/")[3];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseAuthorization(value: string): { credential: string; signedHeaders: string[]; signature: string } {
  const [algorithm, ...rest] = value.trim().split(/\s+/);
  if (algorithm !== "AWS4-HMAC-SHA256") {
    throw new ProtocolError("IncompleteSignatureException", `Unsupported AWS 'algorithm': '${algorithm ?? ""}'.`);
  }
  const fields = new Map<string, string>();
  for (const part of rest.join("").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  const missing = [credential ? "" : "Credential", signedHeaders ? "" : "SignedHeaders", signature ? "" : "Signature"].filter(Boolean);
  if (missing.length > 0) {
    throw new ProtocolError(
      "IncompleteSignatureException",
      missing.map((m) => `Authorization header requires '${m}' parameter.`).join(" ") + ` Authorization=${value}`,
    );
  }
  return { credential: credential!, signedHeaders: signedHeaders!.split(";"), signature: signature! };
}

function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf("?");
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? "" : req.url.slice(q + 1);
  const canonicalQuery = query
    .split("&")
    .filter(Boolean)
    .map((pair) => (pair.includes("=") ? pair : `${pair}=`))
    .sort()
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(header(req.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  // Always hash the body we received: a client-supplied x-amz-content-sha256 is not trusted.
  const payloadHash = sha256Hex(req.body);
  return [req.method, path || "/", canonicalQuery, canonicalHeaders, signedHeaders.join(";"), payloadHash].join("\n");
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function formatAmzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}
