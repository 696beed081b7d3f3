#!/usr/bin/python3
# bench-startup.py: desk start to usable window.
#
# Starts bijli-desk --benchmark-startup RUNS times; the desk prints when
# its first frame (the sign-in page) was painted, measured from the top of
# main() and as a CLOCK_MONOTONIC time, then quits. This script also takes
# the wall clock from just before exec, so the figure includes loading the
# binary and its libraries. Run inside a display and a D-Bus session, e.g.
#   tests/ui/xvfb-session.sh /usr/bin/python3 tests/ui/bench-startup.py build/src/ui/bijli-desk
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get('BD_BENCH_RUNS', '15'))


def run_once(desk, env):
    start_ns = time.monotonic_ns()
    out = subprocess.run([desk, '--benchmark-startup'], env=env, capture_output=True,
                         text=True, timeout=60).stdout
    match = re.search(r'first-frame-ms: ([\d.]+) monotonic-us: (\d+)', out)
    if not match:
        raise SystemExit(f"bijli-desk printed no first-frame line: {out!r}")
    in_process = float(match.group(1))
    from_exec = (int(match.group(2)) * 1000 - start_ns) / 1e6
    return in_process, from_exec


def main():
    desk = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix='bijli-bench-startup-') as tmp:
        env = dict(os.environ)
        env.update({'XDG_DATA_HOME': os.path.join(tmp, 'data'),
                    'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
                    'GSETTINGS_BACKEND': 'memory'})
        env.pop('BIJLI_DESK_PASSWORD', None)
        run_once(desk, env)  # warm the page cache and the font cache
        results = [run_once(desk, env) for _ in range(RUNS)]
    renderer = os.environ.get('GSK_RENDERER', 'default')
    print(f"Desk start to first frame of the sign-in page, {RUNS} runs, GSK_RENDERER={renderer} (ms)")
    print("| measured from        |    min | median |    max |")
    print("|----------------------|--------|--------|--------|")
    for label, values in (("top of main()", [r[0] for r in results]),
                          ("exec (wall clock)", [r[1] for r in results])):
        print(f"| {label:<20} | {min(values):6.1f} | {statistics.median(values):6.1f} | {max(values):6.1f} |")
    return 0


if __name__ == '__main__':
    sys.exit(main())
