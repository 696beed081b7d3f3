#!/usr/bin/python3
# contract-test.py: runs a real bijli-central and checks every answer against
# data/openapi.yaml (status declared for the operation, body valid against the
# declared schema, JSON content type), with good and bad input.
#
# Usage: contract-test.py BIJLI_CENTRAL OPENAPI_YAML [DB_PATH]
#        contract-test.py --postgresql BIJLI_CENTRAL OPENAPI_YAML
# The first runs the server on SQLite files (DB_PATH, or one in a temporary
# folder). The second runs it on PostgreSQL: BIJLI_TEST_POSTGRESQL is the
# libpq "key=value" string of a throwaway cluster's maintenance database
# (tests/server/with-postgresql sets it), where the test creates and drops
# its own databases; without it the test is skipped.
# Output: TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import jsonschema
import yaml

API = "/api/v1"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, condition, description, detail=None):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {description}")
        else:
            self.failed += 1
            print(f"not ok {self.count} - {description}")
            if detail:
                for line in str(detail).splitlines():
                    print(f"# {line}")
        sys.stdout.flush()
        return condition

    def diag(self, text):
        for line in str(text).splitlines():
            print(f"# {line}")
        sys.stdout.flush()

    def bail(self, reason):
        print(f"Bail out! {reason}")
        sys.stdout.flush()
        sys.exit(1)

    def finish(self):
        print(f"1..{self.count}")
        sys.stdout.flush()
        return 1 if self.failed else 0


tap = Tap()


# ---- the OpenAPI document ----------------------------------------------------

def resolve_pointer(document, ref):
    if not ref.startswith("#/"):
        raise KeyError(f"only local $refs are supported: {ref}")
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def all_refs(node, found=None):
    if found is None:
        found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.append(value)
            else:
                all_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            all_refs(item, found)
    return found


