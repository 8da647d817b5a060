// Writes an operation's output as the XML the query protocols answer with, member by member
// in the model's order: an element per member (its locationName, else its name), lists as
// items inside the member's element (`<member>`, or the item's locationName: EC2's `<item>`)
// or repeated elements when flattened, maps as `<entry><key/><value/></entry>`, timestamps
// in ISO 8601, blobs in base64.
import type { Shape, ShapeRef, ServiceModel } from "../model.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };

/** Text as element content: only what XML would misread is escaped (a CR would be read as LF). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => ESCAPES[c]!);
}

/** The XML of `value`'s members, as the children of the element that holds it. */
export function structureXml(model: ServiceModel, shape: Shape, value: unknown): string {
  const parts: string[] = [];
  writeMembers(model, shape, value as Record<string, unknown>, parts);
  return parts.join("");
}

function writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>, out: string[]): void {
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const member = value[name];
    if (member !== undefined && member !== null) writeElement(model, ref.locationName ?? name, ref, member, out);
  }
}

function writeElement(model: ServiceModel, name: string, ref: ShapeRef, value: unknown, out: string[]): void {
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case "structure":
      out.push(`<${name}>`);
      writeMembers(model, shape, value as Record<string, unknown>, out);
      out.push(`</${name}>`);
      return;
    case "list": {
      const item = shape.member!;
      if (shape.flattened || ref.flattened) {
        for (const v of value as unknown[]) writeElement(model, item.locationName ?? name, item, v, out);
        return;
      }
      out.push(`<${name}>`);
      for (const v of value as unknown[]) writeElement(model, item.locationName ?? "member", item, v, out);
      out.push(`</${name}>`);
      return;
    }
    case "map": {
      const keyName = shape.key!.locationName ?? "key";
      const valueName = shape.value!.locationName ?? "value";
      const flattened = shape.flattened || ref.flattened;
      if (!flattened) out.push(`<${name}>`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out.push(flattened ? `<${name}>` : "<entry>");
        out.push(`<${keyName}>${escapeXml(k)}</${keyName}>`);
        if (v !== undefined && v !== null) writeElement(model, valueName, shape.value!, v, out);
        out.push(flattened ? `</${name}>` : "</entry>");
      }
      if (!flattened) out.push(`</${name}>`);
      return;
    }
    default:
      out.push(`<${name}>${escapeXml(scalarText(shape, value))}</${name}>`);
  }
}

function scalarText(shape: Shape, value: unknown): string {
  if (shape.type === "timestamp") return (value instanceof Date ? value : new Date(value as string | number)).toISOString();
  if (shape.type === "blob") return Buffer.from(value as Uint8Array).toString("base64");
  return String(value);
}
