#!/usr/bin/env bash
# Where daftar spends its time: perf profiles of a full index build and of /api/search under the
# benchmark's query mix, summarised as the functions with the largest inclusive share.
#
#   benches/profile.sh [--notes N] [--search-only]   (default 10,000; reuses target/bench/corpus-N-s8;
#                                                    --search-only skips profiling the build)
#
# Needs perf (Debian: linux-perf). Sampling uses the cpu-clock software event and DWARF call
# graphs, so it works on virtual machines without hardware counters. The release profile keeps
# line tables (`debug = "line-tables-only"`), enough for symbols and inlined frames.
# Raw data: target/bench/perf-index.data, target/bench/perf-search.data (perf report -i ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in benches/
notes=10000
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --notes) notes="$2"; shift 2 ;;
    --search-only) build=0; shift ;;
    *) echo "usage: benches/profile.sh [--notes N] [--search-only]" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 2; }
cargo build --release --quiet
mkdir -p target/bench
root=target/bench/corpus-$notes-s8
if [ ! -f "$root/.bench/corpus.json" ] || [ -f "$root/.bench/dirty" ]; then
  python3 benches/gen_corpus.py --notes "$notes" --seed 8 --out "$root"
fi
bin=target/bench/daftar-profiled
cp target/release/daftar "$bin"   # a copy: a rebuild while profiling must not pull the binary away

summarise() {
  perf report -i "$1" --children --sort symbol --stdio -g none --percent-limit 1.5 2>/dev/null | python3 -c '
import re, sys
skip = re.compile(r"call_once|catch_unwind|do_call|__rust_begin|spawn_unchecked|lifecycle|start_thread|clone3|"
                  r"\{closure#|\{closure_env|poll<|poll_inner|poll_future|with_mut|Executor::map|"
                  r"^main$|lang_start|__libc_start|_start$|^0x|\[k\]|entry_SYSCALL|do_syscall|blocking::task")
seen, rows = set(), []
for line in sys.stdin:
    m = re.match(r"\s+([\d.]+)%\s+([\d.]+)%\s+\[.\]\s+(.*?)\s{3,}", line)
    if not m:
        continue
    total, own, sym = float(m.group(1)), float(m.group(2)), m.group(3)
    short = re.sub(r"<[^<>]*>", "", re.sub(r"<[^<>]*>", "", re.sub(r"<[^<>]*>", "", sym)))[:110]
    if skip.search(sym) or short in seen:
        continue
    seen.add(short)
    rows.append((total, own, short))
for total, own, short in rows[:int(sys.argv[1])]:
    print(f"  {total:5.1f}%  (self {own:4.1f}%)  {short}")
' "${2:-28}"
}

if [ "$build" = 1 ]; then
  echo "== full index build of $notes notes (daftar index --rebuild) =="
  perf record -q -F 499 --call-graph dwarf,32768 -o target/bench/perf-index.data -- \
    "$bin" index --root "$root" --rebuild
  summarise target/bench/perf-index.data 30
  echo "   by thread:"
  perf report -i target/bench/perf-index.data --no-children --sort comm --stdio -g none 2>/dev/null |
    grep -E '^\s+[0-9.]+%' | sed 's/^/   /'
else
  "$bin" index --root "$root" >/dev/null   # brings an existing index up to date
fi

echo
echo "== /api/search, the benchmark query mix at one client, $notes notes =="
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --root "$root" --addr "127.0.0.1:$port" --no-watch >target/bench/serve-profile.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
python3 - "$port" <<'EOF'
import sys, time, urllib.request
for _ in range(6000):
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=2).status == 200:
            break
    except OSError:
        time.sleep(0.1)
EOF
python3 - "$port" "$root" <<'EOF' &
import json, sys
sys.path.insert(0, "benches")
import bench
port, root = int(sys.argv[1]), sys.argv[2]
info = json.load(open(root + "/.bench/corpus.json"))
r = bench.latency_one_client(port, bench.query_mix(info["programs"]), 10**9, 22, 1)
print(f"   (one client during the profile: p50 {r['search_p50_ms']:.2f} ms, p99 {r['search_p99_ms']:.2f} ms)")
EOF
client=$!
sleep 4
perf record -q -F 299 --call-graph dwarf,65528 -p "$pid" -o target/bench/perf-search.data -- sleep 15
wait "$client"
summarise target/bench/perf-search.data 30