def to_json_schema(document, schema, depth=0):
    """Inlines $refs and turns OpenAPI 3.0's nullable into JSON Schema types."""
    if depth > 50:
        raise RecursionError("schema nests too deeply (a $ref cycle?)")
    if isinstance(schema, list):
        return [to_json_schema(document, item, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return to_json_schema(document, resolve_pointer(document, schema["$ref"]), depth + 1)

    result = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "discriminator", "xml", "externalDocs",
                   "deprecated", "readOnly", "writeOnly"):
            continue
        if key == "properties":
            result[key] = {name: to_json_schema(document, sub, depth + 1) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            result[key] = to_json_schema(document, value, depth + 1)
        else:
            result[key] = value

    if schema.get("nullable") is True:
        if "type" in result:
            types = result["type"] if isinstance(result["type"], list) else [result["type"]]
            result["type"] = types + ["null"]
        if "enum" in result:
            result["enum"] = list(result["enum"]) + [None]
        if "pattern" in result or "format" in result:
            # pattern/format apply to strings only, so null still passes them.
            pass
    return result


def check_spec(spec):
    tap.ok(str(spec.get("openapi", "")).startswith("3.0"), "openapi version is 3.0.x",
           spec.get("openapi"))

    unresolved = []
    for ref in all_refs(spec):
        try:
            resolve_pointer(spec, ref)
        except (KeyError, TypeError) as error:
            unresolved.append(f"{ref}: {error}")
    tap.ok(not unresolved, "every $ref in the document resolves", "\n".join(unresolved))

    schemas = spec.get("components", {}).get("schemas", {})
    wanted = ["Consumer", "Session", "SignInRequest", "ChangesPage", "ConsumerList", "Error", "Health"]
    missing = [name for name in wanted if name not in schemas]
    tap.ok(not missing, "components/schemas has every wire shape", f"missing: {missing}")

    loose = []
    for name, schema in schemas.items():
        def walk(node, where):
            if isinstance(node, dict):
                if node.get("type") == "object" and node.get("additionalProperties") is not False:
                    loose.append(where)
                for key, value in node.items():
                    walk(value, f"{where}/{key}")
            elif isinstance(node, list):
                for index, item in enumerate(node):
                    walk(item, f"{where}/{index}")
        walk(schema, name)
    tap.ok(not loose, "every object schema sets additionalProperties: false", "\n".join(loose))

    problems = []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.get("responses") or {}
            if not responses:
                problems.append(f"{method.upper()} {path}: no responses")
            for status, response in responses.items():
                if "$ref" in response:
                    response = resolve_pointer(spec, response["$ref"])
                content = (response.get("content", {}).get("application/json")
                           or response.get("content", {}).get("text/csv")
                           or response.get("content", {}).get("application/vnd.sqlite3"))
                if content is None or "schema" not in content:
                    problems.append(f"{method.upper()} {path} {status}: no application/json schema")
            if "405" not in responses:
                problems.append(f"{method.upper()} {path}: 405 not declared")
    tap.ok(not problems, "every operation documents its responses with schemas", "\n".join(problems))

    for schema_name in schemas:
        try:
            jsonschema.Draft7Validator.check_schema(to_json_schema(spec, schemas[schema_name]))
            good = True
            detail = None
        except jsonschema.SchemaError as error:
            good = False
            detail = error.message
        tap.ok(good, f"schema {schema_name} translates to valid JSON Schema", detail)

    security = spec.get("components", {}).get("securitySchemes", {}).get("bearer", {})
    tap.ok(security.get("type") == "http" and security.get("scheme") == "bearer",
           "bearer security scheme is declared")


class Contract:
    def __init__(self, spec):
        self.spec = spec
        self.patterns = []
        for path in spec["paths"]:
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"
            self.patterns.append((re.compile(regex), path))
        error_schema = to_json_schema(spec, spec["components"]["schemas"]["Error"])
        self.error_validator = jsonschema.Draft7Validator(error_schema)

    def operation(self, method, path):
        if not path.startswith(API + "/"):
            return None, None
        tail = path[len(API):]
        for regex, template in self.patterns:
            if regex.match(tail):
                return template, self.spec["paths"][template].get(method.lower())
        return None, None

    def content_types(self, operation, status):
        response = operation["responses"].get(str(status))
        if response is None:
            return set()
        if "$ref" in response:
            response = resolve_pointer(self.spec, response["$ref"])
        return set(response.get("content", {}))

    def validator_for(self, operation, status):
        response = operation["responses"].get(str(status))
        if response is None:
            return None
        if "$ref" in response:
            response = resolve_pointer(self.spec, response["$ref"])
        if "application/json" not in response.get("content", {}):
            return None
        schema = response["content"]["application/json"]["schema"]
        return jsonschema.Draft7Validator(to_json_schema(self.spec, schema))


# ---- the database -----------------------------------------------------------

class SqliteDatabase:
    """The server's database as an SQLite file, read here with sqlite3."""

    def __init__(self, path):
        self.path = path

    def args(self):
        return ["--db", self.path]

    def env(self, env=None):
        """The server's environment (None: this process's)."""
        return env

    def remove(self):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.unlink(self.path + suffix)

    def reset(self):
        """Makes the next server start on a new, empty database."""
        self.remove()

    def written(self):
        return os.path.exists(self.path)

    def snapshot_root(self):
        """Where the server keeps its zone snapshots, a folder per database instance."""
        return self.path + ".snapshots"

    def row(self, sql, *params):
        """The first row of a one-column query with a ? for each of params, as a tuple (None if no row)."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            return connection.execute(sql, params).fetchone()
        finally:
            connection.close()

    def scan(self, secret):
        """table.column of every text or blob cell that holds secret."""
        found = set()
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                cursor = connection.execute(f'SELECT * FROM "{table}"')
                names = [d[0] for d in cursor.description]
                for row in cursor:
                    for name, value in zip(names, row):
                        if isinstance(value, str) and secret in value:
                            found.add(f"{table}.{name}")
                        elif isinstance(value, bytes) and secret.encode() in value:
                            found.add(f"{table}.{name}")
        finally:
            connection.close()
        return found


PSQL_NULL = "\u2400"   # what psql prints for NULL (a value the server never stores)


def psql(conninfo, sql, columns=1, **params):
    """Rows of sql's answer as tuples of strings (None for NULL). Fields and
    rows are separated by zero bytes, which no text value holds, and params
    are psql variables (:'name' in sql), quoted by psql."""
    command = ["psql", "-X", "-q", "-A", "-t", "-z", "-0", "-v", "ON_ERROR_STOP=1",
               "-P", f"null={PSQL_NULL}", "-d", conninfo, "-f", "-"]
    for name, value in params.items():
        command[1:1] = ["-v", f"{name}={value}"]
    done = subprocess.run(command, input=sql, capture_output=True, text=True, encoding="utf-8", timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}): {sql[:200]}: {done.stderr.strip()}")
    if done.stdout == "":
        return []
    fields = done.stdout.split("\0")
    if fields[-1] == "":
        fields.pop()   # after the last row
    if len(fields) % columns != 0:
        raise RuntimeError(f"psql gave {len(fields)} fields, not rows of {columns}: {sql[:200]}")
    fields = [None if field == PSQL_NULL else field for field in fields]
    return [tuple(fields[i:i + columns]) for i in range(0, len(fields), columns)]


class PostgresqlDatabase:
    """The server's database on PostgreSQL: a database of its own in the
    cluster that base (libpq key=value, the maintenance database) names,
    read here with psql. Its zone snapshots go to $XDG_CACHE_HOME, a
    folder of its own too."""

    def __init__(self, base, name, cache_home):
        self.base = base
        self.name = name
        # libpq takes the last of a repeated keyword: this names the new database.
        self.conninfo = f"{base} dbname={name}"
        self.cache_home = cache_home

    def args(self):
        return ["--database", f"postgresql:{self.conninfo}"]

    def env(self, env=None):
        return dict(env if env is not None else os.environ, XDG_CACHE_HOME=self.cache_home)

    def remove(self):
        psql(self.base, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.cache_home, ignore_errors=True)

    def reset(self):
        self.remove()
        psql(self.base, f'CREATE DATABASE "{self.name}"')
        os.makedirs(self.cache_home)

    def written(self):
        try:
            return int(psql(self.conninfo, "SELECT count(*) FROM consumers")[0][0]) > 0
        except RuntimeError:
            return False

    def snapshot_root(self):
        return os.path.join(self.cache_home, "bijli-central", "snapshots")

    def row(self, sql, *params):
        """As SqliteDatabase.row(); each ? becomes a psql variable."""
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError(f"{len(params)} parameters for {sql}")
        text = parts[0] + "".join(f":'p{index}'" + part for index, part in enumerate(parts[1:]))
        rows = psql(self.conninfo, text, 1, **{f"p{index}": value for index, value in enumerate(params)})
        return rows[0] if rows else None

    def scan(self, secret):
        """table.column of every text, JSON or bytea cell that holds secret."""
        found = set()
        tables = {}
        for table, column, data_type in psql(self.conninfo, """
                SELECT c.table_name, c.column_name, c.data_type
                  FROM information_schema.columns c
                  JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name
                 WHERE t.schemaname = current_schema ()
                   AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
                 ORDER BY c.table_name, c.ordinal_position""", 3):
            tables.setdefault(table, []).append((column, data_type))
        if not tables:
            raise RuntimeError(f"no text columns in {self.name}")
        for table, columns in tables.items():
            select = ", ".join(f"encode(\"{column}\", 'hex')" if data_type == "bytea" else f'"{column}"::text'
                               for column, data_type in columns)
            for row in psql(self.conninfo, f'SELECT {select} FROM "{table}"', len(columns)):
                for (column, data_type), value in zip(columns, row):
                    if value is None:
                        continue
                    if data_type == "bytea":
                        if secret.encode() in bytes.fromhex(value):
                            found.add(f"{table}.{column}")
                    elif secret in value:
                        found.add(f"{table}.{column}")
        return found


# ---- the server -------------------------------------------------------------

class Server:
    def __init__(self, exe, db, extra=("--demo", "--consumers", "500"), stderr=None):
        self.lines = queue.Queue()
        env = None
        if stderr is not None:
            # The request log is on: codes and passwords must still not appear in it.
            env = dict(os.environ, G_MESSAGES_DEBUG="all")
        self.process = subprocess.Popen(
            [exe, *extra, "--port", "0", *db.args()],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=stderr, env=db.env(env),
            text=True, encoding="utf-8")
        threading.Thread(target=self._read, daemon=True).start()

    def children(self):
        """PIDs of the server's worker processes (Linux /proc)."""
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                return [int(pid) for pid in f.read().split()]
        except OSError:
            return []

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


class Client:
    def __init__(self, port, contract):
        self.port = port
        self.contract = contract
        self.seen_statuses = set()

    def request(self, method, target, body=None, token=None, headers=None, check=True,
                description=None):
        """Sends one request; checks the answer against the contract; returns (status, json, headers)."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode("utf-8")

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, target, body=body, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            status = response.status
            response_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()

        path = urllib.parse.urlsplit(target).path
        self.seen_statuses.add(status)
        label = description or f"{method} {path[:60]}"
        problems = []
        document = None

        content_type = response_headers.get("content-type", "")
        template, operation = self.contract.operation(method, path)
        declared = self.contract.content_types(operation, status) if operation else set()
        if content_type.startswith("text/csv") and "text/csv" in declared:
            # A CSV answer: the text itself is the document, checked by the caller.
            self.text = raw.decode("utf-8", errors="replace")
            if check:
                tap.ok(raw.startswith(b"number,"), f"{label} → {status} is the declared CSV",
                       raw[:200])
            return status, None, response_headers
        if content_type == "application/vnd.sqlite3" and "application/vnd.sqlite3" in declared:
            # A zone snapshot: an SQLite file, read by the caller.
            self.raw = raw
            if check:
                tap.ok(raw.startswith(b"SQLite format 3\x00"), f"{label} → {status} is the declared SQLite file",
                       raw[:32])
            return status, None, response_headers
        if content_type != JSON_CONTENT_TYPE:
            problems.append(f"Content-Type is {content_type!r}")
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"body is not JSON: {error}: {raw[:200]!r}")

        validator = None
        if operation is not None:
            validator = self.contract.validator_for(operation, status)
            if validator is None:
                problems.append(f"status {status} is not declared for {method} {template}")
        elif status == 404 and template is None:
            validator = self.contract.error_validator
        elif status == 405 and template is not None:
            validator = self.contract.error_validator
        else:
            problems.append(f"status {status} for an undocumented {method} {path}")

        if status >= 400 and document is not None:
            for error in self.contract.error_validator.iter_errors(document):
                problems.append(f"error body: {error.message}")
        if validator is not None and document is not None:
            for error in validator.iter_errors(document):
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"schema: {where}: {error.message}")

        if check:
            tap.ok(not problems, f"{label} → {status} matches the contract", "\n".join(problems[:10]))
        return status, document, response_headers


def expect(condition, description, detail=None):
    return tap.ok(condition, description, detail)


def error_code(document):
    try:
        return document["error"]["code"]
    except (TypeError, KeyError):
        return None


# ---- scenarios --------------------------------------------------------------

def test_health(client):
    status, body, _ = client.request("GET", f"{API}/health")
    expect(status == 200 and body.get("status") == "ok" and body.get("version") == "0.1.0",
           "health answers ok with the version", body)
    expect(isinstance(body.get("snapshot_schema"), int) and body["snapshot_schema"] >= 1,
           "health says which desk store schema its zone snapshots have", body)
    status, body, headers = client.request("POST", f"{API}/health", body={})
    expect(status == 405 and error_code(body) == "method_not_allowed" and headers.get("allow") == "GET",
           "POST /health is 405 with Allow: GET", (status, body, headers.get("allow")))


def sign_in(client, username, password, description=None):
    return client.request("POST", f"{API}/session", body={"username": username, "password": password},
                          description=description or f"sign in as {username}")


def test_session(client):
    tokens = {}
    expected = {
        "operator": ("bijli-operator", "operator", "LKO-C", "Lucknow Central"),
        "agent": ("bijli-agent", "agent", "LKO-C", "Lucknow Central"),
        "supervisor": ("bijli-supervisor", "supervisor", "LKO-C", "Lucknow Central"),
        "operator.east": ("bijli-operator", "operator", "LKO-E", "Lucknow East"),
        "admin": ("bijli-admin", "admin", "LKO-C", "Lucknow Central"),
    }
    for username, (password, role, zone, zone_name) in expected.items():
        start = time.monotonic()
        status, body, _ = sign_in(client, username, password)
        elapsed_ms = (time.monotonic() - start) * 1000
        tap.diag(f"sign-in as {username}: {elapsed_ms:.1f} ms")
        good = (status == 200 and body["username"] == username and body["role"] == role
                and body["zone"] == zone and body["zone_name"] == zone_name and len(body["token"]) >= 32)
        expect(good, f"{username} signs in with role {role} in {zone}", body)
        if good:
            tokens[username] = body["token"]
            expires = time.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
            expect(time.mktime(expires) - time.mktime(time.gmtime()) > 3600,
                   f"{username}'s session lasts more than an hour", body["expires_at"])

    status, body, _ = sign_in(client, "operator", "bijli-agent", "wrong password")
    expect(status == 401 and error_code(body) == "invalid_credentials", "wrong password is 401 invalid_credentials", body)
    status, body, _ = sign_in(client, "nobody", "bijli-operator", "unknown user")
    expect(status == 401 and error_code(body) == "invalid_credentials", "unknown user is 401 invalid_credentials", body)
    status, body, _ = sign_in(client, "' OR 1=1 --", "' OR '1'='1", "SQL injection in sign-in")
    expect(status == 401, "SQL in the user name does not sign in", body)

    bad_bodies = [
        ("{", "truncated JSON"),
        ("", "empty body"),
        ("[]", "JSON array"),
        ("null", "JSON null"),
        ('{"username":"operator"}', "missing password"),
        ('{"username":1,"password":"bijli-operator"}', "number as user name"),
        ("\xff\xfe", "not UTF-8"),
    ]
    for raw, what in bad_bodies:
        payload = raw.encode("latin-1") if what == "not UTF-8" else raw
        status, body, _ = client.request("POST", f"{API}/session", body=payload,
                                         headers={"Content-Type": "application/json"},
                                         description=f"sign-in with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"sign-in with {what} is 400", body)

    status, body, _ = client.request("GET", f"{API}/session")
    expect(status == 401 and error_code(body) == "unauthorized", "GET /session without a token is 401", body)
    status, body, _ = client.request("PUT", f"{API}/session")
    expect(status == 405, "PUT /session is 405", body)

    huge = json.dumps({"username": "operator", "password": "x" * (200 * 1024)})
    status, body, _ = client.request("POST", f"{API}/session", body=huge, description="200 KB sign-in body")
    expect(status == 413 and error_code(body) == "payload_too_large", "a 200 KB body is refused with 413", body)

    return tokens


def test_auth(client, token):
    for path in ("/consumers?q=ram", "/consumers/2100000000", "/changes"):
        status, body, headers = client.request("GET", API + path, description=f"{path} without token")
        expect(status == 401 and error_code(body) == "unauthorized" and "bearer" in headers.get("www-authenticate", "").lower(),
               f"{path} without a token is 401 unauthorized", body)
        status, body, _ = client.request("GET", API + path, token="not-a-real-token",
                                         description=f"{path} with a bad token")
        expect(status == 401 and error_code(body) == "unauthorized", f"{path} with a bad token is 401", body)
    status, body, _ = client.request("GET", f"{API}/changes", headers={"Authorization": f"Basic {token}"},
                                     description="changes with Basic auth")
    expect(status == 401, "a Basic authorization header is refused", body)
    status, body, _ = client.request("GET", f"{API}/changes", headers={"Authorization": "Bearer "},
                                     description="changes with an empty bearer token")
    expect(status == 401, "an empty bearer token is refused", body)


def read_feed(client, token, zone, limit):
    consumers = []
    seqs = []
    cursor = None
    previous_remaining = None
    first_page = None
    pages = 0
    while True:
        query = {"limit": str(limit)}
        if cursor is not None:
            query["since"] = cursor
        status, body, _ = client.request("GET", f"{API}/changes?" + urllib.parse.urlencode(query), token=token,
                                         check=pages < 2, description=f"changes page {pages + 1} of {zone}")
        if status != 200:
            expect(False, f"changes page of {zone} answered", body)
            return None, None
        pages += 1
        if first_page is None:
            first_page = body
        for change in body["changes"]:
            seqs.append(change["seq"])
            consumers.append(change["consumer"])
        if len(body["changes"]) > limit or (previous_remaining is not None and body["remaining"] >= previous_remaining):
            expect(False, f"{zone} feed pages shrink the remainder", body["remaining"])
            return None, None
        if body["has_more"] != (body["remaining"] > 0):
            expect(False, f"{zone} has_more agrees with remaining", body)
            return None, None
        previous_remaining = body["remaining"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
        if pages > 1000:
            expect(False, f"{zone} feed ends", pages)
            return None, None
    # Nothing changed during the pull, so the first page's count is exact.
    expect(first_page["remaining"] + len(first_page["changes"]) == len(consumers),
           f"{zone}: the first page's remaining counts the rest of the feed exactly",
           (first_page["remaining"], len(first_page["changes"]), len(consumers)))
    return consumers, seqs


def test_changes(client, tokens):
    central, central_seqs = read_feed(client, tokens["operator"], "LKO-C", 70)
    east, east_seqs = read_feed(client, tokens["operator.east"], "LKO-E", 13)
    if central is None or east is None:
        return None, None
    accounts_c = [c["account"] for c in central]
    accounts_e = [c["account"] for c in east]
    expect(all(c["zone"] == "LKO-C" for c in central), "the LKO-C feed holds only LKO-C consumers")
    expect(all(c["zone"] == "LKO-E" for c in east), "the LKO-E feed holds only LKO-E consumers")
    expect(len(set(accounts_c)) == len(accounts_c) and len(set(accounts_e)) == len(accounts_e),
           "no consumer appears twice in a feed")
    expect(central_seqs == sorted(set(central_seqs)), "feed sequences increase")
    expect(len(central) + len(east) == 500, "both zones' feeds together hold all 500 demo consumers",
           f"{len(central)} + {len(east)}")
    expect(20 <= len(east) <= 90, "about 10 % of demo consumers are in LKO-E", len(east))
    expect(any(c["mobile"] is None for c in central) and any(not c["mobile_verified"] for c in central if c["mobile"]),
           "some demo consumers have no mobile or an unverified one")
    expect(any(c["balance_paise"] < 0 for c in central), "some demo balances are negative")
    expect(any(re.search("[\u0900-\u097f]", c["name_hi"]) for c in central), "demo names include Hindi")

    status, body, _ = client.request("GET", f"{API}/changes", token=tokens["agent"], description="changes with default limit")
    expect(status == 200 and len(body["changes"]) == min(500, len(central)), "default page size is 500 (or all)", len(body.get("changes", [])))

    for limit in ("0", "1001", "-1", "abc", "1.5", "", "1e3", " 5", "99999999999999999999999"):
        status, body, _ = client.request("GET", f"{API}/changes?limit={urllib.parse.quote(limit)}", token=tokens["operator"],
                                         description=f"changes with limit {limit!r}")
        expect(status == 400 and error_code(body) == "invalid_request", f"limit {limit!r} is 400", body)
    for cursor in ("-1", "abc", "1e3", " 1", "", "0x10", "1.0", "99999999999999999999999"):
        status, body, _ = client.request("GET", f"{API}/changes?since={urllib.parse.quote(cursor)}", token=tokens["operator"],
                                         description=f"changes since {cursor!r}")
        expect(status == 400 and error_code(body) == "invalid_request", f"cursor {cursor!r} is 400", body)

    status, body, _ = client.request("GET", f"{API}/changes?since=999999999&limit=5", token=tokens["operator"],
                                     description="changes after the end")
    expect(status == 200 and body["changes"] == [] and body["has_more"] is False and body["remaining"] == 0,
           "a cursor past the end gives an empty last page", body)

    status, body, headers = client.request("DELETE", f"{API}/changes", token=tokens["operator"])
    expect(status == 405 and headers.get("allow") == "GET", "DELETE /changes is 405 with Allow: GET", body)
    return central, east


def snapshot_schema(client):
    status, body, _ = client.request("GET", f"{API}/health", check=False)
    return body["snapshot_schema"]


def fetch_snapshot(client, token, schema, description):
    """Asks until the zone's snapshot is built; returns (status, headers, file bytes) of the 200."""
    deadline = time.monotonic() + 60
    while True:
        status, body, headers = client.request("GET", f"{API}/snapshot?schema={schema}", token=token,
                                               description=description)
        if status != 503 or time.monotonic() > deadline:
            return status, headers, getattr(client, "raw", None) if status == 200 else body
        time.sleep(0.2)


def test_snapshot(client, tokens, central, east, tmp):
    """GET /snapshot: the zone's desk store as one SQLite file."""
    schema = snapshot_schema(client)
    status, body, _ = client.request("GET", f"{API}/snapshot", token=tokens["operator"],
                                     description="snapshot without a schema")
    expect(status == 400 and error_code(body) == "invalid_request", "a snapshot without a schema is 400", body)
    status, body, _ = client.request("GET", f"{API}/snapshot?schema={schema + 1}", token=tokens["operator"],
                                     description="snapshot of another schema")
    expect(status == 404 and error_code(body) == "snapshot_unavailable",
           "a snapshot for another store schema is 404 snapshot_unavailable", body)
    status, body, _ = client.request("GET", f"{API}/snapshot?schema={schema}", description="snapshot unsigned")
    expect(status == 401, "a snapshot needs a session", body)

    status, body, headers = client.request("GET", f"{API}/snapshot?schema={schema}", token=tokens["operator"],
                                           description="the first snapshot request")
    expect(status == 503 and error_code(body) == "snapshot_building" and body["error"].get("retry_after", 0) > 0
           and headers.get("retry-after") == str(body["error"]["retry_after"]),
           "the first request starts the build: 503 snapshot_building with Retry-After", (status, body))

    for zone, token, records in (("LKO-C", tokens["agent"], central), ("LKO-E", tokens["operator.east"], east)):
        status, headers, raw = fetch_snapshot(client, token, schema, f"snapshot of {zone}")
        if not expect(status == 200 and raw, f"the {zone} snapshot is served once built", (status, raw)):
            continue
        path = os.path.join(tmp, f"{zone}.snapshot")
        with open(path, "wb") as f:
            f.write(raw)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            accounts = {row[0]: row[1] for row in db.execute("SELECT account, name_en FROM consumers")}
            zones = {row[0] for row in db.execute("SELECT DISTINCT zone FROM consumers")}
            state = dict(db.execute("SELECT key, value FROM sync_state"))
            version = db.execute("PRAGMA user_version").fetchone()[0]
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            local = db.execute("SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM complaints)").fetchone()[0]
        finally:
            db.close()
        expect(check == "ok" and version == schema, f"the {zone} snapshot is a sound store of schema {schema}",
               (check, version))
        expect(zones == {zone} and accounts == {c["account"]: c["name_en"] for c in records},
               f"the {zone} snapshot holds exactly the zone's consumers", (zones, len(accounts), len(records)))
        expect(headers.get("x-bijli-snapshot-consumers") == str(len(records)) == str(state.get("consumer_count")),
               f"the {zone} snapshot's count header matches", (headers.get("x-bijli-snapshot-consumers"), state))
        expect(headers.get("x-bijli-snapshot-cursor") == str(state.get("cursor")) and "bulk_sync" not in state,
               f"the {zone} snapshot's cursor header is its stored cursor, and it is complete",
               (headers.get("x-bijli-snapshot-cursor"), state))
        expect(local == 0, f"the {zone} snapshot holds no desk's own records", local)

    status, body, headers = client.request("POST", f"{API}/snapshot?schema={schema}", token=tokens["operator"],
                                           body={})
    expect(status == 405 and headers.get("allow") == "GET", "POST /snapshot is 405 with Allow: GET", body)


def search(client, token, q, description=None, limit=None):
    query = {"q": q}
    if limit is not None:
        query["limit"] = limit
    return client.request("GET", f"{API}/consumers?" + urllib.parse.urlencode(query), token=token,
                          description=description or f"search {q[:20]!r}")


def test_search(client, tokens, central, east):
    token = tokens["operator"]
    target = next(c for c in central if c["mobile"])

    status, body, _ = search(client, token, target["account"], "search by account")
    expect(status == 200 and [c["account"] for c in body["consumers"]] == [target["account"]],
           "an account finds exactly that consumer", body)
    expect(status == 200 and body["consumers"][0] == target, "search and feed give the same record")

    status, body, _ = search(client, token, "+91 " + target["mobile"], "search by mobile")
    expect(status == 200 and target["account"] in [c["account"] for c in body["consumers"]],
           "a mobile with +91 finds its consumer", body)

    status, body, _ = search(client, token, target["meter_serial"].lower(), "search by meter serial")
    expect(status == 200 and [c["account"] for c in body["consumers"]] == [target["account"]],
           "a meter serial (any case) finds its consumer", body)

    def literal(consumer, prefix):
        words = re.split(r"[^\w\u0900-\u097f]+", (consumer["name_en"] + " " + consumer["name_hi"]).lower())
        return any(w.startswith(prefix) for w in words)

    def literal_first(found, prefix):
        """Literal matches (exact or prefix tiers) come before spelling variants."""
        flags = [literal(c, prefix) for c in found]
        return bool(flags) and flags[0] and flags == sorted(flags, reverse=True)

    first_word = target["name_en"].split()[0].rstrip(".")
    prefix = first_word[:3].lower()
    status, body, _ = search(client, token, prefix, "search by name prefix")
    expect(status == 200 and literal_first(body["consumers"], prefix),
           f"a name prefix {prefix!r} finds names with a word starting so, first", body)

    status, body, _ = search(client, token, "श्री", "search in Hindi")
    expect(status == 200 and literal_first(body["consumers"], "श्री"),
           "a Hindi prefix finds Hindi names first", len(body.get("consumers", [])))

    # Ranking: a whole word before a word that only starts so.
    exact_word = first_word.lower()
    status, body, _ = search(client, token, exact_word, "search by a whole name word", limit="1000")
    words_of = lambda c: re.split(r"[^\w]+", c["name_en"].lower())
    flags = [exact_word in words_of(c) for c in body.get("consumers", [])]
    expect(status == 200 and flags and flags[0] and flags == sorted(flags, reverse=True),
           f"{exact_word!r}: whole-word matches rank before prefix matches", flags[:50])

    # Spelling variants: Shrivastava finds Srivastava, a missing matra still finds the name.
    srivastavas = [c for c in central if re.search(r"\bSrivastava\b", c["name_en"])]
    status, body, _ = search(client, token, "Shrivastava", "search a transliteration variant", limit="1000")
    found = {c["account"] for c in body.get("consumers", [])}
    expect(status == 200 and srivastavas and all(c["account"] in found for c in srivastavas),
           "Shrivastava finds the Srivastavas", (len(srivastavas), len(found)))
    status, body, _ = search(client, token, "श्रिवास्तव", "search without the long ii", limit="1000")
    found = {c["account"] for c in body.get("consumers", [])}
    expect(status == 200 and srivastavas and all(c["account"] in found for c in srivastavas),
           "श्रिवास्तव (short i) finds श्रीवास्तव", (len(srivastavas), len(found)))

    status, body, _ = search(client, token, "a", "search with limit 3", limit="3")
    expect(status == 200 and len(body["consumers"]) <= 3, "limit caps the results", body)

    other = east[0]
    status, body, _ = search(client, token, other["account"], "search another zone's account")
    expect(status == 200 and body["consumers"] == [], "another zone's account is not found by search", body)
    status, body, _ = search(client, token, other["meter_serial"], "search another zone's meter")
    expect(status == 200 and body["consumers"] == [], "another zone's meter is not found by search", body)

    odd = ["%", "_", "%%", "' OR 1=1 --", "\" OR \"\"=\"", "😀", "🙏🏽🙏🏽", "\\", "*", "NULL",
           "", "   ", "\u200d\u200c", "a\u0000b", "ﷺ", "%_%_%"]
    for q in odd:
        status, body, _ = search(client, token, q, f"odd search {q!r}")
        expect(status == 200 and (body["consumers"] == [] or q in ("a\u0000b",)),
               f"odd search {q!r} answers 200 and matches nothing literal", body)

    status, body, _ = search(client, token, "x" * 10240, "10 KB search")
    expect(status == 400 and error_code(body) == "invalid_request", "a 10 KB search is 400", body)

    status, body, _ = client.request("GET", f"{API}/consumers?q=%FF%FE", token=token, description="search with invalid UTF-8")
    expect(status == 400, "a search that is not UTF-8 is 400", body)
    status, body, _ = client.request("GET", f"{API}/consumers", token=token, description="search without q")
    expect(status == 400 and error_code(body) == "invalid_request", "a search without q is 400", body)
    for limit in ("0", "1001", "x", "-5"):
        status, body, _ = search(client, token, "ram", f"search with limit {limit!r}", limit=limit)
        expect(status == 400, f"search limit {limit!r} is 400", body)
    status, body, _ = client.request("POST", f"{API}/consumers?q=ram", token=token, body={})
    expect(status == 405, "POST /consumers is 405", body)


def test_consumer(client, tokens, central, east):
    token = tokens["operator"]
    target = central[len(central) // 2]

    status, body, _ = client.request("GET", f"{API}/consumers/{target['account']}", token=token,
                                     description="get a consumer")
    expect(status == 200 and body == target, "GET /consumers/{account} gives the feed's record", body)

    status, body, _ = client.request("GET", f"{API}/consumers/{east[0]['account']}", token=token,
                                     description="get another zone's consumer")
    expect(status == 404 and error_code(body) == "not_found", "another zone's consumer is 404", body)

    status, body, _ = client.request("GET", f"{API}/consumers/{east[0]['account']}", token=tokens["operator.east"],
                                     description="get an LKO-E consumer as LKO-E")
    expect(status == 200 and body == east[0], "the LKO-E operator sees the LKO-E consumer", body)

    status, body, _ = client.request("GET", f"{API}/consumers/1999999999", token=token, description="get an unknown account")
    expect(status == 404 and error_code(body) == "not_found", "an unknown account is 404", body)

    for bad in ("abc", "12345", "%27%20OR%201%3D1", "%F0%9F%98%80", "1234567890123"):
        status, body, _ = client.request("GET", f"{API}/consumers/{bad}", token=token,
                                         description=f"get malformed account {bad!r}")
        expect(status == 400 and error_code(body) == "invalid_request", f"malformed account {bad!r} is 400", body)

    status, body, _ = client.request("PUT", f"{API}/consumers/{target['account']}", token=token, body=target)
    expect(status == 405, "PUT /consumers/{account} is 405", body)


def test_unknown(client, token):
    for path in (f"{API}/nope", f"{API}/consumers/2100000000/extra", f"{API}/", f"{API}",
                 "/api/v2/consumers", "/", "/api/v1/session/", "/api/v1/consumers/%2e%2e"):
        # ("/../" after decoding is refused by libsoup itself with a bare 400,
        # before any handler runs, so it is not part of this contract.)
        status, body, _ = client.request("GET", path, token=token, description=f"unknown path {path}")
        expect(status == 404 and error_code(body) == "not_found", f"{path} is a JSON 404", body)


def test_generate_and_workers(exe, contract, db, log_path):
    """--generate writes a database and exits; --workers 2 serves it from two processes."""
    run = subprocess.run([exe, "--generate", "--consumers", "300", "--seed", "5", *db.args()],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, env=db.env())
    expect(run.returncode == 0 and run.stdout == "" and db.written(),
           "--generate writes the database and exits 0 without serving", (run.returncode, run.stdout, run.stderr))
    run = subprocess.run([exe, "--generate", "--consumers", "300", *db.args()],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, env=db.env())
    expect(run.returncode == 1, "--generate refuses a database that already holds consumers",
           (run.returncode, run.stderr))
    run = subprocess.run([exe, "--generate", "--consumers", "10"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    expect(run.returncode == 2, "--generate without --db is a usage error", run.returncode)
    for workers in ("0", "65", "x"):
        run = subprocess.run([exe, "--workers", workers, *db.args()], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=60, env=db.env())
        expect(run.returncode == 2, f"--workers {workers} is a usage error", run.returncode)

    log = open(log_path, "w")
    server = Server(exe, db, extra=("--demo", "--workers", "2"), stderr=log)
    line = server.next_line(timeout=60)
    match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line or "")
    if not expect(match is not None, "two workers print 'Listening on http://127.0.0.1:PORT'", repr(line)):
        server.stop()
        return
    workers = server.children()
    expect(len(workers) == 2, "--workers 2 runs two worker processes", workers)

    client = Client(int(match.group(1)), contract)
    status, body, _ = sign_in(client, "operator", "bijli-operator", "sign in through the workers")
    if expect(status == 200, "a generated database has the demo users", body):
        token = body["token"]
        central, _ = read_feed(client, token, "LKO-C", 100)
        status, east_body, _ = sign_in(client, "operator.east", "bijli-operator", "sign in east through the workers")
        east, _ = read_feed(client, east_body["token"], "LKO-E", 100)
        expect(central is not None and east is not None and len(central) + len(east) == 300,
               "--generate --consumers 300 wrote 300 consumers", None if central is None else len(central))
        # Every request on a new connection: the kernel spreads them over
        # both workers, which must agree (one database, sessions in it).
        answers = set()
        for consumer in (central or [])[:40]:
            status, body, _ = client.request("GET", f"{API}/consumers/{consumer['account']}", token=token,
                                             check=False)
            answers.add(status == 200 and body == consumer)
        expect(answers == {True}, "every worker answers lookups the same", answers)

        # Snapshots: each request may land on either worker; one process
        # builds the zone (the build lock), and every worker serves the file.
        schema = snapshot_schema(client)
        # First many at once, on as many connections, so that both workers
        # are asked while the build runs.
        def ask(_):
            return client.request("GET", f"{API}/snapshot?schema={schema}", token=token, check=False)[0]
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            first = list(pool.map(ask, range(32)))
        expect(set(first) <= {200, 503} and 503 in first, "concurrent first requests: 503 while it is built",
               first)
        served = []
        deadline = time.monotonic() + 60
        while len(served) < 6 and time.monotonic() < deadline:
            status, body, headers = client.request("GET", f"{API}/snapshot?schema={schema}", token=token,
                                                   check=False)
            if status == 200:
                served.append((headers.get("x-bijli-snapshot-cursor"), len(client.raw)))
            else:
                expect(status == 503 and error_code(body) == "snapshot_building",
                       "a worker without the snapshot says it is being built", (status, body))
                time.sleep(0.1)
        expect(len(served) == 6 and len(set(served)) == 1, "every worker serves the same snapshot", served)
        root = db.snapshot_root()
        instances = os.listdir(root) if os.path.isdir(root) else []
        instance = db.row("SELECT id FROM instance")
        expect(instance is not None and instances == [instance[0]],
               "the snapshots are in the folder of this database's instance id", (instances, instance))
        snapshots = [name for instance in instances
                     for name in os.listdir(os.path.join(root, instance))
                     if name.endswith(".sqlite3")]
        expect(snapshots == [f"LKO-C-{served[0][0]}.sqlite3"] if served else False,
               "the workers keep one snapshot of the zone", snapshots)

    code = server.stop()
    log.close()
    expect(code == 0, "SIGTERM stops the workers' supervisor with exit status 0", code)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        builds = [line for line in f if "Snapshot of zone LKO-C" in line]
    expect(len(builds) == 1, "one worker built the zone's snapshot, the other waited for it (the build lock)",
           builds)
    time.sleep(0.2)
    alive = [pid for pid in workers if os.path.exists(f"/proc/{pid}")
             and open(f"/proc/{pid}/stat").read().split()[2] != "Z"]
    expect(not alive, "SIGTERM stops every worker process", alive)


# ---- issue 5: OTP, registration, indexing, history ---------------------------

def otp_code_from_sms(client, token, mobile, after_id=0):
    """The newest OTP in the demo inbox for mobile (waits for it to be listed)."""
    for _ in range(50):
        status, body, _ = client.request("GET", f"{API}/demo/sms?mobile={mobile}", token=token,
                                         check=False)
        if status == 200:
            for message in body["messages"]:
                match = re.search(r"OTP is (\d{6})", message["text"])
                if message["id"] > after_id and match:
                    return match.group(1), message
        time.sleep(0.1)
    return None, None


def wait_delivery(client, token, otp_id, wanted, timeout):
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        status, body, _ = client.request("GET", f"{API}/otp/{otp_id}", token=token, check=False)
        if status == 200 and body["delivery"] == wanted:
            return body
        time.sleep(0.2)
    return body


def test_otp_registration(client, tokens, central, seen_secrets):
    token = tokens["operator"]
    with_mobile = [c for c in central if c["mobile"]]
    target, other, third = with_mobile[0], with_mobile[1], with_mobile[2]
    account, mobile = target["account"], target["mobile"]

    status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                     body={"account": account, "purpose": "registration"},
                                     description="request a registration OTP")
    if not expect(status == 201 and body["state"] == "pending" and body["attempts_left"] == 5
                  and body["mobile_masked"] == mobile[:2] + "XXXXXX" + mobile[-2:],
                  "POST /otp answers 201 with a pending ticket", body):
        return None
    otp_id = body["id"]
    delivered = wait_delivery(client, token, otp_id, "delivered", 15)
    expect(delivered is not None and delivered["delivery"] == "delivered",
           "the simulated gateway delivers the SMS (queued → sent → delivered)", delivered)

    code, message = otp_code_from_sms(client, token, mobile)
    expect(code is not None and "बिजली डेस्क" in message["text"] and "authorised staff" in message["text"],
           "the demo inbox shows the bilingual OTP SMS", message)
    if code is None:
        return None
    seen_secrets.append(code)
    client.request("GET", f"{API}/demo/sms?mobile={mobile}", token=token, description="demo sms inbox")

    wrong = f"{(int(code) + 1) % 1000000:06d}"
    status, body, _ = client.request("POST", f"{API}/otp/{otp_id}/verify", token=token, body={"code": wrong},
                                     description="verify a wrong code")
    expect(status == 422 and error_code(body) == "otp_wrong" and body["error"]["attempts_left"] == 4,
           "a wrong code is 422 otp_wrong with attempts_left 4", body)
    status, body, _ = client.request("POST", f"{API}/otp/{otp_id}/verify", token=token, body={"code": "12ab56"},
                                     description="verify a malformed code")
    expect(status == 400 and error_code(body) == "invalid_request", "a malformed code is 400", body)
    status, body, _ = client.request("POST", f"{API}/registrations", token=token,
                                     body={"account": account, "otp_id": otp_id, "username": "ramesh.demo"},
                                     description="register before verifying")
    expect(status == 422 and error_code(body) == "otp_not_verified", "registering before the OTP is verified is 422", body)
    status, body, _ = client.request("POST", f"{API}/otp/{otp_id}/verify", token=token, body={"code": code},
                                     description="verify the right code")
    expect(status == 200 and body["state"] == "verified" and body["attempts_left"] == 4,
           "the right code verifies (the malformed one cost no attempt)", body)
    status, body, _ = client.request("POST", f"{API}/otp/{otp_id}/verify", token=token, body={"code": code},
                                     description="verify the code again")
    expect(status == 410 and error_code(body) == "otp_used", "a code is good once: 410 otp_used", body)

    for bad, what in (({"account": account, "otp_id": otp_id, "username": "1abc"}, "username starting with a digit"),
                      ({"account": account, "otp_id": otp_id, "username": "ramesh.demo", "password": "short1"},
                       "short password"),
                      ({"account": account, "otp_id": otp_id}, "no username")):
        status, body, _ = client.request("POST", f"{API}/registrations", token=token, body=bad,
                                         description=f"register with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"registering with {what} is 400", body)

    status, body, _ = client.request("POST", f"{API}/registrations", token=token,
                                     body={"account": account, "otp_id": otp_id, "username": "ramesh.demo",
                                           "password": "bijli-app-2026"},
                                     description="register")
    expect(status == 201 and body["username"] == "ramesh.demo" and body["temporary_password_sent"] is False,
           "POST /registrations registers the consumer", body)
    status, body, _ = client.request("GET", f"{API}/registrations/{account}", token=token,
                                     description="get the registration")
    expect(status == 200 and body["username"] == "ramesh.demo", "GET /registrations/{account} shows it", body)
    status, body, _ = client.request("POST", f"{API}/registrations", token=token,
                                     body={"account": account, "otp_id": otp_id, "username": "ramesh.other"},
                                     description="register twice")
    expect(status == 409 and error_code(body) == "already_registered", "registering twice is 409", body)
    status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                     body={"account": account, "purpose": "registration"},
                                     description="registration OTP for a registered account")
    expect(status == 409 and error_code(body) == "already_registered",
           "a registration OTP for a registered account is 409", body)
    status, body, _ = client.request("GET", f"{API}/registrations/{other['account']}", token=token,
                                     description="get a missing registration")
    expect(status == 404 and error_code(body) == "not_registered", "an unregistered account is 404 not_registered", body)
    status, body, _ = client.request("POST", f"{API}/otp/{otp_id}/resend", token=token, body={},
                                     description="resend a used OTP")
    expect(status == 410 and error_code(body) == "otp_used", "resending a used OTP is 410", body)

    # A temporary password by SMS; the user name taken.
    status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                     body={"account": other["account"], "purpose": "registration",
                                           "mobile": other["mobile"]},
                                     description="registration OTP with the registered mobile")
    if expect(status == 201, "POST /otp accepts the registered mobile given explicitly", body):
        other_id = body["id"]
        code2, _ = otp_code_from_sms(client, token, other["mobile"])
        seen_secrets.append(code2)
        client.request("POST", f"{API}/otp/{other_id}/verify", token=token, body={"code": code2},
                       description="verify the second OTP")
        status, body, _ = client.request("POST", f"{API}/registrations", token=token,
                                         body={"account": other["account"], "otp_id": other_id,
                                               "username": "ramesh.demo"},
                                         description="register a taken user name")
        expect(status == 409 and error_code(body) == "username_taken", "a taken user name is 409", body)
        status, body, _ = client.request("POST", f"{API}/registrations", token=token,
                                         body={"account": other["account"], "otp_id": other_id,
                                               "username": "second.user"},
                                         description="register with a temporary password")
        expect(status == 201 and body["temporary_password_sent"] is True,
               "without a password a temporary one is sent", body)
        time.sleep(0.3)
        status, body, _ = client.request("GET", f"{API}/demo/sms?mobile={other['mobile']}", token=token,
                                         check=False)
        match = re.search(r"temporary password is (\w+)\.", body["messages"][0]["text"]) if status == 200 else None
        expect(match is not None, "the temporary password arrives by SMS", body)
        if match:
            seen_secrets.append(match.group(1))

    for bad, what in (({"account": account, "purpose": "nonsense"}, "unknown purpose"),
                      ({"account": account, "purpose": "verify_mobile", "mobile": "12345"}, "malformed mobile"),
                      ({"account": "12", "purpose": "verify_mobile"}, "malformed account"),
                      ({"account": account, "purpose": "change_mobile"}, "change without the new mobile"),
                      ({"account": account, "purpose": "verify_mobile", "extra": 1}, "unknown member")):
        status, body, _ = client.request("POST", f"{API}/otp", token=token, body=bad, description=f"OTP with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"an OTP request with {what} is 400", body)
    status, body, _ = client.request("POST", f"{API}/otp", token=token, body="{", description="OTP with broken JSON")
    expect(status == 400, "an OTP request that is not JSON is 400", body)
    status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                     body={"account": "2999999999", "purpose": "verify_mobile"},
                                     description="OTP for an unknown account")
    expect(status == 404 and error_code(body) == "not_found", "an OTP for an unknown account is 404", body)
    no_mobile = next((c for c in central if c["mobile"] is None), None)
    if no_mobile:
        status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                         body={"account": no_mobile["account"], "purpose": "verify_mobile"},
                                         description="OTP without a mobile on record")
        expect(status == 409 and error_code(body) == "no_mobile", "no mobile on record is 409 no_mobile", body)
    status, body, _ = client.request("GET", f"{API}/otp/AAAAAAAAAAAAAAAAAAAAAA", token=token,
                                     description="unknown OTP")
    expect(status == 404, "an unknown OTP id is 404", body)
    status, body, _ = client.request("GET", f"{API}/otp", token=token, description="GET /otp")
    expect(status == 405, "GET /otp is 405", body)

    # Rate limits: three sends per 15 minutes for the third consumer.
    ids = []
    for i in range(3):
        status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                         body={"account": third["account"], "purpose": "verify_mobile"},
                                         description=f"verify_mobile OTP #{i + 1}")
        if status == 201:
            ids.append(body["id"])
    expect(len(ids) == 3, "three OTPs may be sent", ids)
    status, body, headers = client.request("POST", f"{API}/otp", token=token,
                                           body={"account": third["account"], "purpose": "verify_mobile"},
                                           description="a fourth OTP within 15 minutes")
    expect(status == 429 and error_code(body) == "rate_limited" and 0 < body["error"]["retry_after"] <= 900
           and headers.get("retry-after") == str(body["error"]["retry_after"]),
           "the fourth OTP within 15 minutes is 429 with retry_after", body)
    if ids:
        status, body, _ = client.request("POST", f"{API}/otp/{ids[-1]}/resend", token=token, body={},
                                         description="resend at once")
        expect(status == 429 and error_code(body) == "rate_limited", "a resend within the cooldown is 429", body)
        status, body, _ = client.request("GET", f"{API}/otp/{ids[0]}", token=token,
                                         description="an OTP replaced by a newer one")
        expect(status == 200 and body["state"] == "expired" and body["sends_left"] == 0,
               "a newer OTP of the same purpose ends the older one", body)
    return {"registered": account, "limited": third["account"], "otp_id": otp_id}


