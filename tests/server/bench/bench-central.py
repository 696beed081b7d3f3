#!/usr/bin/python3
# bench-central.py: bijli-central at zone scale (issue 4).
#
# Generates a demo database (timing it), then, with 1 and 2 worker
# processes, runs wrk against the constant health answer (the HTTP stack's
# baseline), the consumer lookup, and name and identifier searches, and
# times a full pull of the LKO-C changes feed in pages of 1000. Prints a
# table.
#
# Usage: bench-central.py BIJLI_CENTRAL WORKDIR [--consumers N] [--duration S]
#                         [--threads T] [--connections C] [--workers 1,2]
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
NAME_QUERIES = ["ram", "sharma", "shri", "राम", "sunita devi", "mohd", "srivastava",
                "kh", "a", "shrivastav", "श्रिवास्तव", "gupta", "yadav", "tiw", "रमेश"]


class Server:
    def __init__(self, exe, db_path, workers):
        self.lines = queue.Queue()
        self.process = subprocess.Popen(
            [exe, "--port", "0", "--db", db_path, "--workers", str(workers)],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        line = self.lines.get(timeout=300)
        match = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line or "")
        if match is None:
            self.stop()
            raise RuntimeError(f"bijli-central did not start: {line!r}")
        self.port = int(match.group(1))

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def sign_in(port, username):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": "bijli-operator"})
    connection.request("POST", "/api/v1/session", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    document = json.loads(response.read())
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"sign-in failed: {document}")
    return document["token"]


def wrk(url, script, env, args):
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "-s", os.path.join(HERE, script), url]
    run = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=args.duration + 120)
    match = re.search(r"BENCH requests=(\d+) duration_us=(\d+) socket_errors=(\d+) non_2xx=(\d+) "
                      r"p50_us=(\d+) p99_us=(\d+)", run.stdout)
    if match is None:
        raise RuntimeError(f"wrk gave no summary:\n{run.stdout}\n{run.stderr}")
    requests, duration_us, socket_errors, non_2xx, p50, p99 = map(int, match.groups())
    return {"rps": requests / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "errors": socket_errors + non_2xx}


