#!/usr/bin/env python3
"""A/B of two daftar binaries on the benchmark's 1,000-note change: each round starts one binary
serving ROOT (its own index), changes 1,000 notes as a pull would while a client searches the mix
(`bench.bulk_change`, as `benches/run.sh` does), records the serving peak RSS, puts the notes back,
and stops it; the binaries alternate round by round. Prints each round and the medians.

    python3 benches/ab-bulk.py ROOT A_BIN B_BIN [ROUNDS] [--full]

With `--full`, each round first runs the rest of run.sh's serve phase as it does (one client for
15 s, wrk with 16 clients for 10 s, 50 single-note writes), and reports the peak RSS after each
step: the serving peak of the benchmark, phase by phase.

Both binaries use ROOT's index in turn, so they must read the same index version.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import bench  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import gen_corpus  # noqa: E402

full = "--full" in sys.argv
args = [a for a in sys.argv[1:] if a != "--full"]
root, a_bin, b_bin = args[:3]
rounds = int(args[3]) if len(args) > 3 else 4
info = json.load(open(os.path.join(root, ".bench", "corpus.json"), encoding="utf-8"))
mix = bench.query_mix(info["programs"])
docs = bench.read_corpus(root)
log_dir = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "target", "bench")
os.makedirs(log_dir, exist_ok=True)
results = {"A": [], "B": []}
for r in range(rounds):
    order = [("A", a_bin), ("B", b_bin)] if r % 2 == 0 else [("B", b_bin), ("A", a_bin)]
    for name, binary in order:
        server = bench.Server(binary, root, os.path.join(log_dir, f"ab-bulk-{name}.log"))
        server.start()
        changed = {"created": [], "modified": {}}
        try:
            hwm = lambda: bench.proc_status(server.proc.pid).get("VmHWM")  # noqa: E731
            parts = lambda: "anon {RssAnon:.0f} file {RssFile:.0f}".format(**bench.proc_status(server.proc.pid))  # noqa: E731
            steps = []
            if full:
                bench.latency_one_client(server.port, mix, 3000, 15, 8)
                steps.append(("one client", hwm(), parts()))
                bench.throughput(server.port, mix, log_dir, 10)
                steps.append(("16 clients", hwm(), parts()))
                fresh = bench.freshness(server.port, root, gen_corpus.Plan(info["notes"], 8), docs, 50, 8 + r, changed)
                steps.append(("50 writes", hwm(), parts()))
                print(f"  {name}: freshness p50 {fresh['freshness_p50_ms']:.0f} p95 {fresh['freshness_p95_ms']:.0f} ms")
            out = bench.bulk_change(server.port, root, docs, mix, 1000, 8 + r, changed)
            out["rss_mb"] = hwm()
            if steps:
                print(f"  {name}: peak RSS after " + ", ".join(f"{k} {v:.0f} ({now})" for k, v, now in steps)
                      + f", bulk {out['rss_mb']:.0f} MB ({parts()})")
        finally:
            bench.restore(changed)
            time.sleep(4)  # the restored notes are indexed before the server stops
            server.stop()
        results[name].append(out)
        print(f"{name} round {r}: all found {out['bulk_1000_s']:.2f} s (writes {out['bulk_write_s']:.2f} s), "
              f"search meanwhile p50 {out['bulk_search_p50_ms']:.1f} p99 {out['bulk_search_p99_ms']:.1f} ms "
              f"({out['bulk_search_requests']} requests, {out['bulk_search_errors']} errors), "
              f"peak RSS {out['rss_mb']:.0f} MB", flush=True)
for name in "AB":
    med = lambda k: statistics.median(o[k] for o in results[name])  # noqa: E731
    print(f"{name} median: all found {med('bulk_1000_s'):.2f} s, search meanwhile p99 {med('bulk_search_p99_ms'):.1f} ms, "
          f"peak RSS {med('rss_mb'):.0f} MB")
