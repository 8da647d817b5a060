// AWS JSON 1.1 bodies: timestamps travel as epoch seconds, absent members are omitted.
import { stringifyWithDates } from "../json-dates.js";

function epochSeconds(this: Date): number {
  return this.getTime() / 1000;
}

export function toAwsJson(value: unknown): string {
  return stringifyWithDates(value, epochSeconds);
}

export function parseAwsJson(body: Buffer): unknown {
  const text = body.toString("utf8").trim();
  return text === "" ? {} : JSON.parse(text);
}