def test_change_mobile(client, tokens, central, seen_secrets):
    token = tokens["operator"]
    target = [c for c in central if c["mobile"]][5]
    new_mobile = "6" + target["account"][-9:]
    status, before, _ = client.request("GET", f"{API}/consumers/{target['account']}", token=token, check=False)
    status, body, _ = client.request("POST", f"{API}/otp", token=token,
                                     body={"account": target["account"], "purpose": "change_mobile",
                                           "mobile": new_mobile},
                                     description="change_mobile OTP")
    if not expect(status == 201, "a change_mobile OTP goes to the new number", body):
        return
    code, _ = otp_code_from_sms(client, token, new_mobile)
    seen_secrets.append(code)
    status, body, _ = client.request("POST", f"{API}/otp/{body['id']}/verify", token=token, body={"code": code},
                                     description="verify the change_mobile OTP")
    status, after, _ = client.request("GET", f"{API}/consumers/{target['account']}", token=token,
                                      description="consumer after the mobile change")
    expect(after["mobile"] == new_mobile and after["mobile_verified"] is True
           and after["version"] == before["version"] + 1,
           "a verified change_mobile makes the new number the consumer's, verified, as a new version", after)
    status, body, _ = client.request("GET", f"{API}/consumers/{target['account']}/history", token=token,
                                     description="history after the mobile change")
    entry = body["entries"][0] if status == 200 and body["entries"] else {}
    expect(entry.get("action") == "mobile_changed" and entry.get("to") == new_mobile[:2] + "XXXXXX" + new_mobile[-2:]
           and entry.get("by") == "operator",
           "the mobile change is in the history, masked", body)


