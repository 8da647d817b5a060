// The AWS Query protocols: POST / with a form body `Action=<Operation>&Version=<apiVersion>&…`,
// answered in XML. Two dialects:
// - query (STS, ELBv2, …): `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>
//   <RequestId>` and errors as `<ErrorResponse><Error><Type><Code><Message></Error><RequestId>`;
// - ec2: `<OpResponse xmlns><requestId>…` with the members at the top, and errors as
//   `<Response><Errors><Error><Code><Message></Error></Errors><RequestID>`.
import type { ProtocolErrorCode, WireError } from "../errors.js";
import { ProtocolError } from "../errors.js";
import type { IncomingCall, Protocol, Reply } from "./protocol.js";
import { formPairs, readQueryInput, type QueryDialect } from "./query-input.js";
import { escapeXml, structureXml } from "./xml-output.js";

/** The query protocols' names (and statuses) for the errors of the wire. */
const QUERY_CODES: Record<ProtocolErrorCode, { code: string; status?: number }> = {
  SerializationException: { code: "MalformedQueryString" },
  UnknownOperationException: { code: "InvalidAction" },
  MissingAuthenticationTokenException: { code: "MissingAuthenticationToken", status: 403 },
  IncompleteSignatureException: { code: "IncompleteSignature" },
  InvalidSignatureException: { code: "SignatureDoesNotMatch", status: 403 },
  UnrecognizedClientException: { code: "InvalidClientTokenId", status: 403 },
  ExpiredTokenException: { code: "ExpiredToken", status: 403 },
  RequestEntityTooLargeException: { code: "RequestEntityTooLarge", status: 413 },
};

/** EC2 answers every failure to authenticate as AuthFailure. */
const EC2_CODES: Record<ProtocolErrorCode, { code: string; status?: number }> = {
  ...QUERY_CODES,
  InvalidSignatureException: { code: "AuthFailure", status: 401 },
  UnrecognizedClientException: { code: "AuthFailure", status: 401 },
  ExpiredTokenException: { code: "RequestExpired" },
  SerializationException: { code: "InvalidParameterValue" },
};

const FORM = "application/x-www-form-urlencoded";

/** The pairs of a call's form body, read once however often asked. */
const forms = new WeakMap<IncomingCall, Map<string, string>>();
function formOf(call: IncomingCall): Map<string, string> {
  let form = forms.get(call);
  if (!form) {
    const type = String(call.headers["content-type"] ?? "");
    form = call.method === "POST" && type.startsWith(FORM) ? formPairs(call.body.toString("utf8")) : new Map<string, string>();
    forms.set(call, form);
  }
  return form;
}

function xmlReply(status: number, requestId: string, body: string): Reply {
  return {
    status,
    headers: { "content-type": "text/xml", "content-length": Buffer.byteLength(body), "x-amzn-requestid": requestId },
    body,
  };
}

function queryProtocol(dialect: QueryDialect): Protocol {
  const codes = dialect === "ec2" ? EC2_CODES : QUERY_CODES;
  return {
    claims(model, call) {
      const form = formOf(call);
      return form.has("Action") && form.get("Version") === model.metadata.apiVersion;
    },

    read(model, call, violation) {
      const form = formOf(call);
      const action = form.get("Action") ?? "";
      const version = form.get("Version") ?? "";
      const operation = model.operations[action];
      if (!operation || version !== model.metadata.apiVersion) {
        throw new ProtocolError(
          "UnknownOperationException",
          `Could not find operation ${action || "(none)"} for version ${version || "(none)"}.`,
        );
      }
      return { operation: action, input: readQueryInput(model, operation.input, form, dialect, violation) };
    },

    reply(model, operation, output, requestId) {
      const ns = model.metadata.xmlNamespace ?? "";
      const outputRef = model.operations[operation]?.output;
      const members = outputRef ? structureXml(model, model.shapes[outputRef.shape]!, output ?? {}) : "";
      if (dialect === "ec2") {
        return xmlReply(
          200,
          requestId,
          `<${operation}Response xmlns="${ns}"><requestId>${requestId}</requestId>${members}</${operation}Response>`,
        );
      }
      const wrapper = outputRef?.resultWrapper;
      const result = wrapper ? `<${wrapper}>${members}</${wrapper}>` : members;
      return xmlReply(
        200,
        requestId,
        `<${operation}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
      );
    },

    replyError(model, error: WireError, requestId) {
      const renamed = codes[error.type as ProtocolErrorCode];
      const code = renamed?.code ?? error.type;
      const status = renamed?.status ?? error.status;
      const message = escapeXml(error.message);
      if (dialect === "ec2") {
        return xmlReply(
          status,
          requestId,
          `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        );
      }
      const type = status >= 500 ? "Receiver" : "Sender";
      return xmlReply(
        status,
        requestId,
        `<ErrorResponse xmlns="${model.metadata.xmlNamespace ?? ""}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    },
  };
}

export const awsQuery = queryProtocol("query");
export const ec2Query = queryProtocol("ec2");
