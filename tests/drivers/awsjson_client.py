"""A minimal awsJson1_1 client for CreateDeployment, standard library only, speaking the driver
protocol of `opsworks-conformance client` (INTERFACES.md). Correct by default; the scripts next
to it break it in one way each, to show that the gate names the right rule.
"""

import datetime
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.request

TARGET = "OpsWorks_20130218.CreateDeployment"
CONTENT_TYPE = "application/x-amz-json-1.1"


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign(headers, body, host, key, secret, region, service):
    """SigV4 over POST /, every header given plus host and x-amz-date."""
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    lowered["host"] = host
    lowered["x-amz-date"] = amz_date
    names = sorted(lowered)
    canonical_headers = "".join("%s:%s\n" % (name, lowered[name]) for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(body).hexdigest()]
    )
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    signing_key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        signing_key = _hmac(signing_key, part)
    signature = hmac.new(signing_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed = dict(headers)
    signed["Host"] = host
    signed["X-Amz-Date"] = amz_date
    signed["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        key,
        scope,
        signed_headers,
        signature,
    )
    return signed


def sanitize(raw, strip_namespace):
    code = raw.split(":", 1)[0]
    if strip_namespace and "#" in code:
        code = code.split("#", 1)[1]
    return code


def error_code(status, headers, body, read_code, strip_namespace):
    """The awsJson1_1 rules: header, then `code`, then `__type` (read_code="smithy"), or
    `__type` only (read_code="type_only"); the status when none is found."""
    try:
        document = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    candidates = []
    if read_code == "smithy":
        candidates.append(headers.get("X-Amzn-Errortype"))
        candidates.append(document.get("code"))
    candidates.append(document.get("__type"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            return sanitize(candidate, strip_namespace), document
    return str(status), document


def call(line, service, read_code, strip_namespace):
    request = line["request"]
    endpoint = line["endpoint"].rstrip("/")
    host = endpoint.split("://", 1)[1]
    body = json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = sign(
        {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET},
        body,
        host,
        line["access_key_id"],
        line["secret_access_key"],
        line["region"],
        service,
    )
    http_request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(http_request, timeout=10) as response:
            status, response_headers, response_body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, response_headers, response_body = error.code, error.headers, error.read()
    except OSError as error:
        return {"client_error": {"message": "%s: %s" % (type(error).__name__, error)}}
    if 200 <= status < 300:
        try:
            document = json.loads(response_body.decode("utf-8"))
        except ValueError:
            return {"client_error": {"message": "unreadable success body"}}
        deployment_id = document.get("DeploymentId") if isinstance(document, dict) else None
        return {"ok": {"DeploymentId": deployment_id}}
    code, document = error_code(status, response_headers, response_body, read_code, strip_namespace)
    message = document.get("message", document.get("Message", ""))
    return {"error": {"code": code, "message": str(message)}}


def main(service="opsworks", read_code="smithy", strip_namespace=True):
    for text in sys.stdin:
        if not text.strip():
            continue
        outcome = call(json.loads(text), service, read_code, strip_namespace)
        sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()