# A plain Aadhaar number the server must refuse, and never log.
PLAIN_AADHAAR = "234123412346"
AADHAAR_TO = {"last4": "1234", "salt": "00112233445566778899aabbccddeeff",
              "hash": "ab" * 32}


def patch_indexing(client, token, account, changes, key, description):
    headers = {"Idempotency-Key": key} if key else {}
    return client.request("PATCH", f"{API}/consumers/{account}/indexing", token=token,
                          body={"changes": changes}, headers=headers, description=description)


def test_indexing(client, tokens, central):
    token = tokens["operator"]
    target = central[7]
    account = target["account"]

    status, body, _ = client.request("GET", f"{API}/consumers/{account}/indexing", token=token,
                                     description="indexing never recorded")
    expect(status == 200 and body["version"] == 0 and body["email"] is None and body["seal_numbers"] == []
           and body["feeder"] == target["feeder"], "GET indexing of a new consumer is version 0 with nulls", body)

    changes = {"email": {"from": None, "to": "Ramesh@Example.IN"},
               "pan": {"from": None, "to": "abcpe1234f"},
               "aadhaar": {"from": None, "to": AADHAAR_TO},
               "seal_numbers": {"from": [], "to": ["SL-1001", "SL-1002"]},
               "gps": {"from": None, "to": {"lat_e6": 26846700, "lon_e6": 80946200}},
               "feeder": {"from": target["feeder"], "to": "ALG-F09"}}
    status, first, headers = patch_indexing(client, token, account, changes, "desk-key-0001", "patch indexing")
    ok = status == 200 and sorted(first["applied"]) == sorted(changes) and first["conflicts"] == []
    expect(ok and first["indexing"]["pan"] == "ABCPE1234F" and first["indexing"]["aadhaar"] == {"last4": "1234"}
           and first["indexing"]["email"] == "Ramesh@example.in" and first["indexing"]["version"] == 1,
           "PATCH applies every change, normalised, and shows Aadhaar by its last 4 only", first)

    status, again, headers = patch_indexing(client, token, account, changes, "desk-key-0001", "patch again, same key")
    expect(status == 200 and again == first and headers.get("idempotent-replayed") == "true",
           "the same Idempotency-Key answers the stored answer", again)
    status, body, _ = client.request("GET", f"{API}/consumers/{account}/history", token=token,
                                     description="history after indexing")
    indexing_entries = [e for e in body.get("entries", []) if e["action"] == "indexing"]
    expect(len(indexing_entries) == len(changes), "each applied field is in the history once (no double apply)",
           indexing_entries)
    text = json.dumps(body)
    expect("Ramesh@" not in text and "R***@example.in" in text and "XXXX-XXXX-1234" in text
           and "ABCPE1234F" not in text and AADHAAR_TO["hash"] not in text,
           "history values are masked where personal", text)
    status, consumer, _ = client.request("GET", f"{API}/consumers/{account}", token=token, check=False)
    expect(consumer["feeder"] == "ALG-F09" and consumer["version"] == target["version"] + 1,
           "a feeder change is a new version of the consumer", consumer)

    status, body, _ = patch_indexing(client, token, account, {"email": {"from": None, "to": "x@y.in"}},
                                     "desk-key-0001", "same key, other body")
    expect(status == 422 and error_code(body) == "idempotency_mismatch", "a reused key with another body is 422", body)
    status, body, _ = patch_indexing(client, token, account,
                                     {"email": {"from": None, "to": "x@y.in"},
                                      "voter_id": {"from": None, "to": "ABC1234567"}},
                                     "desk-key-0002", "patch with a stale from")
    expect(status == 200 and body["applied"] == ["voter_id"] and len(body["conflicts"]) == 1
           and body["conflicts"][0] == {"field": "email", "server": "Ramesh@example.in", "desk": "x@y.in"},
           "a stale from is reported as a conflict and not applied", body)

    for bad, what in (({"pan": {"from": None, "to": "ABCDE12345"}}, "invalid PAN"),
                      ({"aadhaar": {"from": None, "to": PLAIN_AADHAAR}}, "a plain Aadhaar number"),
                      ({"gps": {"from": None, "to": {"lat_e6": 51500000, "lon_e6": -120000}}}, "GPS outside India"),
                      ({"nonsense": {"from": None, "to": 1}}, "unknown field"),
                      ({"email": {"to": "a@b.in"}}, "change without from")):
        status, body, _ = patch_indexing(client, token, account, bad, "desk-key-bad-" + str(abs(hash(what)) % 10000),
                                         f"patch with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"a PATCH with {what} is 400", body)
    status, body, _ = patch_indexing(client, token, account, changes, None, "patch without a key")
    expect(status == 400 and "Idempotency-Key" in body["error"]["message"], "a PATCH without Idempotency-Key is 400", body)
    status, body, _ = client.request("GET", f"{API}/consumers/{account}/history?limit=0", token=token,
                                     description="history with limit 0")
    expect(status == 400, "history limit 0 is 400", body)
    status, body, _ = client.request("DELETE", f"{API}/consumers/{account}/indexing", token=token,
                                     description="DELETE indexing")
    expect(status == 405, "DELETE indexing is 405", body)


def test_issue5_zones(client, tokens, central, state):
    east = tokens["operator.east"]
    account = central[7]["account"]
    otp_id = state["otp_id"] if state else "AAAAAAAAAAAAAAAAAAAAAA"
    calls = [
        ("POST", "/otp", {"account": account, "purpose": "verify_mobile"}, None),
        ("GET", f"/otp/{otp_id}", None, None),
        ("POST", f"/otp/{otp_id}/resend", {}, None),
        ("POST", f"/otp/{otp_id}/verify", {"code": "123456"}, None),
        ("POST", "/registrations", {"account": account, "otp_id": otp_id, "username": "east.user"}, None),
        ("GET", f"/registrations/{account}", None, None),
        ("GET", f"/consumers/{account}/indexing", None, None),
        ("PATCH", f"/consumers/{account}/indexing", {"changes": {"email": {"from": None, "to": "a@b.in"}}},
         {"Idempotency-Key": "east-key-0001"}),
        ("GET", f"/consumers/{account}/history", None, None),
    ]
    for method, path, body, headers in calls:
        status, answer, _ = client.request(method, API + path, token=east, body=body, headers=headers,
                                           description=f"{method} {path.split('/')[1]} as operator.east")
        expect(status == 404 and error_code(answer) == "not_found",
               f"operator.east gets 404 not_found for an LKO-C consumer: {method} {path}", answer)
    mobile = next(c["mobile"] for c in central if c["mobile"])
    status, answer, _ = client.request("GET", f"{API}/demo/sms?mobile={mobile}", token=east,
                                       description="demo sms of another zone")
    expect(status == 200 and answer["messages"] == [], "another zone's SMS are not in the demo inbox", answer)
    for path in ("/otp", f"/consumers/{account}/indexing", "/demo/sms?mobile=9876543210"):
        status, answer, _ = client.request("GET", API + path, description=f"{path} without a token")
        expect(status in (401, 405), f"{path} needs a token", answer)


def test_complaints(client, tokens, central, seen_secrets):
    """A complaint's life through the API, and its refusals."""
    operator, supervisor, east = tokens["operator"], tokens["supervisor"], tokens["operator.east"]
    consumer = next(c for c in central if c["mobile"])
    mobile = consumer["mobile"]
    request = {"account": consumer["account"], "category": "no_supply_single",
               "description": "No supply since morning", "channel": "phone"}

    status, body, _ = client.request("POST", f"{API}/complaints", token=operator, body=request,
                                     description="file without an Idempotency-Key")
    expect(status == 400, "filing needs an Idempotency-Key", body)
    status, body, _ = client.request("POST", f"{API}/complaints", token=operator,
                                     body=dict(request, category="ghosts"),
                                     headers={"Idempotency-Key": "cmp-bad-category"},
                                     description="file with an unknown category")
    expect(status == 400 and error_code(body) == "invalid_request", "an unknown category is refused", body)
    status, body, _ = client.request("POST", f"{API}/complaints", token=operator,
                                     body={"category": "street_light", "description": "Lamp out",
                                           "channel": "phone"},
                                     headers={"Idempotency-Key": "cmp-no-place-1"},
                                     description="file without account or place")
    expect(status == 400, "a complaint needs an account or a place", body)

    status, filed, headers = client.request("POST", f"{API}/complaints", token=operator, body=request,
                                            headers={"Idempotency-Key": "cmp-file-0001"},
                                            description="file a complaint")
    if not expect(status == 201 and re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{5}", filed["number"] or ""),
                  "a complaint gets a readable number", filed):
        return
    expect(filed["contact_mobile"] == mobile and filed["dt"] == consumer["dt"],
           "the contact number and place come from the consumer", filed)
    cid = filed["id"]
    status, again, headers = client.request("POST", f"{API}/complaints", token=operator, body=request,
                                            headers={"Idempotency-Key": "cmp-file-0001"},
                                            description="file again with the same key")
    expect(status == 201 and again["number"] == filed["number"] and headers.get("idempotent-replayed") == "true",
           "the same key files once and replays the answer", (status, headers))
    status, body, _ = client.request("POST", f"{API}/complaints", token=operator,
                                     body=dict(request, description="Something else"),
                                     headers={"Idempotency-Key": "cmp-file-0001"},
                                     description="same key, other complaint")
    expect(status == 422 and error_code(body) == "idempotency_mismatch", "a reused key with another body is 422", body)

    status, body, _ = client.request(
        "GET", f"{API}/complaints/duplicates?category=no_supply_single&account={consumer['account']}",
        token=operator, description="duplicates of a new call")
    expect(status == 200 and any(c["id"] == cid for c in body["complaints"]),
           "a second call from the consumer finds the open complaint", body)
    status, body, _ = client.request("GET", f"{API}/complaints/duplicates", token=operator,
                                     description="duplicates without a category")
    expect(status == 400, "duplicates need a category", body)

    def act(token, action, key, description, **extra):
        return client.request("POST", f"{API}/complaints/{cid}/actions", token=token,
                              body=dict({"action": action}, **extra), headers={"Idempotency-Key": key},
                              description=description)

    status, body, _ = act(operator, "add_caller", "cmp-act-caller1", "add a caller", caller_mobile="9876509999")
    expect(status == 200 and body["callers"] == 2, "a second caller is counted", body)
    status, body, _ = act(operator, "assign", "cmp-act-assign1", "assign without an assignee")
    expect(status == 400, "assigning needs the assignee", body)
    status, body, _ = act(tokens["agent"], "assign", "cmp-act-assign2", "an agent assigns", note="Team A")
    expect(status == 403 and error_code(body) == "forbidden", "an agent cannot assign", body)
    status, body, _ = act(operator, "assign", "cmp-act-assign3", "assign", note="Lineman Ramesh")
    expect(status == 200 and body["status"] == "assigned" and body["assigned_to"] == "Lineman Ramesh",
           "an operator assigns", body)
    status, body, _ = act(operator, "resolve", "cmp-act-resolve", "resolve", note="Fuse replaced")
    expect(status == 200 and body["status"] == "resolved" and body["resolved_at"], "the operator resolves it", body)
    status, body, _ = act(operator, "close", "cmp-act-close01", "close without an OTP")
    expect(status == 403 and error_code(body) == "otp_required", "closing without the consumer's OTP is refused", body)
    status, body, _ = act(supervisor, "reject", "cmp-act-reject1", "reject a resolved complaint", note="x")
    expect(status == 409 and error_code(body) == "transition_not_allowed",
           "a resolved complaint cannot be rejected", body)

    status, ticket, _ = client.request("POST", f"{API}/complaints/{cid}/close-otp", token=operator, body={},
                                       description="send the closure OTP")
    expect(status == 201 and ticket["purpose"] == "complaint_close", "a closure OTP goes to the contact number", ticket)
    code, _ = otp_code_from_sms(client, operator, mobile)
    expect(code is not None, "the closure OTP reaches the demo inbox")
    if code:
        seen_secrets.append(code)
        status, body, _ = client.request("POST", f"{API}/otp/{ticket['id']}/verify", token=operator,
                                         body={"code": code}, description="verify the closure OTP")
        expect(status == 200 and body["state"] == "verified", "the consumer's code checks", body)
        status, body, _ = act(operator, "close", "cmp-act-close02", "close with the OTP", otp_id=ticket["id"])
        expect(status == 200 and body["status"] == "closed" and body["closed_at"],
               "with the verified OTP the complaint closes", body)
        expect([e["action"] for e in body["events"]] == ["file", "add_caller", "assign", "resolve", "close"],
               "the timeline has every step in order", [e["action"] for e in body["events"]])
    status, body, _ = client.request("POST", f"{API}/complaints/{cid}/close-otp", token=operator, body={},
                                     description="closure OTP for a closed complaint")
    expect(status == 409, "no closure OTP for a complaint that is not resolved", body)

    status, body, _ = client.request("GET", f"{API}/complaints/{cid}", token=operator, description="get a complaint")
    expect(status == 200 and body["number"] == filed["number"], "a complaint reads back", body)
    status, body, _ = client.request("GET", f"{API}/complaints/{cid}", token=east,
                                     description="another zone's complaint")
    expect(status == 404, "another zone's complaint is not found", body)
    status, body, _ = client.request("GET", f"{API}/complaints/abc", token=operator, description="bad complaint id")
    expect(status == 400, "a complaint id is digits", body)

    status, body, _ = client.request("GET", f"{API}/complaints?status=closed&limit=10", token=supervisor,
                                     description="the queue, closed")
    expect(status == 200 and any(c["id"] == cid for c in body["complaints"]) and body["total"] >= 1,
           "the queue lists it among the closed", body)
    status, body, _ = client.request("GET", f"{API}/complaints?sla=late", token=supervisor,
                                     description="the queue, bad SLA filter")
    expect(status == 400, "an unknown SLA filter is refused", body)
    status, body, _ = client.request("GET", f"{API}/complaints/changes?limit=5", token=operator,
                                     description="the complaint feed")
    expect(status == 200 and body["complaints"] and body["next_cursor"], "the complaint feed pages", body)

    status, body, _ = client.request("GET", f"{API}/complaints/summary", token=operator,
                                     description="dashboard as an operator")
    expect(status == 403 and error_code(body) == "forbidden", "the dashboard is for supervisors", body)
    status, body, _ = client.request("GET", f"{API}/complaints/summary", token=supervisor,
                                     description="dashboard")
    expect(status == 200 and body["negative_balance_consumers"] >= 0, "a supervisor sees the dashboard", body)
    status, body, _ = client.request("GET", f"{API}/complaints/export", token=operator,
                                     description="export as an operator")
    expect(status == 403, "the export is for supervisors", body)
    status, _, headers = client.request("GET", f"{API}/complaints/export?status=closed", token=supervisor,
                                        description="export")
    expect(status == 200 and filed["number"] in client.text and mobile not in client.text,
           "the export has the complaint and no contact number", client.text[:300])


def test_prepaid(client, tokens, central):
    """Balances, readings, recharges once per key, refusals, the watch and the rules."""
    operator, agent, east = tokens["operator"], tokens["agent"], tokens["operator.east"]
    smart = [c for c in central if c["meter_type"] == "smart"]
    plain = next((c for c in central if c["meter_type"] == "non_smart"), None)
    if not expect(len(smart) >= 2, "the demo zone has smart meters", len(smart)):
        return
    account = smart[0]["account"]

    status, balance, _ = client.request("GET", f"{API}/consumers/{account}/balance", token=operator,
                                        description="a smart meter's balance")
    expect(status == 200 and balance["account"] == account and balance["as_of"] is not None
           and balance["tariff"], "the balance carries as-of time and tariff", balance)
    status, body, _ = client.request("GET", f"{API}/consumers/{account}/balance", token=east,
                                     description="another zone's balance")
    expect(status == 404, "another zone's balance is not found", body)

    status, series, _ = client.request("GET", f"{API}/consumers/{account}/readings?step=day",
                                       token=operator, description="30 days of daily readings")
    expect(status == 200 and series["step"] == "day" and len(series["wh"]) in (30, 31)
           and any(v is not None and v > 0 for v in series["wh"]),
           "daily readings for the last 30 days", series)
    status, series, _ = client.request(
        "GET", f"{API}/consumers/{account}/readings?step=15m&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
        token=operator, description="a day of quarter hours")
    expect(status == 200 and series["start"] == "2026-01-01T00:00:00Z" and len(series["wh"]) == 96
           and all(v is not None for v in series["wh"]),
           "a day of history is 96 quarter hours, all present", series and series["start"])
    for query, what in (("step=hour", "an unknown step"), ("step=15m&from=2020-01-01T00:00:00Z", "too many buckets"),
                        ("from=yesterday", "a malformed time"),
                        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "a range backwards")):
        status, body, _ = client.request("GET", f"{API}/consumers/{account}/readings?{query}", token=operator,
                                         description=f"readings with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"{what} is refused", body)

    request = {"local_id": "contract-local-1", "amount_paise": 50000, "mode": "upi",
               "reference": "432187650912", "created_at": "2026-11-24T06:00:00Z"}
    url = f"{API}/consumers/{account}/recharges"
    status, body, _ = client.request("POST", url, token=operator, body=request, description="recharge without a key")
    expect(status == 400, "a recharge needs an Idempotency-Key", body)
    for change, what in (({"amount_paise": 500}, "₹5"), ({"mode": "upi", "reference": "123"}, "a short UTR"),
                         ({"mode": "cash", "reference": "X"}, "cash with a reference"),
                         ({"mode": "cheque"}, "an unknown mode"), ({"extra": 1}, "an unknown member")):
        status, body, _ = client.request("POST", url, token=operator, body=dict(request, **change),
                                         headers={"Idempotency-Key": "rch-bad-0001"},
                                         description=f"recharge with {what}")
        expect(status == 400 and error_code(body) == "invalid_request", f"a recharge with {what} is refused", body)
    status, body, _ = client.request("POST", url, token=agent, body=request,
                                     headers={"Idempotency-Key": "rch-agent-0001"}, description="an agent's recharge")
    expect(status == 403 and error_code(body) == "forbidden", "call-centre agents cannot take payments", body)

    status, first, headers = client.request("POST", url, token=operator, body=request,
                                            headers={"Idempotency-Key": "rch-contract-0001"},
                                            description="recharge ₹500 by UPI")
    expect(status == 201 and re.fullmatch(r"RC-LKO-C-\d{6}-\d{6}", first["recharge"]["receipt"] or "")
           and first["balance"]["balance_paise"] == first["recharge"]["balance_after_paise"]
           and "idempotent-replayed" not in headers,
           "a recharge is credited with a receipt and the balance after", first)
    status, again, headers = client.request("POST", url, token=operator, body=request,
                                            headers={"Idempotency-Key": "rch-contract-0001"},
                                            description="the same recharge again")
    expect(status == 201 and again["recharge"]["receipt"] == first["recharge"]["receipt"]
           and headers.get("idempotent-replayed") == "true", "the same key credits once", again)
    status, body, _ = client.request("POST", url, token=operator, body=dict(request, amount_paise=60000),
                                     headers={"Idempotency-Key": "rch-contract-0001"},
                                     description="the key with another amount")
    expect(status == 422 and error_code(body) == "idempotency_mismatch", "a reused key is refused", body)
    status, listed, _ = client.request("GET", url, token=operator, description="the recharges")
    expect(status == 200 and len([r for r in listed["recharges"] if r["receipt"] == first["recharge"]["receipt"]]) == 1,
           "the recharge is listed once", listed)
    if plain is not None:
        status, body, _ = client.request("POST", f"{API}/consumers/{plain['account']}/recharges", token=operator,
                                         body=request, headers={"Idempotency-Key": "rch-plain-0001"},
                                         description="recharge a post-paid meter")
        expect(status == 409 and error_code(body) == "not_prepaid", "a meter that is not prepaid is refused", body)

    watched = ",".join(c["account"] for c in smart[:2])
    status, answer, _ = client.request("GET", f"{API}/meters/watch?accounts={watched}&since=0",
                                       token=operator, description="watch two accounts from 0")
    expect(status == 200 and len(answer["balances"]) == 2 and answer["seq"] > 0,
           "watching from 0 answers with every watched balance", answer)
    started = time.monotonic()
    status, quiet, _ = client.request("GET", f"{API}/meters/watch?accounts={watched}&since={answer['seq'] + 10**9}&timeout=1",
                                      token=operator, description="watch with nothing new")
    expect(status == 200 and quiet["balances"] == [] and time.monotonic() - started >= 0.9,
           "a watch with nothing new waits and answers empty", quiet)
    status, body, _ = client.request("GET", f"{API}/meters/watch?accounts=" + ",".join(["2101950241"] * 21),
                                     token=operator, description="watch 21 accounts")
    expect(status == 400, "at most 20 accounts are watched", body)

    status, rules, _ = client.request("GET", f"{API}/prepaid/rules", token=operator, description="the prepaid rules")
    expect(status == 200 and rules["rules"]["emergency_credit_hours"] == 72 and len(rules["tariffs"]) >= 6
           and any(h["name"] == "Independence Day" for h in rules["rules"]["holidays"]),
           "the rules, holidays and tariffs are served", rules and rules["rules"])


def test_requests(client, tokens, central, seen_secrets):
    """Disconnection requests: consent by OTP, the rules' verdict, the queue and a supervisor's decision."""
    operator, agent, supervisor = tokens["operator"], tokens["agent"], tokens["supervisor"]
    mobiles = [c["mobile"] for c in central]
    smart = [c for c in central if c["meter_type"] == "smart" and c["mobile"] and c["supply_status"] == "connected"
             and mobiles.count(c["mobile"]) == 1]
    if not expect(len(smart) >= 3, "the demo zone has connected smart meters with mobiles", len(smart)):
        return
    in_credit = None
    in_debt = None
    for consumer in smart[:80]:
        _, balance, _ = client.request("GET", f"{API}/consumers/{consumer['account']}/balance", token=operator,
                                       check=False)
        if balance["balance_paise"] > 0 and in_credit is None:
            in_credit = consumer
        if balance["balance_paise"] < 0 and in_debt is None:
            in_debt = consumer
    if not expect(in_credit is not None and in_debt is not None, "consumers in credit and in debt exist"):
        return
    url = f"{API}/disconnections"
    base = {"account": in_credit["account"], "kind": "temporary", "reason": "Going out of town for a month"}

    status, body, _ = client.request("POST", url, token=operator, body=base, description="a request without a key")
    expect(status == 400, "a request needs an Idempotency-Key", body)
    status, body, _ = client.request("POST", url, token=operator, body=dict(base, kind="forever"),
                                     headers={"Idempotency-Key": "dr-bad-kind-01"}, description="an unknown kind")
    expect(status == 400 and error_code(body) == "invalid_request", "an unknown kind is refused", body)
    status, body, _ = client.request("POST", url, token=operator, body=base,
                                     headers={"Idempotency-Key": "dr-no-consent-01"},
                                     description="the consumer's request without their OTP")
    expect(status == 422 and error_code(body) == "otp_not_verified", "the consumer's own request needs their OTP", body)
    status, body, _ = client.request("POST", url, token=operator,
                                     body={"account": in_debt["account"], "kind": "permanent", "reason": "Leaving",
                                           "final_reading_wh": 1234500},
                                     headers={"Idempotency-Key": "dr-dues-0001"},
                                     description="a closure with dues")
    expect(status == 409 and error_code(body) == "request_blocked" and "₹" in body["error"]["message"],
           "a closure with dues is refused, saying how much", body)
    status, body, _ = client.request("POST", url, token=agent,
                                     body={"account": in_debt["account"], "kind": "nonpayment", "reason": "Dues"},
                                     headers={"Idempotency-Key": "dr-agent-0001"}, description="an agent's non-payment cut")
    expect(status == 403 and error_code(body) == "forbidden", "agents cannot queue a non-payment cut", body)

    # The consumer confirms by OTP.
    status, ticket, _ = client.request("POST", f"{url}/consent-otp", token=operator,
                                       body={"account": in_credit["account"]}, description="send the consent OTP")
    expect(status == 201 and ticket["purpose"] == "disconnection_consent", "a consent OTP is sent", ticket)
    code, _ = otp_code_from_sms(client, operator, in_credit["mobile"])
    seen_secrets.append(code)
    status, body, _ = client.request("POST", f"{API}/otp/{ticket['id']}/verify", token=operator, body={"code": code},
                                     description="the consumer reads out the code")
    expect(status == 200 and body["state"] == "verified", "the consent OTP is verified", body)
    request = dict(base, consent_otp_id=ticket["id"], requested_for="2026-11-21T13:30:00Z")
    status, filed, headers = client.request("POST", url, token=operator, body=request,
                                            headers={"Idempotency-Key": "dr-file-0001"},
                                            description="file a temporary disconnection")
    expect(status == 201 and re.fullmatch(r"DR-LKOC-\d{4}-\d{5}", filed["number"])
           and filed["status"] == "pending_approval" and filed["scheduled_for"] is not None
           and any(g["code"] == "no_cut_time" for g in filed["guards"]),
           "the request is queued with the rules' verdict and its time", filed)
    status, again, headers = client.request("POST", url, token=operator, body=request,
                                            headers={"Idempotency-Key": "dr-file-0001"}, description="the same request again")
    expect(status == 201 and again["number"] == filed["number"] and headers.get("idempotent-replayed") == "true",
           "the same key files once", again)

    status, listed, _ = client.request("GET", f"{url}?status=pending_approval", token=supervisor,
                                       description="the pending queue")
    expect(status == 200 and any(r["number"] == filed["number"] for r in listed["requests"]),
           "the request is in the supervisor's queue", listed)
    status, body, _ = client.request("GET", f"{url}?status=lost", token=supervisor, description="a queue of an unknown state")
    expect(status == 400, "an unknown state is refused", body)
    status, one, _ = client.request("GET", f"{url}/{filed['number']}", token=operator, description="one request by number")
    expect(status == 200 and one["id"] == filed["id"], "a request is found by its number", one)

    act_url = f"{url}/{filed['id']}/actions"
    status, body, _ = client.request("POST", act_url, token=operator, body={"action": "approve"},
                                     headers={"Idempotency-Key": "dr-act-op-01"}, description="an operator approves")
    expect(status == 403 and error_code(body) == "forbidden", "only supervisors approve", body)
    status, body, _ = client.request("POST", act_url, token=supervisor, body={"action": "reject"},
                                     headers={"Idempotency-Key": "dr-act-rej-01"}, description="reject without a reason")
    expect(status == 400, "a rejection needs a reason", body)
    status, approved, _ = client.request("POST", act_url, token=supervisor, body={"action": "approve"},
                                         headers={"Idempotency-Key": "dr-act-ok-01"}, description="a supervisor approves")
    expect(status == 200 and approved["status"] in ("scheduled", "done", "executing")
           and approved["decided_by"] == "supervisor", "the supervisor's approval schedules it", approved)
    status, body, _ = client.request("POST", act_url, token=supervisor, body={"action": "approve"},
                                     headers={"Idempotency-Key": "dr-act-ok-02"}, description="approve twice")
    expect(status == 409 and error_code(body) == "transition_not_allowed", "an approved request is not approved again",
           body)

    status, _, _ = client.request("GET", f"{url}/export", token=supervisor, description="export the queue")
    expect(status == 200 and filed["number"] in client.text, "supervisors export the queue as CSV", client.text[:300])
    status, body, _ = client.request("GET", f"{url}/export", token=operator, description="an operator exports")
    expect(status == 403, "only supervisors export the queue", body)


def test_authorization(client, tokens, central):
    """Every endpoint for every role, in its own zone and another: allowed
    ("ok": the request was taken, or refused for its content or state:
    2xx, 409, 410, 422 or 429), 403, or 404 (another zone's records do not
    exist). The bodies are valid, so that a role check after the
    validation would show."""
    account = central[0]["account"]
    spare = next(c for c in central[30:] if c["mobile"] and c["meter_type"] == "smart")
    status, filed, _ = client.request("POST", f"{API}/complaints", token=tokens["operator"],
                                      body={"account": account, "category": "meter_faulty",
                                            "description": "Display blank", "channel": "counter"},
                                      headers={"Idempotency-Key": "authz-file-0001"},
                                      description="a complaint for the authorization table")
    cid = filed["id"] if status == 201 else "1"
    status, ticket, _ = client.request("POST", f"{API}/otp", token=tokens["operator"],
                                       body={"account": spare["account"], "purpose": "registration"},
                                       description="an OTP for the authorization table")
    otp_id = ticket["id"] if status == 201 else "none"
    status, queue, _ = client.request("GET", f"{API}/disconnections", token=tokens["operator"],
                                      description="a request for the authorization table")
    rid = queue["requests"][0]["id"] if status == 200 and queue["requests"] else 999999
    recharge = {"local_id": "authz-local-1", "amount_paise": 10000, "mode": "cash", "reference": "",
                "created_at": "2026-11-24T06:00:00Z"}
    roles = ["operator", "agent", "supervisor", "operator.east", "admin"]
    ok, F, N = "ok", 403, 404
    read, zoned, staff_only, supervisors, admins = [ok] * 5, [ok, ok, ok, N, ok], \
        [ok, F, ok, N, ok], [F, F, ok, F, ok], [F, F, F, F, ok]
    table = [
        ("GET", "/session", None, read),
        ("GET", f"/consumers?q={account}", None, read),
        ("GET", "/changes?limit=1", None, read),
        ("GET", f"/snapshot?schema={snapshot_schema(client)}", None, read),
        ("GET", f"/consumers/{account}", None, zoned),
        ("GET", f"/consumers/{account}/indexing", None, zoned),
        ("PATCH", f"/consumers/{account}/indexing",
         {"changes": {"email": {"from": None, "to": "authz@example.in"}}}, staff_only),
        ("GET", f"/consumers/{account}/history", None, zoned),
        ("POST", "/otp", {"account": spare["account"], "purpose": "registration"}, staff_only),
        ("GET", f"/otp/{otp_id}", None, zoned),
        ("POST", f"/otp/{otp_id}/resend", {}, staff_only),
        ("POST", f"/otp/{otp_id}/verify", {"code": "000000"}, staff_only),
        ("POST", "/registrations", {"account": spare["account"], "otp_id": otp_id, "username": "authz.user",
                                    "password": "authz-pass-1"}, staff_only),
        ("GET", f"/registrations/{spare['account']}", None, ["code:not_registered"] * 3 + [N, "code:not_registered"]),
        ("GET", f"/demo/sms?mobile={spare['mobile']}", None, read),
        ("GET", "/complaints", None, read),
        ("POST", "/complaints", {"account": account, "category": "voltage", "description": "Low voltage at night",
                                 "channel": "phone"}, zoned),
        ("GET", "/complaints/export", None, supervisors),
        ("GET", f"/complaints/duplicates?category=no_supply_single&account={account}", None, zoned),
        ("GET", "/complaints/changes", None, read),
        ("GET", "/complaints/summary", None, supervisors),
        ("GET", f"/complaints/{cid}", None, zoned),
        ("POST", f"/complaints/{cid}/actions", {"action": "assign", "note": "Team A"}, staff_only),
        # The administrator comes after the supervisor has rejected it: allowed, but not from that state.
        ("POST", f"/complaints/{cid}/actions", {"action": "reject", "note": "Not ours"}, [F, F, ok, N, ok]),
        ("POST", f"/complaints/{cid}/close-otp", {}, zoned),
        ("GET", "/audit", None, supervisors),
        ("GET", f"/consumers/{account}/balance", None, zoned),
        ("GET", f"/consumers/{account}/readings", None, zoned),
        ("GET", f"/consumers/{account}/recharges", None, zoned),
        ("POST", f"/consumers/{account}/recharges", recharge, staff_only),
        ("GET", f"/meters/watch?accounts={account}&since=0", None, read),
        ("GET", "/prepaid/rules", None, read),
        ("GET", "/disconnections", None, read),
        ("POST", "/disconnections", {"account": spare["account"], "kind": "nonpayment", "reason": "Dues unpaid"},
         staff_only),
        ("GET", "/disconnections/export", None, supervisors),
        ("POST", "/disconnections/consent-otp", {"account": spare["account"]}, staff_only),
        ("GET", f"/disconnections/{rid}", None, zoned),
        ("POST", f"/disconnections/{rid}/actions", {"action": "reject", "note": "Paid at the counter"},
         [F, F, ok, N, ok]),
        ("GET", "/users", None, admins),
        ("GET", "/users/agent", None, admins),
        ("GET", "/users/operator.east", None, [F, F, F, F, N]),
        ("PATCH", "/users/agent", {"display_name": "Arjun Yadav"}, admins),
        ("POST", "/users/operator.east/password", {"password": "river-lantern-42"}, [F, F, F, F, N]),
        ("DELETE", "/users/operator.east/sessions", None, [F, F, F, F, N]),
        ("POST", "/users", {"username": "authz.new", "display_name": "Authz New", "role": "agent",
                            "password": "monsoon-kite-77"}, admins),
    ]

    def matches(want, status, answer):
        if want == "ok":
            return 200 <= status < 300 or status in (409, 410, 422, 429)
        if isinstance(want, str) and want.startswith("code:"):
            return error_code(answer) == want[5:]
        return status == want

    problems = []
    for n, (method, path, body, expected) in enumerate(table):
        for role, want in zip(roles, expected):
            headers = {"Idempotency-Key": f"authz-{n:02d}-{role.replace('.', '-')}"} \
                if method in ("POST", "PATCH") else None
            status, answer, _ = client.request(method, API + path, token=tokens[role], body=body, headers=headers,
                                               description=f"{role}: {method} {path.split('?')[0][:40]}")
            if not matches(want, status, answer):
                problems.append(f"{role} {method} {path}: {status} {error_code(answer)}, expected {want}")
    expect(not problems, f"the authorization table holds ({len(table)} endpoints × {len(roles)} roles)",
           "\n".join(problems))


DESK_ID = "contract-desk-0001"


def test_staff(client, tokens, seen_secrets):
    """An administrator manages the zone's staff; every change ends the
    sessions it should and is in the audit log with the desk's id."""
    admin = tokens["admin"]
    desk = {"X-Bijli-Desk": DESK_ID}
    status, body, _ = client.request("GET", f"{API}/users", token=admin, headers=desk, description="the zone's staff")
    names = [u["username"] for u in body["users"]] if status == 200 else []
    expect(status == 200 and {"operator", "agent", "supervisor", "admin"} <= set(names)
           and "operator.east" not in names and names == sorted(names),
           "an administrator lists the zone's staff, by name, without other zones", names)
    status, body, _ = client.request("GET", f"{API}/users", token=tokens["supervisor"], description="staff as a supervisor")
    expect(status == 403 and error_code(body) == "forbidden", "only administrators see the staff list", body)

    weak = [("short-pw-1", "too short"), ("aaaaaaaaaaaaaaaa", "one character repeated"),
            ("Password123456", "a well-known password"), ("xpriya.kumari2026", "contains the user name")]
    for password, what in weak:
        status, body, _ = client.request("POST", f"{API}/users", token=admin, headers=desk,
                                         body={"username": "priya.kumari", "display_name": "Priya Kumari",
                                               "role": "operator", "password": password},
                                         description=f"a new user with a weak password ({what})")
        expect(status == 400 and error_code(body) == "invalid_request", f"a password that is {what} is refused", body)
    status, body, _ = client.request("POST", f"{API}/users", token=admin, headers=desk,
                                     body={"username": "bad name", "display_name": "Bad", "role": "operator",
                                           "password": "monsoon-kite-77"}, description="a user name with a space")
    expect(status == 400, "a user name with a space is refused", body)
    status, body, _ = client.request("POST", f"{API}/users", token=admin, headers=desk,
                                     body={"username": "x.user", "display_name": "X", "role": "chief",
                                           "password": "monsoon-kite-77"}, description="an unknown role")
    expect(status == 400, "an unknown role is refused", body)

    first_password = "monsoon-kite-77"
    seen_secrets.append(first_password)
    status, body, _ = client.request("POST", f"{API}/users", token=admin, headers=desk,
                                     body={"username": "Priya.Kumari", "display_name": "  Priya Kumari ",
                                           "role": "operator", "password": first_password},
                                     description="a new operator")
    expect(status == 201 and body["username"] == "priya.kumari" and body["display_name"] == "Priya Kumari"
           and body["zone"] == "LKO-C" and body["disabled"] is False and body["active_sessions"] == 0,
           "an administrator creates an operator in their own zone, the name lower-cased", body)
    status, body, _ = client.request("POST", f"{API}/users", token=admin, headers=desk,
                                     body={"username": "operator.east", "display_name": "Someone",
                                           "role": "operator", "password": first_password},
                                     description="a user name taken in another zone")
    expect(status == 409 and error_code(body) == "username_taken", "user names are unique across zones", body)

    status, body, _ = sign_in(client, "priya.kumari", first_password, "the new user signs in")
    new_token = body.get("token") if status == 200 else None
    expect(status == 200 and body["role"] == "operator", "the new user signs in", body)
    status, body, _ = client.request("GET", f"{API}/session", token=new_token, description="the session of a token")
    expect(status == 200 and body["username"] == "priya.kumari" and body["token"] == new_token,
           "GET /session answers the token's session", body)

    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, headers=desk,
                                     body={"disabled": True}, description="disable the user")
    expect(status == 200 and body["disabled"] is True and body["disabled_at"] and body["active_sessions"] == 0,
           "an administrator disables a user", body)
    status, body, _ = client.request("GET", f"{API}/session", token=new_token, description="a disabled user's token")
    expect(status == 401 and error_code(body) == "unauthorized", "a disabled user's session ends at once", body)
    status, body, _ = sign_in(client, "priya.kumari", first_password, "a disabled user signs in")
    expect(status == 403 and error_code(body) == "account_disabled", "a disabled user cannot sign in", body)
    status, body, _ = sign_in(client, "priya.kumari", "wrong-password-1", "a disabled user, wrong password")
    expect(status == 401 and error_code(body) == "invalid_credentials",
           "with a wrong password a disabled account answers as any wrong password", body)
    status, body, _ = client.request("PATCH", f"{API}/users/admin", token=admin, body={"disabled": True},
                                     description="an administrator disables themselves")
    expect(status == 403 and error_code(body) == "forbidden", "nobody can disable their own account", body)
    status, body, _ = client.request("PATCH", f"{API}/users/admin", token=admin, body={"role": "operator"},
                                     description="an administrator demotes themselves")
    expect(status == 403, "nobody can change their own role", body)
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, body={"disabled": "yes"},
                                     description="disabled as text")
    expect(status == 400, "'disabled' must be a boolean", body)
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, body={"zone": "LKO-E"},
                                     description="a zone change")
    expect(status == 400, "a user cannot be moved to another zone through PATCH", body)
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, headers=desk,
                                     body={"disabled": False, "role": "agent"}, description="re-enable as an agent")
    expect(status == 200 and body["disabled"] is False and body["role"] == "agent",
           "an administrator re-enables a user and changes the role", body)

    second_password = "river-lantern-42"
    seen_secrets.append(second_password)
    status, body, _ = sign_in(client, "priya.kumari", first_password, "sign in before the reset")
    before_reset = body.get("token") if status == 200 else None
    status, body, _ = client.request("POST", f"{API}/users/priya.kumari/password", token=admin, headers=desk,
                                     body={"password": second_password}, description="reset the password")
    expect(status == 200 and body["password_changed_at"], "an administrator resets a password", body)
    status, body, _ = client.request("GET", f"{API}/session", token=before_reset, description="a token from before the reset")
    expect(status == 401, "a password reset ends the user's sessions", body)
    status, body, _ = sign_in(client, "priya.kumari", first_password, "the old password")
    expect(status == 401, "the old password no longer works", body)
    status, body, _ = sign_in(client, "priya.kumari", second_password, "the new password")
    after_reset = body.get("token") if status == 200 else None
    expect(status == 200 and body["role"] == "agent", "the new password works, with the new role", body)
    status, body, _ = client.request("DELETE", f"{API}/users/priya.kumari/sessions", token=admin, headers=desk,
                                     description="sign the user out everywhere")
    expect(status == 200 and body["ended_sessions"] >= 1, "an administrator ends a user's sessions", body)
    status, body, _ = client.request("GET", f"{API}/session", token=after_reset, description="after sign out everywhere")
    expect(status == 401, "ended sessions are refused", body)

    # A second zone: given by an administrator who works there too.
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, headers=desk,
                                     body={"zones": ["LKO-E"]}, description="give a second zone")
    expect(status == 200 and body["zones"] == ["LKO-E"], "an administrator gives a user a second zone", body)
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin,
                                     body={"zones": ["LKO-X"]}, description="give an unknown zone")
    expect(status == 403, "only zones the administrator works in can be given", body)
    status, body, _ = client.request("POST", f"{API}/session",
                                     body={"username": "priya.kumari", "password": second_password, "zone": "LKO-E"},
                                     description="sign in to the second zone")
    expect(status == 200 and body["zone"] == "LKO-E" and body["zone_name"] == "Lucknow East",
           "the user signs in to the second zone", body)
    east_token = body.get("token") if status == 200 else None
    status, body, _ = client.request("GET", f"{API}/changes?limit=5", token=east_token,
                                     description="the second zone's feed")
    expect(status == 200 and all(c["consumer"]["zone"] == "LKO-E" for c in body["changes"]),
           "a session in the second zone sees that zone's consumers", body)
    status, body, _ = client.request("POST", f"{API}/session",
                                     body={"username": "agent", "password": "bijli-agent", "zone": "LKO-E"},
                                     description="sign in to a zone not given")
    expect(status == 403 and error_code(body) == "forbidden", "a zone not given is refused at sign-in", body)
    status, body, _ = client.request("PATCH", f"{API}/users/priya.kumari", token=admin, headers=desk,
                                     body={"zones": []}, description="take the second zone back")
    status, body, _ = client.request("GET", f"{API}/session", token=east_token, description="after the zone is taken back")
    expect(status == 401, "taking a zone back ends the sessions in it", body)

    status, body, _ = client.request("GET", f"{API}/audit?target=priya.kumari&limit=50", token=admin,
                                     description="the audit of a staff user")
    entries = body["entries"] if status == 200 else []
    actions = [e["action"] for e in entries]
    expect({"user.create", "user.disable", "user.enable", "user.update", "user.password_reset",
            "user.sessions_revoked"} <= set(actions),
           "every staff change is in the audit log", actions)
    expect(entries and all(e["desk"] == DESK_ID for e in entries if e["action"].startswith("user.")),
           "the audit log names the desk each change came from", [(e["action"], e["desk"]) for e in entries])
    expect(not any(p in json.dumps(body) for p in (first_password, second_password)),
           "no password is in the audit log")


