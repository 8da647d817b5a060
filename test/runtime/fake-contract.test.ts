// The RuntimeDriver contract against the in-memory fake, which scripts each of the contract's
// programs to do what it does on Docker.
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { FakeDriver, type FakeBehaviour } from "../../src/runtime/fake/index.js";
import { driverContract, HEALTH_CHECKS, PROGRAMS, UNREACHABLE_REGISTRY_IMAGE } from "./driver-contract.js";

const IMAGE = "berth-test/busybox:latest";
const same = (a: string[] | undefined, b: string[]) => JSON.stringify(a) === JSON.stringify(b);

function asOnDocker(spec: ContainerSpec): FakeBehaviour {
  const health: FakeBehaviour = same(spec.healthCheck?.command, HEALTH_CHECKS.fails) ? { health: "UNHEALTHY" } : {};
  const exit = /^exit (\d+)$/.exec(spec.command?.[0] === "sh" && spec.command[1] === "-c" ? (spec.command[2] ?? "") : "");
  if (exit) return { exitAfterMs: 0, exitCode: Number(exit[1]) };
  // With an init as PID 1, SIGTERM reaches sleep and ends it (the fake's default: 143).
  if (same(spec.command, PROGRAMS.sleeps)) return spec.init ? health : { ...health, ignoresSigterm: true };
  if (same(spec.command, PROGRAMS.exitsOnSigterm)) return { stopExitCode: 0 };
  if (same(spec.command, PROGRAMS.ticks)) return { stopExitCode: 0, repeat: { text: "tick", everyMs: 100 } };
  if (same(spec.command, PROGRAMS.prints)) {
    const out = (text: string) => ({ stream: "stdout" as const, text });
    return { exitAfterMs: 0, output: [out("one"), { stream: "stderr", text: "two" }, out("x".repeat(20_000)), out("four")] };
  }
  if (same(spec.command, PROGRAMS.missingExecutable)) {
    return {
      startError:
        'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/no/such/binary": stat /no/such/binary: no such file or directory: unknown',
    };
  }
  throw new Error(`the fake does not script ${JSON.stringify(spec.command)}: add it beside the contract's PROGRAMS`);
}

driverContract("fake", () => {
  const unreachable = new FakeDriver({ images: [IMAGE] });
  unreachable.available = false;
  return {
    driver: new FakeDriver({
      images: [IMAGE],
      behaviour: asOnDocker,
      registry: (image) =>
        image === UNREACHABLE_REGISTRY_IMAGE ? 'Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused' : true,
    }),
    image: IMAGE,
    unreachable,
  };
});
