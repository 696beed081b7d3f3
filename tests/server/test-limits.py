#!/usr/bin/env python3
"""bijli-central does not let a slow or idle client hold a connection: a
request whose headers trickle in, and a kept-alive connection left idle,
are closed after the idle timeout (2 s here, --idle-timeout; 90 s by
default); a body too large by its Content-Length is refused at once; a
request sent in time is served.

Usage: test-limits.py BIJLI_CENTRAL
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

results = []


def ok(condition, description, detail=None):
    results.append(bool(condition))
    print(f"{'ok' if condition else 'not ok'} {len(results)} - {description}", flush=True)
    if not condition and detail is not None:
        for line in str(detail).splitlines()[:10]:
            print(f"# {line}", flush=True)


def closed_within(sock, seconds):
    """Seconds until the server closed sock (None if it did not)."""
    sock.settimeout(seconds)
    start = time.monotonic()
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return time.monotonic() - start
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - start
    except socket.timeout:
        return None


def main():
    exe = sys.argv[1]
    print("1..5", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([exe, "--demo", "--consumers", "50", "--no-meters", "--port", "0",
                                   "--idle-timeout", "2", "--db", os.path.join(tmp, "c.db")],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline().strip()
            match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line)
            ok(match, "the server starts with --idle-timeout 2", line)
            if not match:
                return 1
            port = int(match.group(1))

            slow = socket.create_connection(("127.0.0.1", port))
            slow.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            waited = closed_within(slow, 10)
            ok(waited is not None and waited < 6, "a request whose headers never finish is closed after the idle timeout",
               waited)
            slow.close()

            idle = socket.create_connection(("127.0.0.1", port))
            idle.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            idle.settimeout(5)
            answer = idle.recv(4096)
            ok(answer.startswith(b"HTTP/1.1 200"), "a request sent in time is served", answer[:80])
            waited = closed_within(idle, 20)
            ok(waited is not None and waited < 6, "a kept-alive connection left idle is closed", waited)
            idle.close()

            large = socket.create_connection(("127.0.0.1", port))
            large.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n")
            large.settimeout(5)
            answer = large.recv(4096)
            ok(answer.startswith(b"HTTP/1.1 413"), "a body too large by its Content-Length is refused before it is sent (Expect: 100-continue)",
               answer[:80])
            large.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