def test_sign_out(client):
    """DELETE /session ends the session: its token is refused afterwards."""
    status, body, _ = sign_in(client, "agent", "bijli-agent", "sign in to sign out")
    token = body["token"] if status == 200 else None
    status, body, _ = client.request("DELETE", f"{API}/session", token=token, description="sign out")
    expect(status == 200 and body.get("signed_out") is True, "signing out answers signed_out", body)
    status, body, _ = client.request("GET", f"{API}/changes?limit=1", token=token,
                                     description="the old token after signing out")
    expect(status == 401 and error_code(body) == "unauthorized", "a signed-out token is refused", body)


def test_lockout(client):
    """Five wrong passwords lock a user name for 15 minutes."""
    for i in range(5):
        client.request("POST", f"{API}/session", body={"username": "locked.out", "password": f"guess-{i}"},
                       description=f"wrong password {i + 1} of 5")
    status, body, headers = client.request("POST", f"{API}/session",
                                           body={"username": "locked.out", "password": "guess-6"},
                                           description="a sixth try")
    expect(status == 429 and error_code(body) == "rate_limited" and 0 < body["error"].get("retry_after", 0) <= 900
           and headers.get("retry-after"),
           "the sixth sign-in within 15 minutes is refused with retry_after", (status, body))


def test_audit(client, tokens, central):
    """Sign-ins, views and writes are in the zone's audit log, for supervisors."""
    account = central[0]["account"]
    client.request("GET", f"{API}/consumers/{account}", token=tokens["operator"], description="a view to audit")
    status, body, _ = client.request("GET", f"{API}/audit", token=tokens["operator"],
                                     description="audit log as an operator")
    expect(status == 403 and error_code(body) == "forbidden", "the audit log is for supervisors", body)
    status, body, _ = client.request("GET", f"{API}/audit?limit=500", token=tokens["supervisor"],
                                     description="audit log")
    actions = [e["action"] for e in body["entries"]] if status == 200 else []
    expect(status == 200 and "session.sign_in" in actions and "consumer.view" in actions
           and "complaint.close" in actions and "session.sign_in_failed" in actions,
           "sign-ins, failed sign-ins, views and complaint actions are audited", sorted(set(actions)))
    mobile = next((c["mobile"] for c in central if c["mobile"]), None)
    expect(mobile is None or mobile not in json.dumps(body), "no full mobile number in the audit log")
    status, body, _ = client.request("GET", f"{API}/audit?target={account}&limit=5", token=tokens["supervisor"],
                                     description="audit log of one consumer")
    expect(status == 200 and body["entries"] and all(e["target"] == account for e in body["entries"]),
           "the audit log filters by consumer", body)
    status, body, _ = client.request("GET", f"{API}/audit?before=abc", token=tokens["supervisor"],
                                     description="audit log with a bad cursor")
    expect(status == 400, "a bad audit cursor is refused", body)


