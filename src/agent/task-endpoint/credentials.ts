// GET /v2/credentials/<id>: a task role's credentials as the ECS agent serves them to the
// task's containers (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), with its error codes and bodies.
// Pure: the lookup is passed in.
import type { RoleCredentials, TaskCredentials } from "../../wire/task-credentials.js";
import { unchangingBody, type EndpointAnswer } from "./answer.js";

const PREFIX = "CredentialsV2Request: ";

export interface CredentialsLookup {
  withId(credentialsId: string): TaskCredentials | undefined;
  /** The address of the task's own network interface (awsvpc): only it may read the task's credentials. */
  interfaceAddress(taskArn: string): string | undefined;
}

/** The ECS agent's error body: Go marshals its untagged HTTPErrorCode field under that name. */
const error = (status: number, code: string, message: string): EndpointAnswer => ({
  status,
  body: { code, message: PREFIX + message, HTTPErrorCode: status },
});

export function credentialsAnswer(lookup: CredentialsLookup, credentialsId: string, clientAddress: string): EndpointAnswer {
  if (!credentialsId) return error(400, "NoIdInRequest", "No Credential ID in the request");
  const found = lookup.withId(credentialsId);
  const role = found?.task;
  // Another task asking with a stolen id learns no more than a wrong id would tell it.
  const address = found && lookup.interfaceAddress(found.taskArn);
  if (!found || !role || (address !== undefined && address !== clientAddress)) {
    return error(400, "InvalidIdInRequest", "Credentials not found");
  }
  return { status: 200, body: credentialsBody(role) };
}

// One body per credentials object: a refresh brings new objects (and so new bodies), and a
// body goes with the credentials it was made of.
const bodies = new WeakMap<RoleCredentials, object>();

function credentialsBody(role: RoleCredentials): object {
  let body = bodies.get(role);
  if (!body) {
    body = unchangingBody({
      RoleArn: role.roleArn,
      AccessKeyId: role.accessKeyId,
      SecretAccessKey: role.secretAccessKey,
      Token: role.sessionToken,
      Expiration: utcSeconds(role.expiration),
    });
    bodies.set(role, body);
  }
  return body;
}

/** 2026-12-06T18:00:00Z: how ECS's credentials carry Expiration (no fraction, UTC). */
function utcSeconds(expiration: string): string {
  const ms = Date.parse(expiration);
  return Number.isNaN(ms) ? expiration : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
