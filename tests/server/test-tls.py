#!/usr/bin/env python3
"""bijli-central serves HTTPS with --tls-cert/--tls-key: a client that
trusts the certificate gets its answers, one that does not is refused,
and plain HTTP on that port gets nothing. The certificate and key in
tests/server/tls/ are self-signed for 127.0.0.1 and exist only for this
test.

Usage: test-tls.py BIJLI_CENTRAL TLS_DIR
"""
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile

results = []


def ok(condition, description, detail=None):
    results.append(bool(condition))
    print(f"{'ok' if condition else 'not ok'} {len(results)} - {description}", flush=True)
    if not condition and detail is not None:
        for line in str(detail).splitlines()[:10]:
            print(f"# {line}", flush=True)


def main():
    exe, tls_dir = sys.argv[1], sys.argv[2]
    cert = os.path.join(tls_dir, "test-cert.pem")
    key = os.path.join(tls_dir, "test-key.pem")
    print("1..5", flush=True)

    bad = subprocess.run([exe, "--port", "0", "--db", ":memory:", "--tls-cert", cert],
                         capture_output=True, text=True, timeout=30)
    ok(bad.returncode == 2 and "--tls-key" in bad.stderr, "--tls-cert alone is refused", bad.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([exe, "--demo", "--consumers", "50", "--port", "0",
                                   "--db", os.path.join(tmp, "c.db"), "--tls-cert", cert, "--tls-key", key],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline().strip()
            match = re.fullmatch(r"Listening on https://127\.0\.0\.1:(\d+)", line)
            ok(match, "the server announces an https:// address", line)
            if not match:
                return 1
            port = int(match.group(1))

            trusting = ssl.create_default_context(cafile=cert)
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=trusting, timeout=10)
            connection.request("POST", "/api/v1/session", body=json.dumps({"username": "operator",
                                                                           "password": "bijli-operator"}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = json.loads(response.read())
            ok(response.status == 200 and body.get("token"), "a client that trusts the certificate signs in over TLS",
               (response.status, body))

            refused = None
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(),
                                                         timeout=10)
                connection.request("GET", "/api/v1/health")
                connection.getresponse()
            except ssl.SSLCertVerificationError as error:
                refused = error
            ok(refused is not None, "a client that does not trust it refuses the connection", refused)

            plain = None
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/api/v1/health")
                plain = connection.getresponse().status
            except Exception:
                plain = None
            ok(plain is None or plain >= 400, "plain HTTP on the HTTPS port gets no answer", plain)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