def start(exe, db, extra, stderr=None):
    server = Server(exe, db, extra=extra, stderr=stderr)
    line = server.next_line(timeout=60)
    match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line or "")
    if not expect(match is not None, f"the server starts with {' '.join(extra)}", repr(line)):
        server.stop()
        return None, None
    return server, int(match.group(1))


def test_sms_modes(exe, contract, db, central):
    """Outside demo mode the code is scrubbed once delivered; --sms-failure-rate 1 fails after the retries."""
    spare = [c for c in central if c["mobile"]][10:13]
    server, port = start(exe, db, ())
    if server is None:
        return
    try:
        client = Client(port, contract)
        status, body, _ = sign_in(client, "operator", "bijli-operator", "sign in without --demo")
        token = body["token"]
        status, body, _ = client.request("GET", f"{API}/demo/sms?mobile={spare[0]['mobile']}", token=token,
                                         description="demo sms without --demo")
        expect(status == 404 and error_code(body) == "not_found", "without --demo there is no demo inbox", body)
        status, ticket, _ = client.request("POST", f"{API}/otp", token=token,
                                           body={"account": spare[0]["account"], "purpose": "verify_mobile"},
                                           description="OTP without --demo")
        # The queued SMS is the only place the code exists; read it before the gateway sends it.
        row = db.row("SELECT secret FROM sms_outbox WHERE mobile = ? ORDER BY id DESC LIMIT 1",
                     spare[0]["mobile"])
        code = row[0] if row else None
        expect(code is not None and re.fullmatch(r"\d{6}", code), "the queued SMS holds the code until sent", row)
        done = wait_delivery(client, token, ticket["id"], "delivered", 15)
        expect(done is not None and done["delivery"] == "delivered", "the SMS is delivered without --demo", done)
        if code:
            found = db.scan(code)
            expect(not found, "after delivery the plain code is nowhere in the database (hash only)", found)
            # The scan reads every text cell: it finds what is stored in plain text.
            found = db.scan(spare[0]["mobile"])
            expect("sms_outbox.mobile" in found and "consumers.mobile" in found,
                   "the database scan finds a value stored in plain text (the consumer's mobile)", found)
            status, body, _ = client.request("POST", f"{API}/otp/{ticket['id']}/verify", token=token,
                                             body={"code": code}, description="verify without --demo")
            expect(status == 200 and body["state"] == "verified", "the scrubbed code still verifies (its hash)", body)
    finally:
        expect(server.stop() == 0, "the server without --demo stops cleanly")

    server, port = start(exe, db, ("--demo", "--sms-failure-rate", "1"))
    if server is None:
        return
    try:
        client = Client(port, contract)
        status, body, _ = sign_in(client, "operator", "bijli-operator", "sign in with failures")
        token = body["token"]
        status, ticket, _ = client.request("POST", f"{API}/otp", token=token,
                                           body={"account": spare[1]["account"], "purpose": "verify_mobile"},
                                           description="OTP with --sms-failure-rate 1")
        done = wait_delivery(client, token, ticket["id"], "failed", 30)
        expect(done is not None and done["delivery"] == "failed",
               "with --sms-failure-rate 1 the delivery ends failed", done)
        status, body, _ = client.request("GET", f"{API}/demo/sms?mobile={spare[1]['mobile']}", token=token,
                                         description="failed SMS in the inbox")
        expect(status == 200 and body["messages"][0]["status"] == "failed" and body["messages"][0]["attempts"] == 5,
               "a failed SMS was tried 5 times", body)
    finally:
        expect(server.stop() == 0, "the failing-SMS server stops cleanly")
    for bad in ("1.5", "-0.1", "x"):
        run = subprocess.run([exe, "--sms-failure-rate", bad, *db.args()], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=60, env=db.env())
        expect(run.returncode == 2, f"--sms-failure-rate {bad} is a usage error", run.returncode)


