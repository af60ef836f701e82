#!/usr/bin/env python3
"""A/B of two daftar binaries on one generated corpus, each with its own index (built first with
`daftar index --root ROOT --index DIR`): the bench query mix, interleaved request by request so
both binaries see the same machine noise. Prints which queries the two answer differently (all
but `took_ms`), p50/p90/p99 per binary, the per-query medians, and the times of any extra paths.

    python3 benches/ab.py ROOT A_BIN A_INDEX B_BIN B_INDEX [ROUNDS] [PATH...]
"""
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import bench  # noqa: E402

root, a_bin, a_idx, b_bin, b_idx = sys.argv[1:6]
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 20
extra = sys.argv[7:]  # extra paths to time
info = json.load(open(os.path.join(root, ".bench", "corpus.json"), encoding="utf-8"))
mix = bench.query_mix(info["programs"])
paths = [(bench.label(q), bench.api_path(q)) for q in mix]

def start(binary, idx):
    port = bench.free_port()
    p = subprocess.Popen([binary, "serve", "--root", root, "--index", idx, "--no-watch", "--addr", f"127.0.0.1:{port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c = bench.Client(port)
    for _ in range(600):
        try:
            if c.get("/readyz")[0] == 200:
                return p, c
        except Exception:
            c = bench.Client(port)
        time.sleep(0.1)
    raise SystemExit("not ready")

servers = {"A": start(a_bin, a_idx), "B": start(b_bin, b_idx)}
# The servers stop however the run ends (a failed request, or output piped to `head`).
try:
    times = {"A": [], "B": []}
    per = {"A": {}, "B": {}}
    # Warm-up, and a check that both answer alike: a change meant to be faster must not change
    # what a search returns (only `took_ms` may differ).
    differ = []
    for q, p in paths:
        bodies = []
        for name, (_, c) in servers.items():
            st, body = c.json(p)
            assert st == 200, (name, p, st)
            body.pop("took_ms", None)
            bodies.append(body)
        if bodies[0] != bodies[1]:
            differ.append(q)
    print("answers differ for %d of %d queries%s" % (len(differ), len(paths), (": " + ", ".join(differ)) if differ else ""))
    rng = random.Random(1)
    for r in range(rounds):
        order = paths[:]
        rng.shuffle(order)
        for q, p in order:
            for name in (["A", "B"] if r % 2 == 0 else ["B", "A"]):
                c = servers[name][1]
                t = time.perf_counter()
                st, _ = c.get(p)
                ms = (time.perf_counter() - t) * 1000
                assert st == 200, (name, p, st)
                times[name].append(ms)
                per[name].setdefault(q, []).append(ms)
    for name in "AB":
        print(name, "p50 %.2f p90 %.2f p99 %.2f n=%d" % (bench.pct(times[name], 50), bench.pct(times[name], 90), bench.pct(times[name], 99), len(times[name])))
    print("per query p50 (A, B):")
    for q in per["A"]:
        print("  %-45s %8.2f %8.2f" % (q[:45], bench.pct(per["A"][q], 50), bench.pct(per["B"][q], 50)))
    for p in extra:
        for name in "AB":
            c = servers[name][1]
            ts = []
            for _ in range(3):
                t = time.perf_counter(); st, body = c.get(p); ts.append((time.perf_counter() - t) * 1000)
            print(f"{name} {p}: status {st}, ms {sorted(ts)}")
finally:
    for p, c in servers.values():
        p.terminate()
        p.wait()

