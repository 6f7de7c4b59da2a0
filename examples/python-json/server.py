#!/usr/bin/env python3
"""A small implementation of AWS OpsWorks Stacks `CreateDeployment` (awsJson1_1) on Python's
standard library only, written to pass the opsworks-conformance gate.

    python3 server.py [--world FILE] [--listen 127.0.0.1:0] [--region us-east-1] [--log]

It prints `listening on http://HOST:PORT` as its first line of standard output, then serves
until it is killed. The contract it implements is the crate's rule catalogue (RULES.md); the
comments name the rules. Bodies are parsed with `json.loads(body_bytes)`, which ignores a UTF-8
byte order mark (RFC 8259 section 8.1 allows that); everything else Python's `json` would let
through that is not JSON text is refused before or while parsing.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import traceback
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TARGET = "OpsWorks_20130218.CreateDeployment"
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY_BYTES = 1024 * 1024
MAX_DRAIN_BYTES = 16 * 1024 * 1024

STACK_COMMANDS = {"install_dependencies", "update_dependencies", "update_custom_cookbooks",
                  "execute_recipes", "configure", "setup"}
APP_COMMANDS = {"deploy", "rollback", "start", "stop", "restart", "undeploy"}
APP_TYPES = {"aws-flow-ruby", "java", "rails", "php", "nodejs", "static", "other"}
LEVELS = {"deny", "show", "deploy", "manage", "iam_only"}
BOOLEAN_ARG = (["true"], ["false"])


class ApiError(Exception):
    """A rejection, answered as `{"__type": code, "message": message}`."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def validation(message):
    return ApiError(400, "ValidationException", message)


def serialization(message):
    return ApiError(400, "SerializationException", message)


def not_found(message):
    return ApiError(400, "ResourceNotFoundException", message)


def show(value, limit=80):
    """A value for a message: JSON-quoted, ASCII only (a lone surrogate stays an escape), cut."""
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------------------------------------
# JSON: `json.loads`, refusing what RFC 8259 does not call JSON text.

def _no_constant(name):
    raise ValueError(f"{name} is not JSON (RFC 8259)")