@contextlib.contextmanager
def databases(tmp, db_path, postgresql):
    """The run's two databases: the one most of it runs on, and the one --generate writes."""
    if postgresql is None:
        yield (SqliteDatabase(db_path or os.path.join(tmp, "central.sqlite3")),
               SqliteDatabase(os.path.join(tmp, "generated.sqlite3")))
        return
    prefix = f"bijli_contract_{os.getpid()}_{int(time.time())}"
    made = (PostgresqlDatabase(postgresql, prefix + "_main", os.path.join(tmp, "cache-main")),
            PostgresqlDatabase(postgresql, prefix + "_generated", os.path.join(tmp, "cache-generated")))
    try:
        yield made
    finally:
        for database in made:
            try:
                database.remove()
            except RuntimeError as error:
                tap.ok(False, f"the test database {database.name} is dropped", error)


def main():
    parser = argparse.ArgumentParser(
        description="Checks a running bijli-central against its OpenAPI document (TAP output).")
    parser.add_argument("--postgresql", action="store_true",
                        help="run the server on new databases in the PostgreSQL cluster that "
                             "BIJLI_TEST_POSTGRESQL names (skipped without it)")
    parser.add_argument("exe", metavar="BIJLI_CENTRAL")
    parser.add_argument("spec_path", metavar="OPENAPI_YAML")
    parser.add_argument("db_path", metavar="DB_PATH", nargs="?", help="the SQLite file to use")
    options = parser.parse_args()
    exe, spec_path = options.exe, options.spec_path
    postgresql = None
    if options.postgresql:
        if options.db_path is not None:
            parser.error("--postgresql makes its own databases: no DB_PATH")
        postgresql = os.environ.get("BIJLI_TEST_POSTGRESQL")
        if not postgresql:
            # A TAP skip: meson reads it from the plan (a status of 77 counts as an error).
            print("1..0 # SKIP no PostgreSQL (set BIJLI_TEST_POSTGRESQL or run through with-postgresql)")
            return 0
        if postgresql.startswith(("postgresql://", "postgres://")):
            print("1..0 # SKIP BIJLI_TEST_POSTGRESQL must be a libpq key=value string")
            return 0

    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    check_spec(spec)
    contract = Contract(spec)

    with tempfile.TemporaryDirectory(prefix="bijli-contract-") as tmp, \
            databases(tmp, options.db_path, postgresql) as (db, generated):
        db.reset()

        log_path = os.path.join(tmp, "server.log")
        log = open(log_path, "w")
        seen_secrets = []
        issue5 = None
        central = east = None
        server = Server(exe, db, stderr=log)
        line = server.next_line(timeout=60)
        match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line or "")
        if not tap.ok(match is not None, "the server prints 'Listening on http://127.0.0.1:PORT'", repr(line)):
            server.stop()
            tap.bail("the server did not start")
        port = int(match.group(1))

        banner = []
        while True:
            line = server.next_line(timeout=5)
            if line is None:
                break
            banner.append(line)
            if sum(1 for l in banner if "bijli-" in l) >= 5:
                break
        banner_text = "\n".join(banner)
        expect(all(word in banner_text for word in
                   ("operator", "bijli-operator", "agent", "bijli-agent", "supervisor",
                    "bijli-supervisor", "operator.east", "admin", "bijli-admin")),
               "the demo users and passwords are printed", banner_text)

        try:
            client = Client(port, contract)
            test_health(client)
            tokens = test_session(client)
            if len(tokens) != 5:
                tap.bail("cannot sign in the demo users")
            test_auth(client, tokens["operator"])
            central, east = test_changes(client, tokens)
            if central and east:
                test_snapshot(client, tokens, central, east, tmp)
                test_search(client, tokens, central, east)
                test_consumer(client, tokens, central, east)
                issue5 = test_otp_registration(client, tokens, central, seen_secrets)
                test_change_mobile(client, tokens, central, seen_secrets)
                test_indexing(client, tokens, central)
                test_issue5_zones(client, tokens, central, issue5)
                test_complaints(client, tokens, central, seen_secrets)
                test_audit(client, tokens, central)
                test_prepaid(client, tokens, central)
                test_requests(client, tokens, central, seen_secrets)
                test_authorization(client, tokens, central)
                test_staff(client, tokens, seen_secrets)
            test_sign_out(client)
            test_lockout(client)
            test_unknown(client, tokens["operator"])
            expect({200, 201, 400, 401, 404, 405, 409, 410, 413, 422, 429} <= client.seen_statuses,
                   "the run exercised 200, 201, 400, 401, 404, 405, 409, 410, 413, 422 and 429",
                   sorted(client.seen_statuses))
        finally:
            code = server.stop()
            log.close()
        with open(log_path, encoding="utf-8", errors="replace") as f:
            log_text = f.read()
        expect(code == 0, "SIGTERM stops the server with exit status 0",
               f"{code}\n" + "\n".join(l for l in log_text.splitlines() if "DEBUG" not in l)[-3000:])
        expect("/api/v1/otp/{id}/verify" in log_text and "/api/v1/consumers/{account}/indexing" in log_text,
               "the request log was on and shows path templates", log_text[-2000:])
        leaked = [secret for secret in seen_secrets if secret and secret in log_text]
        expect(seen_secrets and not leaked, "no OTP or temporary password appears in the server's log",
               (len(seen_secrets), leaked))
        # Personal data: the consumers' mobile numbers and the Aadhaar numbers
        # sent in this run must not be in the log either.
        mobiles = [c["mobile"] for c in (central or []) + (east or []) if c.get("mobile")]
        personal = [m for m in mobiles + [PLAIN_AADHAAR] if m in log_text]
        expect(mobiles and not personal, "no mobile or Aadhaar number appears in the server's log",
               (len(mobiles), personal[:3]))

        verify = subprocess.run([exe, "--verify-audit", *db.args()], capture_output=True, text=True, timeout=60,
                                env=db.env())
        expect(verify.returncode == 0 and "intact" in verify.stdout,
               "bijli-central --verify-audit finds the audit chain intact", (verify.returncode, verify.stdout, verify.stderr))

        # --demo again on the same database must not duplicate the consumers.
        server = Server(exe, db)
        line = server.next_line(timeout=60)
        match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line or "")
        if expect(match is not None, "the server restarts on the same database", repr(line)):
            client = Client(int(match.group(1)), contract)
            status, body, _ = sign_in(client, "operator.east", "bijli-operator", "sign in after restart")
            if status == 200:
                again, _ = read_feed(client, body["token"], "LKO-E", 1000)
                expect(again is not None and len(again) == len(east), "re-running --demo does not duplicate consumers",
                       None if again is None else len(again))
            if issue5:
                status, body, _ = sign_in(client, "operator", "bijli-operator", "sign in after restart")
                status, body, _ = client.request("POST", f"{API}/otp", token=body["token"],
                                                 body={"account": issue5["limited"], "purpose": "verify_mobile"},
                                                 description="OTP after a restart")
                expect(status == 429 and error_code(body) == "rate_limited",
                       "OTP send limits survive a restart", body)
        code = server.stop()
        expect(code == 0, "the restarted server also exits 0 on SIGTERM", code)

        if central:
            test_sms_modes(exe, contract, db, central)

        db.remove()

        generated.reset()
        test_generate_and_workers(exe, contract, generated, os.path.join(tmp, "generated.log"))

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
