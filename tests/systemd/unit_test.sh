#!/usr/bin/env bash
# Checks systemd/customsd.service offline, without a running systemd (containers, CI):
#  1. `systemd-analyze verify` accepts it, with no warning at all: depending on its options,
#     verify (systemd 252) exits 0 on an unknown key or an unparsable value ("..., ignoring"),
#     so any output counts as a failure;
#  2. `systemd-analyze security --offline=yes` rates its exposure at 2.5 or less.
#
# Usage: unit_test.sh CUSTOMSD_BINARY
# verify insists that ExecStart= names an executable, and /usr/bin/customsd does not exist
# before installation, so the unit is checked as a copy whose ExecStart= points at the built
# binary. Nothing else in the unit changes.
set -euo pipefail

# systemd-analyze's --threshold is on its internal 0-100 scale, 10 times the printed figure,
# and fails only when the exposure is above it: 25 means "fail above 2.5".
readonly threshold=25

if [ $# -ne 1 ]; then
  echo "usage: $0 CUSTOMSD_BINARY" >&2
  exit 2
fi
binary=$(realpath -- "$1")
if [ ! -x "$binary" ]; then
  echo "unit_test: $binary is not an executable" >&2
  exit 2
fi
case "$binary" in
  *[[:space:]\"\'\\%\$]*)
    printf '%s\n' "unit_test: $binary: a path with spaces, quotes, backslashes, '%' or '\$' cannot go into ExecStart=" >&2
    exit 2
    ;;
esac
if ! command -v systemd-analyze >/dev/null; then
  echo "unit_test: systemd-analyze not found (Debian package systemd; scripts/setup installs it)" >&2
  exit 1
fi

source_unit="$(cd "$(dirname "$0")/../.." && pwd)/systemd/customsd.service"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit="$tmp/customsd.service"  # verify wants a valid unit name

original='ExecStart=/usr/bin/customsd run'
if [ "$(grep -c -x -F -- "$original" "$source_unit")" -ne 1 ]; then
  echo "unit_test: $source_unit: expected exactly one line '$original'" >&2
  exit 1
fi
while IFS= read -r line || [ -n "$line" ]; do
  if [ "$line" = "$original" ]; then line="ExecStart=$binary run"; fi
  printf '%s\n' "$line"
done <"$source_unit" >"$unit"

status=0

if ! out=$(systemd-analyze verify --man=no --recursive-errors=no "$unit" 2>&1); then
  echo "FAIL: systemd-analyze verify:" >&2
  status=1
elif [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify printed warnings:" >&2
  status=1
else
  echo "ok: systemd-analyze verify"
fi
if [ -n "$out" ]; then printf '%s\n' "$out" >&2; fi

security_rc=0
report=$(systemd-analyze security --offline=yes --threshold="$threshold" "$unit" 2>&1) ||
  security_rc=$?
exposure=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
  printf '%s\n' "$report" >&2
  echo "FAIL: systemd-analyze security printed no exposure level (exit $security_rc)" >&2
  status=1
elif [ "$security_rc" -ne 0 ]; then
  printf '%s\n' "$report" | grep -F '✗' >&2 || true
  echo "FAIL: exposure $exposure is above $((threshold / 10)).$((threshold % 10))" >&2
  status=1
else
  echo "ok: systemd-analyze security: exposure $exposure (fails above $((threshold / 10)).$((threshold % 10)))"
fi

exit "$status"