def loads_strict(text):
    """`json.loads` that refuses `NaN`, `Infinity` and `-Infinity` and turns every failure
    (syntax, nesting too deep for the recursive parser, integers over Python's 4300 digits) into
    a ValueError. Duplicate member names: the last one wins; `1e400` reads as infinity; a lone
    surrogate escape reads as a lone surrogate (all three are M-JSON-LIMITS cases: accepted)."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply for this parser") from None


def read_body_json(body):
    """P-EMPTY-BODY, P-MALFORMED-JSON: the body as a dict, or SerializationException."""
    if not body:
        return {}  # P-EMPTY-BODY: an empty body is `{}`
    try:
        body.decode("utf-8")  # strict: no invalid bytes, no encoded surrogates, no overlongs
    except UnicodeDecodeError as error:
        raise serialization(f"the body is not UTF-8: {error.reason} at byte {error.start}")
    if b"\x00" in body:
        # Never valid in JSON text; and `json.loads(bytes)` would take NUL bytes near the start
        # as a sign of UTF-16 or UTF-32 and decode the body as such.
        raise serialization("the body holds a NUL byte, which JSON text never does")
    try:
        document = loads_strict(body)  # bytes: a leading UTF-8 BOM is skipped (RFC 8259 8.1)
    except ValueError as error:
        raise serialization(f"the body is not JSON text: {error}")
    if not isinstance(document, dict):
        raise serialization(f"the body is JSON but a {type(document).__name__}, not an object")
    return document


# ---------------------------------------------------------------------------------------------
# The world: what exists, and who may do what.

class World:
    """Stacks (apps with their stored versions, layers, instances) and users, from a world file
    in the crate's INTERFACES format."""

    def __init__(self, document):
        self.stacks = {}  # StackId -> {"apps": {AppId: versions}, "layers": set, "instances": set}
        self.users = {}  # AccessKeyId -> {"secret", "levels": {StackId: level}, "policy": set}
        self.lock = threading.Lock()  # held while a request reads or changes stored versions
        check(isinstance(document, dict), "(top level)", "an object")
        seen = {}  # member name -> the ids of that kind seen so far

        def fresh(value, path):
            kind = seen.setdefault(path.rsplit(".", 1)[-1], set())
            check(isinstance(value, str) and value, path, "a non-empty string")
            check(value not in kind, path, "an id not used before in the world")
            kind.add(value)
            return value

        for i, stack in enumerate(members(document, "Stacks", "(top level)")):
            path = f"Stacks[{i}]"
            check(isinstance(stack, dict), path, "an object")
            stack_id = fresh(stack.get("StackId"), f"{path}.StackId")
            apps, layers, instances = {}, set(), set()
            for j, app in enumerate(members(stack, "Apps", path)):
                at = f"{path}.Apps[{j}]"
                check(isinstance(app, dict), at, "an object")
                app_id = fresh(app.get("AppId"), f"{at}.AppId")
                check(app.get("Type") in APP_TYPES, f"{at}.Type", f"one of {sorted(APP_TYPES)}")
                versions = app.get("Versions", 1)
                check(type(versions) is int and 1 <= versions <= 5, f"{at}.Versions", "1 to 5")
                apps[app_id] = versions
            for j, layer in enumerate(members(stack, "Layers", path)):
                check(isinstance(layer, dict), f"{path}.Layers[{j}]", "an object")
                layers.add(fresh(layer.get("LayerId"), f"{path}.Layers[{j}].LayerId"))
            for j, instance in enumerate(members(stack, "Instances", path)):
                at = f"{path}.Instances[{j}]"
                check(isinstance(instance, dict), at, "an object")
                instances.add(fresh(instance.get("InstanceId"), f"{at}.InstanceId"))
                for k, layer_id in enumerate(members(instance, "LayerIds", at)):
                    check(layer_id in layers, f"{at}.LayerIds[{k}]", "a layer of the same stack")
            self.stacks[stack_id] = {"apps": apps, "layers": layers, "instances": instances}
        for i, user in enumerate(members(document, "Users", "(top level)")):
            path = f"Users[{i}]"
            check(isinstance(user, dict), path, "an object")
            key = user.get("AccessKeyId")
            check(isinstance(key, str) and key and key not in self.users, f"{path}.AccessKeyId",
                  "a non-empty access key id not used before")
            levels = {}
            for j, permission in enumerate(members(user, "Permissions", path)):
                at = f"{path}.Permissions[{j}]"
                check(isinstance(permission, dict) and isinstance(permission.get("StackId"), str),
                      at, "an object with a StackId")
                check(permission.get("Level") in LEVELS, f"{at}.Level", f"one of {sorted(LEVELS)}")
                levels[permission["StackId"]] = permission["Level"]
            policy = members(user, "PolicyAllowsCreateDeployment", path)
            check(all(isinstance(s, str) for s in policy), f"{path}.PolicyAllowsCreateDeployment",
                  "a list of stack ids or \"*\"")
            self.users[key] = {"secret": secret_of(user.get("SecretAccessKey"), path),
                               "levels": levels, "policy": set(policy)}


class WorldError(Exception):
    pass


def check(condition, path, expected):
    if not condition:
        raise WorldError(f"{path}: expected {expected}")


def members(parent, name, path):
    """An optional list member of a world object (absent: empty)."""
    value = parent.get(name, [])
    check(isinstance(value, list), f"{path}.{name}", "a list")
    return value


def secret_of(value, path):
    """A secret: a string, or `{"env": "VARIABLE"}` read from the environment."""
    if isinstance(value, dict) and isinstance(value.get("env"), str):
        secret = os.environ.get(value["env"])
        check(secret is not None, f"{path}.SecretAccessKey", f"${value['env']} to be set")
        return secret
    check(isinstance(value, str), f"{path}.SecretAccessKey", "a string or {\"env\": NAME}")
    return value


# ---------------------------------------------------------------------------------------------
# SigV4 (A-SIGNATURE-REQUIRED, A-KEY-KNOWN, A-SIGNATURE-VALID), with hmac and hashlib.

AMZ_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")


def parse_authorization(value):
    """`AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b,
    Signature=<64 hex>` (components in any order) as a dict, or None."""
    value = value.strip()
    algorithm = "AWS4-HMAC-SHA256"
    rest = value[len(algorithm):]
    if not value.startswith(algorithm) or not rest[:1].isspace():
        return None
    parts = {}
    for component in rest.split(","):
        name, equals, text = component.strip().partition("=")
        if not equals or name not in ("Credential", "SignedHeaders", "Signature") or name in parts:
            return None
        parts[name] = text
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{64}", parts["Signature"]):
        return None
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0]:
        return None
    return {"key": scope[0], "date": scope[1], "region": scope[2], "service": scope[3],
            "signed": parts["SignedHeaders"], "signature": parts["Signature"]}


