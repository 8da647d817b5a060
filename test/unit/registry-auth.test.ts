import assert from "node:assert/strict";
import { test } from "node:test";
import { authFor, parseEngineAuth, registryOf } from "../../src/agent/registry-auth.js";

test("registry host of an image reference", () => {
  assert.equal(registryOf("busybox"), "docker.io");
  assert.equal(registryOf("library/busybox:1"), "docker.io");
  assert.equal(registryOf("127.0.0.1:5000/app:1"), "127.0.0.1:5000");
  assert.equal(registryOf("localhost/app"), "localhost");
  assert.equal(registryOf("registry.example.com/team/app@sha256:abc"), "registry.example.com");
});

test("ECS_ENGINE_AUTH_DATA in the docker and dockercfg forms", () => {
  const docker = parseEngineAuth("docker", JSON.stringify({ "http://127.0.0.1:5000": { username: "u", password: "p", email: "e" } }));
  assert.deepEqual(authFor(docker, "127.0.0.1:5000/app:1"), { username: "u", password: "p", serveraddress: "127.0.0.1:5000" });
  assert.equal(authFor(docker, "busybox"), undefined);
  const cfg = parseEngineAuth("dockercfg", JSON.stringify({ "127.0.0.1:5001": { auth: Buffer.from("who:pa:ss").toString("base64") } }));
  assert.deepEqual(authFor(cfg, "127.0.0.1:5001/x"), { username: "who", password: "pa:ss", serveraddress: "127.0.0.1:5001" });
  assert.equal(parseEngineAuth(undefined, undefined).size, 0);
  assert.throws(() => parseEngineAuth("basic", "{}"), /docker or dockercfg/);
  assert.throws(() => parseEngineAuth("docker", "{"), /not valid JSON/);
});
