#!/usr/bin/env bash
# The end-to-end benchmark of daftar against its alternatives, in one run on one machine.
#
#   benches/run.sh [--notes N] [--seed S] [--quick] [--micro] [--load] [--limits] [-- extra bench.py options]
#
# Builds the release binary and the bare-tantivy floor (benches/floor.rs), generates (or reuses) a
# seeded corpus of N notes (default 10,000) under target/bench/, then measures daftar, SQLite FTS5,
# ripgrep and bare tantivy on it (benches/bench.py). Prints a table and writes
# target/bench/summary.json. --quick shortens every measurement (for trying the tooling);
# --micro also runs the criterion micro-benchmarks afterwards (a few minutes).
# --load runs only benches/load.py instead (50 search clients for 60 s while notes are created,
# edited and deleted; target/bench/load.json), --limits only benches/limits.py (hostile-but-valid
# requests one at a time, slow clients; target/bench/limits.json); both take --notes, and options
# after `--` go to them.
#
# Needs: cargo, python3 (with sqlite3/FTS5), and wrk + ripgrep (installed from Debian's packages
# when missing and run as root; without them a Python client and grep stand in, and say so).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in benches/

notes=10000
seed=8
quick=0
micro=0
only=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --notes) notes="$2"; shift 2 ;;
    --notes=*) notes="${1#*=}"; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --seed=*) seed="${1#*=}"; shift ;;
    --quick) quick=1; shift ;;
    --micro) micro=1; shift ;;
    --load) only=load; shift ;;
    --limits) only=limits; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1"); shift ;;
  esac
done

say() { echo "[run.sh] $*" >&2; }

if [ -n "$only" ]; then
  # Neither needs wrk, ripgrep, SQLite or the floor: only the release binary.
  target_dir="${CARGO_TARGET_DIR:-target}"
  say "building the release binary"
  cargo build --release --quiet
  mkdir -p target/bench
  say "$only at $notes notes (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  exec python3 "benches/$only.py" --notes "$notes" --seed "$seed" --bin "$target_dir/release/daftar" \
    --out target/bench ${extra[@]+"${extra[@]}"}
fi

# Load generators and clients: from Debian's packages when missing (root only).
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v rg >/dev/null || missing+=(ripgrep)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) ||
      say "could not install ${missing[*]}: falling back to a Python client / grep"
  else
    say "${missing[*]} not found: falling back to a Python client / grep"
  fi
fi
python3 -c 'import sqlite3; sqlite3.connect(":memory:").execute("create virtual table t using fts5(a)")' ||
  { say "python3's sqlite3 lacks FTS5"; exit 2; }

target_dir="${CARGO_TARGET_DIR:-target}"
say "building the release binary"
cargo build --release --quiet
say "building the bare-tantivy floor (benches/floor.rs)"
floor=$(benches/floor-bin.sh) || { say "could not build benches/floor.rs"; exit 2; }

if [ "$quick" = 1 ]; then
  extra=(--requests 300 --latency-s 20 --wrk-s 5 --fresh 12 --bulk 200 --build-rounds 1 --sqlite-rounds 2 --rg-budget-s 10 "${extra[@]}")
fi
say "measuring at $notes notes (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 benches/bench.py --notes "$notes" --seed "$seed" --bin "$target_dir/release/daftar" --floor "$floor" \
  --out target/bench ${extra[@]+"${extra[@]}"}

if [ "$micro" = 1 ]; then
  say "criterion micro-benchmarks (input: the corpus just measured)"
  DAFTAR_BENCH_CORPUS="target/bench/corpus-$notes-s$seed" cargo bench --bench micro
fi
