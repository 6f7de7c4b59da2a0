#!/usr/bin/env python3
"""A driver for `opsworks-conformance client`: botocore (the Python SDK) under the client gate.

Protocol (INTERFACES.md, "Client driver protocol"): one JSON line per call on standard input,

    {"endpoint": "http://127.0.0.1:PORT", "region": "us-east-1",
     "access_key_id": "...", "secret_access_key": "...",
     "request": {"StackId": "...", "Command": {"Name": "deploy"}, ...}}

answered with one JSON line on standard output:

    {"ok": {"DeploymentId": "..."}}                       (DeploymentId may be null)
    {"error": {"code": "ValidationException", "message": "..."}}
    {"client_error": {"message": "..."}}                  (botocore refused to send)

End of input: exit. Needs botocore 1.40.x (1.40.18 is the last release that knows OpsWorks):

    pip install botocore==1.40.18
"""

import json
import sys

import botocore
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

# One attempt per call (no retries), generous timeouts (the gate has its own per case).
CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=10,
    read_timeout=10,
)

SESSION = botocore.session.get_session()
# No profile, no environment: only the credentials of each call.
SESSION.set_config_variable("credentials_file", "/dev/null")
SESSION.set_config_variable("config_file", "/dev/null")

_clients = {}


def client_for(call):
    """One botocore client per endpoint, region and key (the gate uses one endpoint per run)."""
    key = (call["endpoint"], call["region"], call["access_key_id"], call["secret_access_key"])
    client = _clients.get(key)
    if client is None:
        client = SESSION.create_client(
            "opsworks",
            region_name=call["region"],
            endpoint_url=call["endpoint"],
            aws_access_key_id=call["access_key_id"],
            aws_secret_access_key=call["secret_access_key"],
            config=CONFIG,
        )
        _clients[key] = client
    return client


def answer(call):
    """Makes the call and returns the outcome in the protocol's form."""
    try:
        output = client_for(call).create_deployment(**call["request"])
    except ClientError as error:
        details = error.response.get("Error", {})
        return {
            "error": {
                "code": str(details.get("Code", "")),
                "message": str(details.get("Message", "")),
            }
        }
    except ParamValidationError as error:
        return {"client_error": {"message": "refused before sending: %s" % error}}
    except Exception as error:  # connection failures, unreadable answers: no server error code
        return {"client_error": {"message": "%s: %s" % (type(error).__name__, error)}}
    return {"ok": {"DeploymentId": output.get("DeploymentId")}}


def main():
    if "opsworks" not in SESSION.get_available_services():
        sys.stderr.write(
            "driver.py: botocore %s does not know OpsWorks; "
            "pip install botocore==1.40.18\n" % botocore.__version__
        )
        return 2
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            call = json.loads(line)
            outcome = answer(call)
        except (ValueError, KeyError, TypeError) as error:
            outcome = {"client_error": {"message": "driver could not read the call: %s" % error}}
        sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
