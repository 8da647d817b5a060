// The RuntimeDriver contract against the real Docker Engine, with the locally built busybox image.
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { ensureBusyboxImage } from "../support/images.js";
import { driverContract } from "./driver-contract.js";

driverContract("docker", async () => ({
  driver: new DockerDriver(),
  image: await ensureBusyboxImage(),
  unreachable: new DockerDriver({ socketPath: "/nonexistent/docker.sock" }),
}));
