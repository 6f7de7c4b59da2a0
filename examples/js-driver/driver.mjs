#!/usr/bin/env node
// A driver for `opsworks-conformance client`: the AWS SDK for JavaScript v3
// (@aws-sdk/client-opsworks) under the client gate.
//
// Protocol (INTERFACES.md, "Client driver protocol"): one JSON line per call on standard input,
//
//     {"endpoint": "http://127.0.0.1:PORT", "region": "us-east-1",
//      "access_key_id": "...", "secret_access_key": "...",
//      "request": {"StackId": "...", "Command": {"Name": "deploy"}, ...}}
//
// answered with one JSON line on standard output:
//
//     {"ok": {"DeploymentId": "..."}}                       (DeploymentId may be null)
//     {"error": {"code": "ValidationException", "message": "..."}}
//     {"client_error": {"message": "..."}}                  (the SDK refused to send, or no answer)
//
// End of input: exit. Install the pinned SDK first: `npm ci` in this folder.

import { createInterface } from "node:readline";

let sdk;
try {
  sdk = await import("@aws-sdk/client-opsworks");
} catch (error) {
  process.stderr.write(
    `driver.mjs: @aws-sdk/client-opsworks is not installed (${error.message}); run \`npm ci\` in examples/js-driver\n`,
  );
  process.exit(2);
}
const { OpsWorksClient, CreateDeploymentCommand, OpsWorksServiceException } = sdk;

// One client per endpoint, region and key (the gate uses one endpoint per run).
const clients = new Map();

function clientFor(call) {
  const key = JSON.stringify([call.endpoint, call.region, call.access_key_id, call.secret_access_key]);
  let client = clients.get(key);
  if (client === undefined) {
    client = new OpsWorksClient({
      endpoint: call.endpoint,
      region: call.region,
      // Only the credentials of the call: no environment, no profile.
      credentials: { accessKeyId: call.access_key_id, secretAccessKey: call.secret_access_key },
      // One attempt per call (the gate answers throttling codes too, which the SDK retries).
      maxAttempts: 1,
    });
    clients.set(key, client);
  }
  return client;
}

// Makes the call and returns the outcome in the protocol's form.
async function answer(call) {
  try {
    const output = await clientFor(call).send(new CreateDeploymentCommand(call.request));
    return { ok: { DeploymentId: output.DeploymentId ?? null } };
  } catch (error) {
    if (error instanceof OpsWorksServiceException) {
      // The error code as the SDK reports it: the exception's `name` (what users switch on).
      return { error: { code: String(error.name), message: String(error.message ?? "") } };
    }
    const name = error && error.name ? error.name : "Error";
    const message = error && error.message ? error.message : String(error);
    return { client_error: { message: `${name}: ${message}` } };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") {
    continue;
  }
  let outcome;
  try {
    outcome = await answer(JSON.parse(line));
  } catch (error) {
    outcome = { client_error: { message: `driver could not read the call: ${error}` } };
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
