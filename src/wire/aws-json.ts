// AWS JSON 1.1 bodies: timestamps travel as epoch seconds, blobs (Buffers) as base64, absent
// members are omitted.
import { stringifyWithDates } from "../json-dates.js";

function epochSeconds(this: Date): number {
  return this.getTime() / 1000;
}

function base64(this: Buffer): string {
  return this.toString("base64");
}

// Buffer's own toJSON ({type, data}), put back as it was after each stringify.
const bufferPrototype = Buffer.prototype as { toJSON: unknown };
const bufferJson = bufferPrototype.toJSON;

export function toAwsJson(value: unknown): string {
  // Swapped for one synchronous stringify, as stringifyWithDates swaps Date's.
  bufferPrototype.toJSON = base64;
  try {
    return stringifyWithDates(value, epochSeconds);
  } finally {
    bufferPrototype.toJSON = bufferJson;
  }
}

export function parseAwsJson(body: Buffer): unknown {
  const text = body.toString("utf8").trim();
  return text === "" ? {} : JSON.parse(text);
}
