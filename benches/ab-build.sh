#!/usr/bin/env bash
# Compares full index builds of two or more daftar binaries on one corpus, interleaved round after
# round so that all see the same noise (and each takes each place in the round in turn), with bare
# tantivy's floor (benches/floor.rs) timed in the same rounds. Prints each run, then the medians:
# wall seconds, user and system CPU seconds.
#
#   benches/ab-build.sh [--one-core] ROUNDS CORPUS BIN [BIN...]
#   e.g. benches/ab-build.sh 6 target/bench/corpus-10000-s8 /tmp/daftar-before target/release/daftar
#
# With --one-core every build (and the floor) runs on one CPU (`taskset -c 1`): it times the CPU
# work with less of the scheduling noise two busy cores add, and resolves changes of 2 to 3% that
# two-core rounds on a shared machine do not (BENCHMARKS.md, stop 18).
#
# Copy each binary aside first (a rebuild replaces target/release/daftar). Each build rewrites the
# corpus's own index (`daftar index --rebuild`); the floor writes to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
pin=()
if [ "${1:-}" = --one-core ]; then
  command -v taskset >/dev/null || { echo "--one-core needs taskset (util-linux)" >&2; exit 2; }
  pin=(taskset -c 1)
  shift
fi
[ $# -ge 3 ] || { echo "usage: benches/ab-build.sh [--one-core] ROUNDS CORPUS BIN [BIN...]" >&2; exit 2; }
rounds=$1 corpus=$2
shift 2
floor=$(benches/floor-bin.sh) || { echo "could not build benches/floor.rs" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
bins=("$@")
for round in $(seq "$rounds"); do
  # The binaries take turns at each place in the round: the build right after the floor ran
  # about 7% slower (two copies of one binary, 10 rounds: 2.28 against 2.12 s, the difference
  # mostly system time), so a fixed order favoured whichever binary came later.
  for i in "${!bins[@]}"; do
    bin=${bins[$(((i + round) % ${#bins[@]}))]}
    /usr/bin/time -f "$bin %e %U %S" "${pin[@]}" "$bin" index --root "$corpus" --rebuild 2>&1 >/dev/null | tail -1
  done
  rm -rf "$scratch/floor"
  "${pin[@]}" "$floor" --root "$corpus" --index "$scratch/floor" |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print("floor-pipeline", round(d["pipeline_s"], 3), round(d["index_s"], 3))'
done | python3 -c '
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in sys.stdin:
    print(line.rstrip())
    name, *figures = line.split()
    runs[name].append([float(f) for f in figures])
print("medians (daftar: wall, user, sys s; floor-pipeline: same-pipeline s, text-in-hand s):")
for name, rows in runs.items():
    print(f"  {name:40} " + " ".join(f"{statistics.median(col):.3f}" for col in zip(*rows)))
'