def claimed_key(value):
    """The access key id after `Credential=`, for the error message of a broken header."""
    found = re.search(r"Credential=([^/,\s]*)", value)
    return found.group(1) if found else ""


def canonical_value(value):
    """A header value as SigV4 signs it: the bytes received as UTF-8 text, spaces at the ends
    removed and runs of spaces made one."""
    text = value.encode("latin-1", "replace").decode("utf-8", "replace")
    return re.sub(" +", " ", text.strip(" "))


def hmac_sha256(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def authenticate(world, region, headers, body):
    """Who sent the request: the verified user's access key id, or ApiError. `headers` are
    (name, value) pairs in the order received."""
    authorizations = [v for n, v in headers if n.lower() == "authorization"]
    if not authorizations:
        raise ApiError(403, "MissingAuthenticationTokenException",
                       "this world has users: requests must be signed (SigV4)")
    claimed = claimed_key(authorizations[0])
    parsed = parse_authorization(authorizations[0]) if len(authorizations) == 1 else None
    user = world.users.get(parsed["key"] if parsed else claimed)
    if user is None:
        raise ApiError(403, "UnrecognizedClientException",
                       f"the access key id {show(claimed)} is not known")
    invalid = ApiError(403, "InvalidSignatureException",
                       f"the signature of {show(claimed)} does not verify")
    if parsed is None or parsed["region"] != region or parsed["service"] != "opsworks":
        raise invalid
    dates = [v.strip(" \t") for n, v in headers if n.lower() == "x-amz-date"]
    match = AMZ_DATE.fullmatch(dates[0]) if len(dates) == 1 else None
    try:
        valid_date = match and datetime(*map(int, match.groups())).year >= 1970
    except ValueError:
        valid_date = False
    if not valid_date or dates[0][:8] != parsed["date"]:
        raise invalid
    names = parsed["signed"].split(";")
    if "" in names or "host" not in names or "x-amz-date" not in names:
        raise invalid
    wanted = {name.lower() for name in names}
    signed = sorted((n.lower(), v) for n, v in headers if n.lower() in wanted)  # stable sort
    signed_names = ";".join(sorted({name for name, _ in signed}))
    if signed_names != parsed["signed"]:  # the list must be exactly the sorted, lowercase names
        raise invalid
    lines, previous = [], None
    for name, value in signed:
        if name == previous:
            lines[-1] += "," + canonical_value(value)  # values of one name, in request order
        else:
            lines.append(f"{name}:{canonical_value(value)}")
        previous = name
    # Only `POST /` is served, so the path is `/` and the query string empty.
    canonical = "\n".join(["POST", "/", "", *lines, "", signed_names,
                           hashlib.sha256(body).hexdigest()])
    scope = f"{parsed['date']}/{region}/opsworks/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", dates[0], scope,
                         hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + user["secret"]).encode("utf-8")
    for part in (parsed["date"], region, "opsworks", "aws4_request"):
        key = hmac_sha256(key, part)
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parsed["signature"]):
        raise invalid
    return parsed["key"]


# ---------------------------------------------------------------------------------------------
# CreateDeployment: the body's rules (protocol and validation), then existence, permission and
# rollback depth, in the order O-PRECEDENCE gives.

def optional(document, name, is_type, type_name):
    """V-TYPE for an optional member; `null` is treated as absent (M-NULL-OPTIONAL)."""
    value = document.get(name)
    if value is not None and not is_type(value):
        raise validation(f"{name} must be {type_name}, found {show(value)}")
    return value


def is_string(value):
    return isinstance(value, str)


