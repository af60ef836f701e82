#!/usr/bin/env python3
"""Side-by-side Markdown tables for BENCHMARKS.md from the runs' summaries.

    python3 benches/report.py target/bench/summary-10000.json target/bench/summary-100000.json

Prints: the figures per corpus size, the ratios to each alternative, the service levels (judged
on the largest run, as DESIGN states them for 100k notes), and the per-query latencies of the
largest run.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import bench  # noqa: E402


def fmt(v, d=1):
    if v is None:
        return "-"
    if isinstance(v, float) and v != v:
        return "-"
    return f"{v:,.{d}f}"


ROWS = [
    ("corpus", lambda s: f"{s['notes']:,} notes, {s['corpus_mb']:.0f} MB"),
    ("**full build (daftar index)**", lambda s: f"**{fmt(s['build_s'], 2)} s**"),
    ("  notes/s · MB/s", lambda s: f"{fmt(s['build_notes_per_s'], 0)} · {fmt(s['build_mb_per_s'])}"),
    ("  peak RSS · index size", lambda s: f"{fmt(s['build_rss_mb'], 0)} MB · {fmt(s['index_mb'], 0)} MB"),
    ("SQLite FTS5 build (read + insert)", lambda s: f"{fmt(s['sqlite_build_s'], 2)} s ({fmt(s['sqlite_insert_s'], 2)} s inserting) · {fmt(s['sqlite_db_mb'], 0)} MB"),
    ("bare tantivy floor (index only)", lambda s: f"{fmt(s['tantivy_floor_build_s'], 2)} s · {fmt(s['tantivy_floor_index_mb'], 0)} MB (+{fmt(s['tantivy_floor_extract_s'], 2)} s extracting)"),
    ("bare tantivy, same pipeline (read, parse, index)", lambda s: f"{fmt(s.get('tantivy_floor_pipeline_s'), 2)} s"),
    ("**restart until /readyz**", lambda s: f"**{fmt(s['restart_s'], 2)} s** ({s.get('restart_reparsed')} re-parsed)"),
    ("**search p50 · p99, 1 client**", lambda s: f"**{fmt(s['search_p50_ms'], 2)} · {fmt(s['search_p99_ms'], 2)} ms**"),
    ("  server's own took_ms p50 · p99", lambda s: f"{fmt(s['search_took_p50_ms'], 2)} · {fmt(s['search_took_p99_ms'], 2)} ms"),
    ("**search throughput, 16 clients**", lambda s: f"**{fmt(s['search_qps'], 0)} req/s** (p50 {fmt(s['search_16c_p50_ms'], 0)}, p99 {fmt(s['search_16c_p99_ms'], 0)} ms)"),
    ("SQLite FTS5 query p50 · p99", lambda s: f"{fmt(s['sqlite_p50_ms'], 2)} · {fmt(s['sqlite_p99_ms'], 2)} ms"),
    ("ripgrep p50 · p99", lambda s: f"{fmt(s['rg_p50_ms'], 0)} · {fmt(s['rg_p99_ms'], 0)} ms"),
    ("**freshness p50 · p95 · p99**", lambda s: f"{fmt(s['freshness_p50_ms'], 0)} · **{fmt(s['freshness_p95_ms'], 0)}** · {fmt(s['freshness_p99_ms'], 0)} ms"),
    ("**1,000-note change, all found**", lambda s: f"**{fmt(s['bulk_1000_s'], 2)} s** (writes {fmt(s['bulk_write_s'], 2)} s)"),
    ("  search during it p50 · p99 · errors", lambda s: f"{fmt(s['bulk_search_p50_ms'], 0)} · {fmt(s['bulk_search_p99_ms'], 0)} ms · {s['bulk_search_errors']}"),
    ("**serving peak RSS (VmHWM)**", lambda s: f"**{fmt(s['serve_rss_mb'], 0)} MB** ({fmt(s.get('serve_rss_queries_mb'), 0)} MB before the live updates)"),
    ("planted answers found (daftar · FTS5)", lambda s: f"{s['recall_found']}/{s['recall_total']} · {s.get('sqlite_recall_found', '-')}/{s['recall_total']}"),
    ("load average at start → end", lambda s: f"{s['load_at_start'][0]} → {s['load_at_end'][0]}"),
]

RATIOS = [
    ("daftar build ÷ SQLite FTS5 build", lambda s: bench.ratio(s, "build_vs_sqlite"), "< 1"),
    ("daftar build ÷ bare tantivy, same pipeline", lambda s: bench.ratio(s, "build_vs_floor_pipeline"), "≤ 2"),
    ("daftar build ÷ bare tantivy indexing text in hand", lambda s: bench.ratio(s, "build_vs_floor"), "(≤ 2, strict reading)"),
    ("SQLite query p50 ÷ daftar search p50", lambda s: s["sqlite_p50_ms"] / s["search_p50_ms"], "(higher: daftar faster)"),
    ("ripgrep p50 ÷ daftar search p50", lambda s: s["rg_p50_ms"] / s["search_p50_ms"], "(higher: daftar faster)"),
]


def main(paths):
    runs = [json.load(open(p, encoding="utf-8")) for p in paths]
    runs.sort(key=lambda s: s["notes"])
    head = "| | " + " | ".join(f"{s['notes']:,} notes" for s in runs) + " |"
    sep = "| --- |" + " --- |" * len(runs)
    print(head)
    print(sep)
    for name, f in ROWS:
        cells = []
        for s in runs:
            try:
                cells.append(f(s))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("| ratio | " + " | ".join(f"{s['notes']:,}" for s in runs) + " | target |")
    print("| --- |" + " --- |" * (len(runs) + 1))
    for name, f, target in RATIOS:
        print(f"| {name} | " + " | ".join(f"{f(s):.2f}" for s in runs) + f" | {target} |")
    print()
    big = runs[-1]
    print("| service level (DESIGN) | " + " | ".join(f"{s['notes']:,}" for s in runs) + " |")
    print("| --- |" + " --- |" * len(runs))
    # Judged again as bench.py judges now (a summary keeps what its own run judged).
    for name, met in bench.TARGETS:
        cells = []
        for s in runs:
            try:
                cells.append("met" if met(s) else "**missed**")
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print(f"Per query at {big['notes']:,} notes (p50, ms; `total` = notes found):")
    print()
    print("| query | shape | daftar | SQLite FTS5 (total) | ripgrep (files) |")
    print("| --- | --- | --- | --- | --- |")
    for q in big["queries"]:
        extra = "".join(f" {k}={q[k]}" for k in ("program", "kind", "prefix") if k in q)
        key = q["q"] + extra
        sq = big["sqlite_per_query"].get(key, {})
        rg = big["rg_per_query"].get(key, {})
        print(f"| `{q['q']}`{extra} | {q['shape']} | {fmt(big['search_per_query_p50_ms'].get(key), 2)} | "
              f"{fmt(sq.get('p50_ms'), 2)} ({sq.get('total', '-')}) | {fmt(rg.get('p50_ms'), 0)} ({rg.get('total', '-')}) |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["target/bench/summary.json"])
