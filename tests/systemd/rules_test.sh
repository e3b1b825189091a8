#!/usr/bin/env bash
# Checks the Prometheus alert rules in systemd/customsd.rules.yml:
#  1. `promtool check rules` accepts the file (syntax, PromQL, templates);
#  2. `promtool test rules` passes the unit tests in tests/systemd/customsd.rules.test.yml
#     (every rule fires where it should and stays quiet where it should);
#  3. CustomsdDown is the file's first rule (an operator reading the file meets it first).
#
# Usage: rules_test.sh            exit 0 when both pass, 1 otherwise
# promtool comes with Debian's package prometheus (scripts/setup installs it).
set -euo pipefail

if [ $# -ne 0 ]; then
  echo "usage: $0" >&2
  exit 2
fi
if ! command -v promtool >/dev/null; then
  echo "rules_test: promtool not found (Debian package prometheus; scripts/setup installs it)" >&2
  exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
rules="$here/../../systemd/customsd.rules.yml"
status=0

if promtool check rules "$rules"; then
  echo "ok: promtool check rules"
else
  echo "FAIL: promtool check rules $rules" >&2
  status=1
fi

# rule_files in the test file are relative to the test file's folder.
if promtool test rules "$here/customsd.rules.test.yml"; then
  echo "ok: promtool test rules"
else
  echo "FAIL: promtool test rules $here/customsd.rules.test.yml" >&2
  status=1
fi

first=$(grep -m1 -oE 'alert: *[A-Za-z]+' "$rules" | sed 's/alert: *//')
if [ "$first" = CustomsdDown ]; then
  echo "ok: CustomsdDown is the first rule"
else
  echo "FAIL: the first rule of $rules is '$first', not CustomsdDown" >&2
  status=1
fi

exit "$status"