def is_strings(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def is_args(value):
    return isinstance(value, dict) and all(is_strings(item) for item in value.values())


def read_request(document):
    """The members of a CreateDeployment request, or ValidationException (V-*). Unknown
    members are ignored (M-UNKNOWN-MEMBERS), as are Args the command does not take
    (M-UNKNOWN-ARGS, M-ARGS-UNUSED)."""
    stack_id = document.get("StackId")
    if stack_id is None:
        raise validation("StackId is required")  # V-STACK-REQUIRED
    if not isinstance(stack_id, str):
        raise validation(f"StackId must be a string, found {show(stack_id)}")  # V-TYPE
    app_id = optional(document, "AppId", is_string, "a string")
    instance_ids = optional(document, "InstanceIds", is_strings, "a list of strings") or []
    layer_ids = optional(document, "LayerIds", is_strings, "a list of strings") or []
    optional(document, "Comment", is_string, "a string")
    custom_json = optional(document, "CustomJson", is_string, "a string")
    command = document.get("Command")
    if command is None:
        raise validation("Command is required")  # V-COMMAND-REQUIRED
    if not isinstance(command, dict):
        raise validation(f"Command must be an object, found {show(command)}")  # V-TYPE
    name = command.get("Name")
    if name is None:
        raise validation("Command.Name is required")  # V-NAME-REQUIRED
    if not isinstance(name, str):
        raise validation(f"Command.Name must be a string, found {show(name)}")  # V-TYPE
    if name not in STACK_COMMANDS | APP_COMMANDS:
        raise validation(f"Command.Name {show(name)} is not a command")  # V-NAME-ENUM
    args = optional(command, "Args", is_args, "an object of lists of strings") or {}
    if name in APP_COMMANDS and app_id is None:
        raise validation(f"{name} needs an AppId")  # V-APP-REQUIRED
    if custom_json is not None:
        try:
            custom = loads_strict(custom_json)
        except ValueError as error:
            raise validation(f"CustomJson is not JSON text: {error}")  # V-CUSTOM-JSON
        if not isinstance(custom, dict):
            raise validation("CustomJson must be a JSON object")  # V-CUSTOM-JSON-OBJECT
    check_args(name, args)
    return {"stack_id": stack_id, "app_id": app_id if name in APP_COMMANDS else None,
            "instance_ids": instance_ids, "layer_ids": layer_ids, "command": name}


def check_args(name, args):
    """V-RECIPES, V-MIGRATE, V-REBOOT."""
    if name == "execute_recipes":
        recipes = args.get("recipes")
        if not recipes or "" in recipes:
            raise validation("execute_recipes needs Args.recipes: a list of non-empty names")
    elif name == "deploy" and "migrate" in args and args["migrate"] not in BOOLEAN_ARG:
        raise validation('Args.migrate must be ["true"] or ["false"]')
    elif name == "update_dependencies":
        reboot, upgrade = args.get("allow_reboot"), args.get("upgrade_os_to")
        if reboot is not None and reboot not in BOOLEAN_ARG:
            raise validation('Args.allow_reboot must be ["true"] or ["false"]')
        if upgrade is not None and (len(upgrade) != 1 or not upgrade[0] or reboot != ["true"]):
            raise validation('Args.upgrade_os_to must be one name, with allow_reboot ["true"]')


def create_deployment(world, request, caller):
    """N-*, A-PERMISSION, V-ROLLBACK-DEPTH, then the deployment. The caller must hold the
    world's lock."""
    stack_id = request["stack_id"]
    stack = world.stacks.get(stack_id)  # ids compare exactly: no trimming, no case folding
    if stack is None:
        raise not_found(f"no stack {show(stack_id)}")  # N-STACK (also for "": M-EMPTY-STRING-IDS)
    app_id = request["app_id"]  # only for app commands (M-APP-ON-STACK-COMMAND: ignored)
    if app_id is not None and app_id not in stack["apps"]:
        raise not_found(f"no app {show(app_id)} in stack {show(stack_id)}")  # N-APP
    for kind, ids in (("instances", request["instance_ids"]), ("layers", request["layer_ids"])):
        for missing in [i for i in ids if i not in stack[kind]]:  # N-INSTANCE, N-LAYER
            raise not_found(f"no {kind[:-1]} {show(missing)} in stack {show(stack_id)}")
    if caller is not None:
        user = world.users[caller]
        level = user["levels"].get(stack_id)
        granted = level in ("deploy", "manage") or (
            level != "deny" and ({stack_id, "*"} & user["policy"]))  # deny wins (M-POLICY-VS-DENY)
        if not granted:
            raise ApiError(403, "AccessDeniedException",  # A-PERMISSION
                           f"{caller} may not deploy on stack {show(stack_id)}")
    if request["command"] == "rollback":
        if stack["apps"][app_id] <= 1:  # V-ROLLBACK-DEPTH
            raise validation(f"app {show(app_id)} has no earlier version to roll back to")
        stack["apps"][app_id] -= 1  # only a successful rollback changes stored versions
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# HTTP.

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as SDKs expect
    timeout = 300  # seconds a connection may stay silent (longer than clients keep idle ones)
    disable_nagle_algorithm = True  # headers and body are two writes: send both at once

    def do_POST(self):
        try:
            body = self.read_body()
            if self.path.split("?", 1)[0] != "/":
                raise ApiError(404, "UnknownOperationException", f"no resource {show(self.path)}")
            headers = list(self.headers.items())
            caller = None
            if self.server.world.users:  # without users, any signature (or none) is accepted
                caller = authenticate(self.server.world, self.server.region, headers, body)
            targets = [v.strip(" \t") for n, v in headers if n.lower() == "x-amz-target"]
            if not targets or any(target != TARGET for target in targets):  # P-UNKNOWN-OPERATION
                raise ApiError(400, "UnknownOperationException",
                               f"this endpoint serves only {TARGET}, found {show(targets)}")
            # The Content-Type is not checked: the catalogue has no rule for a wrong one.
            request = read_request(read_body_json(body))
            with self.server.world.lock:
                deployment_id = create_deployment(self.server.world, request, caller)
            self.answer(200, {"DeploymentId": deployment_id})
        except ApiError as error:
            self.answer(error.status, {"__type": error.code, "message": error.message})
        except Exception:  # a bug of this server: say so rather than drop the connection
            self.log_error("internal error:\n%s", traceback.format_exc())
            self.close_connection = True
            self.answer(500, {"__type": "InternalFailure", "message": "internal error"})

    def __getattr__(self, name):
        """Every other method (`do_GET`, ...): 404, as for another path."""
        if name.startswith("do_"):
            return self.other_method
        raise AttributeError(name)

    def other_method(self):
        try:
            self.read_body()
        except ApiError:
            pass
        self.answer(404, {"__type": "UnknownOperationException",
                          "message": f"expected POST /, found {self.command} {show(self.path)}"})

    def read_body(self):
        """The request body (Content-Length or chunked), at most 1 MiB."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked()
        length = self.headers.get("Content-Length", "0").strip()
        if not length.isdigit() or not length.isascii():
            self.close_connection = True
            raise serialization(f"bad Content-Length {show(length)}")
        length = int(length)
        if length > MAX_BODY_BYTES:
            self.drain(length)
            raise ApiError(413, "SerializationException", "request body over 1 MiB")
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            raise serialization("the request body ended early")
        return body

    def read_chunked(self):
        body = b""
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", line):
                self.close_connection = True
                raise serialization("bad chunked encoding")
            size = int(line, 16)
            if size == 0:
                while self.rfile.readline(8192).strip():  # trailers
                    pass
                return body
            if len(body) + size > MAX_BODY_BYTES:
                self.close_connection = True
                raise ApiError(413, "SerializationException", "request body over 1 MiB")
            body += self.rfile.read(size)
            self.rfile.readline(8)  # the CRLF after the chunk

    def drain(self, length):
        """Reads a refused body so that the client sees the answer; closes past 16 MiB."""
        if length > MAX_DRAIN_BYTES:
            self.close_connection = True
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                break
            length -= len(chunk)

    def answer(self, status, document):
        """An awsJson1_1 answer (P-SUCCESS-SHAPE, P-ERROR-SHAPE, P-ERROR-MESSAGE,
        P-RESPONSE-CONTENT-TYPE)."""
        data = json.dumps(document).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (a bad request line, headers too long) in awsJson form."""
        self.close_connection = True
        self.answer(code, {"__type": "SerializationException",
                           "message": message or explain or "bad request"})

    def log_request(self, code="-", size="-"):
        """One line per request with `--log`; errors (`log_error`) are always written."""
        if self.server.log:
            super().log_request(code, size)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops connections a concurrent client opens

    def handle_error(self, request, client_address):
        """A client that hangs up is not an error of the server; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    crate = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", default=str(crate / "worlds" / "default.json"),
                        help="world file (default: the crate's worlds/default.json)")
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free)")
    parser.add_argument("--region", default="us-east-1", help="region signatures are scoped to")
    parser.add_argument("--log", action="store_true", help="log each request on stderr")
    options = parser.parse_args()
    try:
        with open(options.world, "rb") as file:
            world = World(json.loads(file.read(), parse_constant=_no_constant))
    except (OSError, ValueError, RecursionError, WorldError) as error:
        print(f"cannot read the world {options.world}: {error}", file=sys.stderr)
        return 2
    host, _, port = options.listen.rpartition(":")
    if host.startswith("["):
        host = host[1:-1]
        Server.address_family = socket.AF_INET6
    try:
        server = Server((host, int(port)), Handler)
    except (OSError, ValueError) as error:
        print(f"cannot listen on {options.listen}: {error}", file=sys.stderr)
        return 2
    server.world, server.region, server.log = world, options.region, options.log
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on http://{shown}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