def pull_feed(port, token, page_size):
    """Every page of the caller's zone on one keep-alive connection; requests only."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    cursor = None
    records = 0
    pages = []
    total_bytes = 0
    start = time.monotonic()
    while True:
        query = {"limit": str(page_size)}
        if cursor is not None:
            query["since"] = cursor
        t0 = time.monotonic()
        connection.request("GET", "/api/v1/changes?" + urllib.parse.urlencode(query), headers=headers)
        response = connection.getresponse()
        body = response.read()
        pages.append(time.monotonic() - t0)
        if response.status != 200:
            raise RuntimeError(f"changes page failed: {response.status} {body[:200]!r}")
        total_bytes += len(body)
        # The page ends with next_cursor, has_more and remaining: read those
        # without parsing a thousand consumers in Python.
        tail = body[-200:].decode("utf-8", "replace")
        cursor = re.search(r'"next_cursor":"(\d+)"', tail).group(1)
        has_more = re.search(r'"has_more":(true|false)', tail).group(1) == "true"
        records += body.count(b'"kind":"consumer"')
        if not has_more:
            break
    total = time.monotonic() - start
    connection.close()
    pages.sort()
    return {"seconds": total, "records": records, "pages": len(pages), "mb": total_bytes / 1e6,
            "page_p50_ms": pages[len(pages) // 2] * 1000,
            "page_p99_ms": pages[min(len(pages) - 1, int(len(pages) * 0.99))] * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("exe")
    parser.add_argument("workdir")
    parser.add_argument("--consumers", type=int, default=int(os.environ.get("BENCH_CONSUMERS", "1000000")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 77

    os.makedirs(args.workdir, exist_ok=True)
    db_path = os.path.join(args.workdir, "bench-central.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.unlink(db_path + suffix)

    start = time.monotonic()
    subprocess.run([args.exe, "--generate", "--consumers", str(args.consumers), "--db", db_path],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    generate_s = time.monotonic() - start
    db_mb = os.path.getsize(db_path) / 1e6

    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        accounts = [row[0] for row in db.execute(
            "SELECT account FROM consumers WHERE zone = 'LKO-C' ORDER BY random() LIMIT 20000")]
        identifiers = [row[0] for row in db.execute(
            "SELECT mobile FROM consumers WHERE zone = 'LKO-C' AND mobile IS NOT NULL "
            "ORDER BY random() LIMIT 5000")]
        zone_count = db.execute("SELECT COUNT(*) FROM consumers WHERE zone = 'LKO-C'").fetchone()[0]
    identifiers += random.sample(accounts, 5000)

    files = {}
    for name, lines in (("accounts", accounts), ("names", NAME_QUERIES), ("identifiers", identifiers)):
        files[name] = os.path.join(args.workdir, f"bench-{name}.txt")
        with open(files[name], "w", encoding="utf-8") as f:
            f.write("\n".join(urllib.parse.quote(line) for line in lines) + "\n")

    rows = []
    feed = None
    for workers in [int(w) for w in args.workers.split(",")]:
        server = Server(args.exe, db_path, workers)
        try:
            base = f"http://127.0.0.1:{server.port}"
            token = sign_in(server.port, "operator")
            env = {"BIJLI_TOKEN": token}
            runs = [
                ("GET /health (constant answer)", f"{base}/api/v1/health", "health.lua", {}),
                ("GET /consumers/{account}", base, "lookup.lua", {"BIJLI_ACCOUNTS": files["accounts"]}),
                ("GET /consumers?q= account or mobile", base, "search.lua", {"BIJLI_QUERIES": files["identifiers"]}),
                ("GET /consumers?q= name (limit 20)", base, "search.lua", {"BIJLI_QUERIES": files["names"]}),
            ]
            for label, url, script, extra in runs:
                result = wrk(url, script, {**env, **extra}, args)
                rows.append((workers, label, result))
            if feed is None:
                feed = pull_feed(server.port, token, 1000)
        finally:
            code = server.stop()
            if code != 0:
                print(f"bijli-central --workers {workers} exited with {code}", file=sys.stderr)

    cpus = os.cpu_count()
    load = os.getloadavg()[0]
    print()
    print(f"bijli-central benchmark: {args.consumers:,} demo consumers ({zone_count:,} in LKO-C), "
          f"{cpus} CPUs, load average {load:.1f} at the end")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback (wrk shares the CPUs)")
    print()
    print(f"| {'step':<50} | {'result':>36} |")
    print(f"|{'-' * 52}|{'-' * 38}|")
    print(f"| {'--generate (users, consumers, indexes, FTS)':<50} | "
          f"{f'{generate_s:.1f} s, {db_mb:.0f} MB':>36} |")
    for workers, label, r in rows:
        result = f"{r['rps']:,.0f} req/s  p50 {r['p50_ms']:.1f}  p99 {r['p99_ms']:.1f} ms"
        if r["errors"]:
            result += f"  {r['errors']} errors"
        print(f"| {f'{label}, {workers} worker' + ('s' if workers > 1 else ''):<50} | {result:>36} |")
    if feed is not None:
        result = f"{feed['seconds']:.1f} s, {feed['pages']} pages, {feed['mb']:.0f} MB"
        print(f"| {'changes feed, all of LKO-C, pages of 1000':<50} | {result:>36} |")
        result = f"p50 {feed['page_p50_ms']:.1f} ms  p99 {feed['page_p99_ms']:.1f} ms"
        print(f"| {'  one page of 1000 (round trip)':<50} | {result:>36} |")
        if feed["records"] != zone_count:
            print(f"feed pulled {feed['records']} records, expected {zone_count}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
