// Task-level cpu and memory are strings in the ECS API. Real ECS accepts CPU units
// ("1024") or vCPUs ("1 vCPU", "0.25 vcpu") and MiB ("2048") or GB ("2 GB", "2GB"),
// and echoes the integer-unit form back ("1024", "2048"). Source: ECS developer
// guide, "Invalid CPU or memory value specified" troubleshooting page.

/** Valid Fargate memory sizes (MiB) per task cpu (units), as in ECS-SEMANTICS.md. */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

function steps(from: number, to: number, by: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += by) out.push(v);
  return out;
}

const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)$/;

function parseWithUnits(raw: string | undefined, units: Record<string, number>): number | undefined {
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  const m = /^([0-9.]+)\s*([A-Za-z]*)$/.exec(text);
  if (!m || !NUMBER.test(m[1]!)) return undefined;
  const scale = units[m[2]!.toLowerCase()];
  if (scale === undefined) return undefined;
  const value = Number(m[1]) * scale;
  // Fractions that do not land on a whole unit (e.g. "0.3 vCPU" = 307.2) have no
  // integer form to echo back, so they are rejected like any other bad value.
  if (!Number.isFinite(value) || value <= 0 || !Number.isInteger(value) || value > 2147483647) return undefined;
  return value;
}

/** "1 vCPU" → 1024, "512" → 512; undefined when absent or unparseable. */
export function parseTaskCpu(raw: string | undefined): number | undefined {
  return parseWithUnits(raw, { "": 1, vcpu: 1024, vcpus: 1024 });
}

/** "2 GB" → 2048, "1024" → 1024; undefined when absent or unparseable. */
export function parseTaskMemory(raw: string | undefined): number | undefined {
  return parseWithUnits(raw, { "": 1, mb: 1, mib: 1, gb: 1024, gib: 1024 });
}

/** True when both values parse and form a cpu/memory pair Fargate offers. */
export function isValidFargateSize(cpu: string | undefined, memory: string | undefined): boolean {
  const c = parseTaskCpu(cpu);
  const m = parseTaskMemory(memory);
  if (c === undefined || m === undefined) return false;
  return FARGATE_SIZES.get(c)?.includes(m) ?? false;
}
