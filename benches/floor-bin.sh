#!/usr/bin/env bash
# Builds the bare-tantivy floor (benches/floor.rs, release) and prints the path of its executable.
# The build's output goes to target/bench/floor-build.log; on failure its tail goes to stderr and
# the exit status is 2. Used by benches/run.sh and benches/ab-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
floor=$(cargo bench --bench floor --no-run --message-format=json-render-diagnostics 2>target/bench/floor-build.log |
  python3 -c '
import json, sys
exe = None
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "floor" and m.get("executable"):
        exe = m["executable"]
print(exe or "")
')
if [ -z "$floor" ] || [ ! -x "$floor" ]; then
  tail -20 target/bench/floor-build.log >&2
  exit 2
fi
echo "$floor"
