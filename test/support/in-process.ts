// Calls berth's front door in-process, with no port: an HTTP handler for the AWS SDK that
// hands each signed request to the front door's plain (req, res) function and reads back
// what it wrote. Handler tests then run at function-call speed with the real SDK's
// serialisation, signing and error parsing, beside the e2e suites that start the binary.
import { HttpResponse, type HttpHandler, type HttpRequest } from "@smithy/protocol-http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What a handler wrote: enough of ServerResponse for the front door's replies. */
class RecordedResponse {
  statusCode = 200;
  headers: Record<string, string> = {};
  headersSent = false;
  destroyed = false;
  private readonly chunks: Buffer[] = [];
  private finish!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers)) this.headers[k.toLowerCase()] = String(v);
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    this.finish();
    return this;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function bodyOf(request: HttpRequest): Buffer {
  const body: unknown = request.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string" || body instanceof Uint8Array) return Buffer.from(body);
  throw new Error("in-process calls take string or byte bodies, not streams");
}

/** An SDK request handler (`requestHandler` in a client's configuration) that calls `listener` directly. */
export function inProcessHandler(listener: RequestListener): HttpHandler {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: HttpRequest) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(request.query ?? {})) for (const one of [v ?? ""].flat()) query.append(k, one ?? "");
      const req = Readable.from([bodyOf(request)]) as unknown as IncomingMessage;
      Object.assign(req, {
        method: request.method,
        url: request.path + (query.size ? `?${query}` : ""),
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      });
      const res = new RecordedResponse();
      listener(req, res as unknown as ServerResponse);
      await res.finished;
      return { response: new HttpResponse({ statusCode: res.statusCode, headers: res.headers, body: Readable.from([res.body()]) }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  } as HttpHandler;
}
