#!/usr/bin/env bash
# Checks a scrape of customsd's /metrics with `promtool check metrics`: the Prometheus text
# format parses, and the names follow the conventions promtool lints (counters end in _total,
# base units, help text present, ...). Any finding is a failure.
#
# Usage: metrics_check.sh FILE     FILE holds the body of GET /metrics
# Exit: 0 clean, 1 promtool found a problem (printed on stderr) or is missing, 2 bad usage.
# promtool comes with Debian's package prometheus (scripts/setup installs it).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
file=$1
if [ ! -f "$file" ] || [ ! -r "$file" ]; then
  echo "metrics_check: $file: not a readable file" >&2
  exit 2
fi
if ! command -v promtool >/dev/null; then
  echo "metrics_check: promtool not found (Debian package prometheus; scripts/setup installs it)" >&2
  exit 1
fi

# promtool exits 0 on lint warnings ("... counter metrics should have \"_total\" suffix")
# in some versions, so its output counts as a finding too.
rc=0
out=$(promtool check metrics <"$file" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
  printf '%s\n' "$out" >&2
  echo "FAIL: promtool check metrics $file (exit $rc)" >&2
  exit 1
fi
echo "ok: promtool check metrics $file"
