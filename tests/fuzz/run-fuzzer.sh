#!/usr/bin/env bash
# Runs one libFuzzer target for a few seconds from a copy of its seed corpus
# (libFuzzer adds what it finds to the first folder it is given; the
# source tree is never written), after replaying every input in
# regressions/ that once crashed it.
#   run-fuzzer.sh FUZZER SEEDS_DIR REGRESSIONS_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 regressions=$3 seconds=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/
if compgen -G "$regressions/*" >/dev/null; then
  "$fuzzer" -error_exitcode=1 "$regressions"/*
fi
exec "$fuzzer" -error_exitcode=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work"
