// The engine's reading of HAProxy's `show stat`: only the columns it asks for, by name, so a
// poll of a thousand servers does not build a hundred-key record for each.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStat } from "../../src/dataplane/haproxy/socket.js";

const CSV = [
  "# pxname,svname,qcur,status,weight,check_status,check_code,",
  "b_lb_g,s_10.0.0.5_80,0,UP,100,L7OK,200,",
  "",
  "b_lb_g,s_10.0.0.6_80,0,DOWN,0,L7STS,503,",
  "",
].join("\n");

test("parseStat keeps the named columns of each server line, in the header's order of fields", () => {
  assert.deepEqual(parseStat(CSV, ["svname", "status", "check_code"]), [
    { svname: "s_10.0.0.5_80", status: "UP", check_code: "200" },
    { svname: "s_10.0.0.6_80", status: "DOWN", check_code: "503" },
  ]);
});

test("parseStat gives an empty string for a column HAProxy does not print, and nothing without a header", () => {
  assert.deepEqual(parseStat(CSV, ["pxname", "agent_status"]), [
    { pxname: "b_lb_g", agent_status: "" },
    { pxname: "b_lb_g", agent_status: "" },
  ]);
  assert.deepEqual(parseStat("Unknown command.\n", ["status"]), []);
});
