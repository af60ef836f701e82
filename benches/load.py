#!/usr/bin/env python3
"""Load with writes (issue #9): many search clients while notes are created, edited and deleted.

    benches/load.py [--notes 10000] [--clients 50] [--seconds 60] [--writers 2] [--bin target/release/daftar]

(or `benches/run.sh --load`). Python standard library only; the clients, the server wrapper, the
corpus and the query mix come from bench.py.

1. A copy of the seeded corpus (benches/gen_corpus.py, cached in target/bench/corpus-N-sSEED) in
   target/bench/load-N-sSEED, served by the release `daftar serve` (watching).
2. `--clients` keep-alive clients search for `--seconds` over bench.py's query mix and variants of
   it (filters, `prefix=true`, `sort=date`, deeper offsets, `match=all`, other limits), while
   `--writers` threads create notes, edit them (a new version carries a word of its own and loses the
   previous one; some saved atomically, some rewritten in place) and delete them, each writer on
   its own notes.
3. Afterwards, allowing the freshness wait: every surviving note's latest word finds exactly that
   note through /api/search, no superseded or deleted note's word finds anything, and
   /api/stats counts as many notes as the folder holds.
4. SIGTERM, then `daftar index` on the root must report `0 added, 0 updated, 0 removed`.

Passes only with no 5xx, no other non-200 answer, no transport error and every check above; prints
p50/p90/p99/max latency, requests/s, writes and errors, and writes target/bench/load.json.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in benches/
import bench  # noqa: E402
import gen_corpus  # noqa: E402
from bench import Client, Server, api_path, atomic_write, load_avg, log, pct  # noqa: E402


def search_paths(mix):
    """The mix as the viewer sends it, plus the variants a team uses: deeper pages, date order,
    every word required, fewer or more hits, and a filter or prefix added to plain words."""
    paths = []
    for k, item in enumerate(mix):
        paths.append(api_path(item))
        variant = [{"sort": "date"}, {"offset": "20"}, {"match": "all"}, {"limit": "5"}, {"limit": "50"},
                   {"offset": "100", "sort": "date"}][k % 6]
        paths.append(api_path(item, **variant))
    programs = [item["program"] for item in mix if "program" in item]
    for k, item in enumerate(mix[:12]):
        paths.append(api_path(dict(item, program=programs[k % len(programs)])))
        paths.append(api_path({"q": item["q"][:4], "prefix": "true"}))
    return paths


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ms = []
        self.by_status = {}
        self.transport = 0
        self.transport_examples = []
        self.non200_examples = []


def client_loop(port, paths, stop, stats, k):
    c = Client(port)
    rng = random.Random(f"client-{k}")
    order = paths[:]
    rng.shuffle(order)
    ms, statuses, transport, t_examples, bad = [], {}, 0, [], []
    i = 0
    while not stop.is_set():
        path = order[i % len(order)]
        i += 1
        t = time.perf_counter()
        try:
            status, body = c.get(path)
        except (OSError, http.client.HTTPException) as e:
            transport += 1
            if len(t_examples) < 3:
                t_examples.append(f"{path}: {e!r}")
            continue
        ms.append((time.perf_counter() - t) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        if status != 200 and len(bad) < 3:
            bad.append(f"{status} {path}: {body[:200]!r}")
    c.close()
    with stats.lock:
        stats.ms.extend(ms)
        for s, n in statuses.items():
            stats.by_status[s] = stats.by_status.get(s, 0) + n
        stats.transport += transport
        stats.transport_examples.extend(t_examples)
        stats.non200_examples.extend(bad)


class Writer:
    """Creates, edits and deletes its own share of the notes; remembers every word it wrote."""

    def __init__(self, k, root, docs, plan, run_tag, interval_s, seed):
        self.k, self.root, self.plan, self.tag, self.interval = k, root, plan, run_tag, interval_s
        self.rng = random.Random(f"writer-{seed}-{k}")
        self.docs = docs
        self.folders = sorted({os.path.dirname(rel) for rel, _ in docs})
        self.live = {}  # id -> (base bytes, current word or None)
        self.dead_words = []  # words of superseded versions and of deleted notes
        self.deleted = set()  # ids deleted (the folder no longer holds them)
        self.ops = {"create": 0, "edit": 0, "edit_in_place": 0, "delete": 0}
        self.serial = 0
        self.errors = []

    def word(self):
        # Letters and digits: a code means exactly itself (no typo tolerance, no stemming), so one
        # word never finds another writer's or another version's.
        self.serial += 1
        return f"zq{self.tag}w{self.k}n{self.serial:06d}"

    def text(self, base, word):
        return base + f"\n\nLoad test version {word}.\n".encode()

    def step(self):
        r = self.rng.random()
        mine = [i for i in self.live] if r >= 0.3 else None
        if r < 0.3 or not mine:
            folder = self.rng.choice(self.folders)
            rel = f"{folder}/load-{self.tag}-{self.k}-{self.serial + 1}.md"
            _, body = gen_corpus.make_note(self.plan, self.rng.randrange(self.plan.n), words=200)
            base = body.encode("utf-8")
            w = self.word()
            atomic_write(os.path.join(self.root, rel), self.text(base, w))
            self.live[rel] = (base, w)
            self.ops["create"] += 1
        elif r < 0.8:
            # Edit an existing note of the corpus (this writer's share) or one written here.
            if self.rng.random() < 0.5:
                rel, raw = self.docs[self.rng.randrange(len(self.docs))]
                if rel in self.deleted:
                    return
                base = self.live[rel][0] if rel in self.live else raw
            else:
                rel = self.rng.choice(mine)
                base = self.live[rel][0]
            old = self.live.get(rel, (None, None))[1]
            w = self.word()
            path = os.path.join(self.root, rel)
            if self.rng.random() < 0.25:
                with open(path, "wb") as f:  # in place: the watcher may see a half-written file
                    f.write(self.text(base, w))
                self.ops["edit_in_place"] += 1
            else:
                atomic_write(path, self.text(base, w))
            self.ops["edit"] += 1
            if old:
                self.dead_words.append(old)
            self.live[rel] = (base, w)
        else:
            rel = self.rng.choice(mine)
            os.remove(os.path.join(self.root, rel))
            self.dead_words.append(self.live.pop(rel)[1])
            self.deleted.add(rel)
            self.ops["delete"] += 1

    def run(self, stop):
        while not stop.is_set():
            try:
                self.step()
            except OSError as e:
                self.errors.append(repr(e))
            time.sleep(self.interval * self.rng.uniform(0.5, 1.5))


def check_words(port, live, dead, deadline_s):
    """Polls until every live word finds exactly its note and no dead word finds anything, or the
    deadline passes. Words are asked 40 at a time (`a OR b OR ...`; the query language allows 64).
    Returns (seconds waited, list of mismatches at the end)."""
    c = Client(port)
    batches = []
    items = sorted(live.items(), key=lambda kv: kv[1])
    for i in range(0, len(items), 40):
        chunk = items[i:i + 40]
        batches.append((" OR ".join(w for _, w in chunk), {rel for rel, _ in chunk}))
    for i in range(0, len(dead), 40):
        chunk = dead[i:i + 40]
        batches.append((" OR ".join(chunk), set()))
    started = time.perf_counter()
    pending = list(range(len(batches)))
    problems = []
    while True:
        problems = []
        still = []
        for b in pending:
            q, want = batches[b]
            try:
                status, res = c.json(api_path({"q": q}, limit=100))
            except (OSError, http.client.HTTPException, ValueError) as e:
                status, res = 0, {"error": repr(e)}
            got = {h["id"] for h in (res or {}).get("hits", [])} if status == 200 else None
            if got != want or (status == 200 and res.get("total") != len(want)):
                still.append(b)
                missing = sorted(want - (got or set()))[:3]
                extra = sorted((got or set()) - want)[:3]
                problems.append(f"status {status}: missing {missing}, unexpected {extra}")
        pending = still
        if not pending or time.perf_counter() - started > deadline_s:
            break
        time.sleep(0.1)
    c.close()
    return time.perf_counter() - started, problems


def count_files(root):
    n = 0
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        n += sum(1 for f in files if f.endswith(".md") and not f.startswith("."))
    return n


def main():
    ap = argparse.ArgumentParser(description="daftar under search load with concurrent writes")
    ap.add_argument("--notes", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--writers", type=int, default=2)
    ap.add_argument("--write-interval", type=float, default=0.05, help="mean seconds between one writer's changes")
    ap.add_argument("--fresh-deadline", type=float, default=60, help="seconds allowed for the final checks to pass")
    ap.add_argument("--bin", default="target/release/daftar")
    ap.add_argument("--out", default="target/bench")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    out_dir = os.path.abspath(args.out)
    s = {"notes": args.notes, "seed": args.seed, "clients": args.clients, "seconds": args.seconds,
         "writers": args.writers, "write_interval_s": args.write_interval,
         "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_at_start": load_avg(), "machine": bench.machine()}

    base = os.path.join(out_dir, f"corpus-{args.notes}-s{args.seed}")
    info, _ = bench.ensure_corpus(args, base)
    root = os.path.join(out_dir, f"load-{args.notes}-s{args.seed}")
    log(f"load: copying the corpus to {root}")
    if os.path.exists(root):
        shutil.rmtree(root)
    shutil.copytree(base, root, symlinks=True)
    docs = bench.read_corpus(root)
    mix = bench.query_mix(info["programs"])
    paths = search_paths(mix)
    plan = gen_corpus.Plan(args.notes, args.seed)
    run_tag = "".join(random.Random(time.time()).choice("bcdfghjklmnpqrstvwxz") for _ in range(4))

    server = Server(os.path.abspath(args.bin), root, os.path.join(out_dir, f"load-{args.notes}.log"))
    log("load: starting daftar serve")
    s["start_s"] = server.start()
    failures = []
    try:
        stats = Stats()
        stop = threading.Event()
        # Each writer edits its own share of the corpus, so no two write one file.
        writers = [Writer(k, root, docs[k::args.writers], plan, run_tag, args.write_interval, args.seed)
                   for k in range(args.writers)]
        threads = [threading.Thread(target=client_loop, args=(server.port, paths, stop, stats, k))
                   for k in range(args.clients)]
        threads += [threading.Thread(target=w.run, args=(stop,)) for w in writers]
        log(f"load: {args.clients} clients and {args.writers} writers for {args.seconds:.0f} s "
            f"({len(paths)} distinct searches)")
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        ms = stats.ms
        n5xx = sum(n for st, n in stats.by_status.items() if st >= 500)
        other = sum(n for st, n in stats.by_status.items() if st != 200 and st < 500)
        ops = {k: sum(w.ops[k] for w in writers) for k in writers[0].ops}
        s.update({"requests": len(ms), "qps": len(ms) / elapsed, "p50_ms": pct(ms, 50), "p90_ms": pct(ms, 90),
                  "p99_ms": pct(ms, 99), "max_ms": max(ms) if ms else None, "by_status": stats.by_status,
                  "errors_5xx": n5xx, "errors_other_status": other, "errors_transport": stats.transport,
                  "error_examples": stats.non200_examples[:5] + stats.transport_examples[:5],
                  "writes": sum(ops.values()) - ops["edit_in_place"], "write_ops": ops,
                  "writer_errors": sum((w.errors for w in writers), [])[:5]})
        log(f"load: {len(ms)} searches, {s['writes']} writes; checking the index against the folder")

        live, dead = {}, []
        for w in writers:
            live.update({rel: word for rel, (_, word) in w.live.items()})
            dead.extend(w.dead_words)
        s["live_words"], s["dead_words"] = len(live), len(dead)
        waited, problems = check_words(server.port, live, dead, args.fresh_deadline)
        s["check_waited_s"], s["check_problems"] = waited, problems[:10]
        files = count_files(root)
        c = Client(server.port)
        status, st = c.json("/api/stats")
        c.close()
        s["files"], s["stats_notes"] = files, (st or {}).get("notes")
        s["shutdown_s"] = server.stop()
        out = bench.run_measured([os.path.abspath(args.bin), "index", "--root", root])
        s["index_after"] = out[2].strip()
        m = re.search(r"(\d+) added, (\d+) updated, (\d+) removed", out[2])
        s["index_after_rc"] = out[4]

        if n5xx:
            failures.append(f"{n5xx} answers with a 5xx status")
        if other:
            failures.append(f"{other} answers with another non-200 status")
        if stats.transport:
            failures.append(f"{stats.transport} transport errors")
        if s["writer_errors"]:
            failures.append(f"writer errors: {s['writer_errors']}")
        if problems:
            failures.append(f"{len(problems)} word batches disagree with the folder after {waited:.1f} s: {problems[:3]}")
        if s["stats_notes"] != files:
            failures.append(f"/api/stats counts {s['stats_notes']} notes, the folder holds {files}")
        if not m or m.groups() != ("0", "0", "0") or out[4] != 0:
            failures.append(f"daftar index after stop: {s['index_after'] or out[3].strip()[-300:]}")
    finally:
        server.stop()
    s["load_at_end"] = load_avg()
    s["failures"] = failures
    s["passed"] = not failures
    with open(os.path.join(out_dir, "load.json"), "w", encoding="utf-8") as f:
        json.dump(s, f, ensure_ascii=False, indent=1)

    f1 = lambda v: "-" if v is None else f"{v:,.1f}"  # noqa: E731
    print(f"load with writes: {args.notes:,} notes, {args.clients} clients, {args.writers} writers, {args.seconds:.0f} s")
    print(f"  search     p50 {f1(s.get('p50_ms'))} ms  p90 {f1(s.get('p90_ms'))} ms  p99 {f1(s.get('p99_ms'))} ms  "
          f"max {f1(s.get('max_ms'))} ms  {f1(s.get('qps'))} req/s over {s.get('requests', 0):,} requests")
    print(f"  writes     {s.get('writes', 0):,} ({s.get('write_ops')})")
    print(f"  errors     5xx {s.get('errors_5xx')}, other non-200 {s.get('errors_other_status')}, "
          f"transport {s.get('errors_transport')}")
    print(f"  afterwards {s.get('live_words')} live words found, {s.get('dead_words')} dead words gone "
          f"(waited {f1(s.get('check_waited_s'))} s); /api/stats {s.get('stats_notes')} notes, folder {s.get('files')}")
    print(f"  index      {s.get('index_after')}")
    print(f"  load average {s['load_at_start']} at start, {s['load_at_end']} at end; "
          f"summary in {os.path.join(args.out, 'load.json')}")
    for f in failures:
        print(f"FAILED: {f}")
    print("PASSED" if not failures else "FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
