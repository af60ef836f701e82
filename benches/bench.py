#!/usr/bin/env python3
"""The end-to-end benchmark: daftar and its alternatives on one corpus, in one run, on one machine.

Run through `benches/run.sh [--notes N]`, which builds the release binary and the tantivy floor
first; this script does the measuring (Python standard library only):

1. corpus      benches/gen_corpus.py, cached in target/bench/corpus-N-sSEED (regenerated when the
               parameters differ or a previous run was interrupted while it had notes changed)
2. build       `daftar index --rebuild`: wall seconds, notes/s, MB/s, peak RSS (wait4), index size
3. floor       bare tantivy on the same extracted text (benches/floor.rs)
4. sqlite      FTS5 (title, body; program and kind unindexed) from the same folder, one transaction
               (2 to 4 run in turn, --build-rounds times, 3 by default, the order rotating from
               round to round; each time is the median)
5. serve       `daftar serve` on the built root: start until /readyz, planted-answer recall,
               /api/search latency at one client (keep-alive), throughput with 16 clients (wrk),
               freshness (atomic write → found) and a 1,000-note change (as a git pull), searching
               throughout; peak RSS (VmHWM); then SIGTERM and restart until /readyz
6. queries     the same query mix through SQLite FTS5 (bm25, snippets, program facet) and ripgrep
7. report      a table on stdout, target/bench/summary.json (and summary-N.json, report-N.md)

Every file the run changes in the corpus is restored at the end.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import gen_corpus  # noqa: E402

ZWNJ = "\u200c"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def load_avg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# The query mix: what a PMO team types. Each entry is the API's parameters; the same intent is
# translated for SQLite FTS5 and for ripgrep below.

def query_mix(programs):
    en_prog = programs[0]["name"]
    fa_prog = next((p["name"] for p in programs if re.search("[\u0600-\u06FF]", p["name"])), en_prog)
    fa_slug = next((p["slug"] for p in programs if p["name"] == fa_prog), programs[0]["slug"])
    en_slug = programs[0]["slug"]
    Q = lambda q, shape, **kw: {"q": q, "shape": shape, **kw}  # noqa: E731
    return [
        Q("vendor", "word"),
        Q("schedule", "word"),
        Q("budget", "word"),
        Q("stakeholder", "word"),
        Q("procurement", "word"),
        Q("migration", "word"),
        Q("پیمانکار", "fa-word"),
        Q("درس" + ZWNJ + "آموخته", "fa-zwnj"),
        Q("درس آموخته", "fa-space"),
        Q("ريسك", "fa-arabic"),
        Q("زمان" + ZWNJ + "بندی", "fa-zwnj"),
        Q("vendor onboarding", "two-words"),
        Q("budget overrun", "two-words"),
        Q("مدیریت ریسک", "fa-two-words"),
        Q("root cause analysis", "three-words"),
        Q("data migration testing", "three-words"),
        Q("کمیته راهبری پروژه", "fa-three-words"),
        Q('"steering committee"', "phrase"),
        Q('"lessons learned"', "phrase"),
        Q('"مسیر بحرانی"', "fa-phrase"),
        Q("vendor", "filter", program=en_prog, slug=en_slug),
        Q("risk", "filter", program=fa_prog, kind="risk", slug=fa_slug),
        Q("contract", "filter", program=en_prog, slug=en_slug),
        Q("procur", "prefix", prefix="true"),
        Q("stakeh", "prefix", prefix="true"),
        Q("procurment", "typo"),
        Q("stakeholdr", "typo"),
        Q("vendor -contract", "exclude"),
        Q("cutover OR rollback", "or"),
        Q("why did the data migration take longer than planned", "question"),
    ]


def label(item):
    """A query's name in the per-query figures: its text and its parameters."""
    return item["q"] + "".join(f" {k}={item[k]}" for k in ("program", "kind", "prefix") if k in item)


def api_path(item, **extra):
    params = [("q", item["q"])]
    for k in ("program", "kind", "prefix"):
        if k in item:
            params.append((k, item[k]))
    params += list(extra.items())
    return "/api/search?" + urllib.parse.urlencode(params)


def words_of(q):
    return [w for w in re.findall(r"[\w\u200c]+", q) if w != "OR"]


def fts5_match(item):
    """The FTS5 MATCH expression for the same intent: any word (OR, as daftar ranks notes with
    some words below notes with all), a phrase, a prefix, NOT for an excluded word. FTS5 has no
    typo tolerance and no Persian spelling folding: it gets the query as typed."""
    q, shape = item["q"], item["shape"]
    quote = lambda w: '"' + w.replace('"', '""') + '"'  # noqa: E731
    if "phrase" in shape:
        return quote(q.strip('"'))
    if shape == "prefix":
        return quote(q) + "*"
    if shape == "exclude":
        pos = [w for w in q.split() if not w.startswith("-")]
        neg = [w[1:] for w in q.split() if w.startswith("-")]
        return " OR ".join(map(quote, pos)) + "".join(" NOT " + quote(w) for w in neg)
    return " OR ".join(quote(w) for w in words_of(q))


def rg_patterns(item):
    """ripgrep's patterns (fixed strings, case-insensitive, any of them) and the folder to search."""
    q, shape = item["q"], item["shape"]
    if "phrase" in shape:
        pats = [q.strip('"')]
    elif shape == "exclude":
        pats = [w for w in q.split() if not w.startswith("-")]
    else:
        pats = words_of(q)
    return pats, item.get("slug")


# ---------------------------------------------------------------------------------------------
# Processes.

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Runs a command (argv[2:]) in a child of its own, and writes the child's wall seconds, peak RSS
# (KiB) and exit code to the file descriptor argv[1].
FORK_AND_MEASURE = r"""
import os, sys, time
fd = int(sys.argv[1])
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
os.write(fd, f"{wall} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def run_measured(cmd, **kw):
    """Runs cmd; returns (wall seconds, peak RSS in MB, stdout, stderr, returncode).

    The command is forked by a small helper interpreter, not by this process: Linux carries a
    process's peak RSS across exec, so a child forked here would report this process's peak
    whenever that is larger (holding the corpus for SQLite, it reached 1.3 GB at 100k notes, and
    every build and floor after it "peaked" there). The helper's start is not timed."""
    r, w = os.pipe()
    try:
        p = subprocess.Popen([sys.executable, "-c", FORK_AND_MEASURE, str(w), *cmd], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, pass_fds=(w,), **kw)
    finally:
        os.close(w)
    out, err = p.communicate()
    with os.fdopen(r, "rb") as report:
        fields = report.read().split()
    if len(fields) != 3:
        raise RuntimeError(f"could not run {cmd[0]}: {err.strip()[-300:]}")
    wall, maxrss_kb, code = float(fields[0]), int(fields[1]), int(fields[2])
    p.returncode = code
    return wall, maxrss_kb / 1024.0, out, err, code


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    out[k] = int(v.split()[0]) / 1024.0
    except OSError:
        pass
    return out


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path):
        try:
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise

    def json(self, path):
        status, body = self.get(path)
        return status, json.loads(body) if body else None

    def close(self):
        self.conn.close()


class Server:
    def __init__(self, binary, root, log_path):
        self.binary, self.root, self.log_path = binary, root, log_path
        self.port = free_port()
        self.proc = None

    def start(self, deadline_s=1800):
        """Starts `daftar serve`; returns seconds until /readyz answers 200."""
        logf = open(self.log_path, "a")
        env = dict(os.environ)
        env.setdefault("RUST_LOG", "info,tantivy=warn")
        started = time.perf_counter()
        self.proc = subprocess.Popen([self.binary, "serve", "--root", self.root, "--addr", f"127.0.0.1:{self.port}"],
                                     stdout=logf, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        while time.perf_counter() - started < deadline_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daftar serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/readyz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError("daftar serve did not become ready")

    def stop(self):
        """SIGTERM; returns seconds until the process exited."""
        if not self.proc or self.proc.poll() is not None:
            return 0.0
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Phases.

def ensure_corpus(args, root):
    info_path = os.path.join(root, ".bench", "corpus.json")
    dirty = os.path.join(root, ".bench", "dirty")
    try:
        info = json.load(open(info_path))
        if (info.get("generator") == gen_corpus.GENERATOR_VERSION and info.get("notes") == args.notes
                and info.get("seed") == args.seed and not os.path.exists(dirty)):
            log(f"corpus: reusing {root}")
            return info, None
    except (OSError, ValueError):
        pass
    log(f"corpus: generating {args.notes} notes (seed {args.seed}) in {root}")
    if os.path.exists(root):
        shutil.rmtree(root)
    t = time.perf_counter()
    info = gen_corpus.generate(args.notes, args.seed, root)
    return info, time.perf_counter() - t


def read_corpus(root):
    """(id, text) of every note, read once: warms the page cache for every tool alike."""
    docs = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in sorted(files):
            if f.endswith(".md"):
                p = os.path.join(d, f)
                with open(p, "rb") as fh:
                    docs.append((os.path.relpath(p, root), fh.read()))
    return docs


def dir_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:
                pass
    return total


def phase_build(args, root, corpus_bytes):
    log("build: daftar index --rebuild")
    wall, rss, out, err, rc = run_measured([args.bin, "index", "--root", root, "--rebuild"])
    if rc != 0:
        raise RuntimeError(f"daftar index failed ({rc}): {err.strip()[-500:]}")
    m = re.search(r"(\d+) added.* in ([\d.]+)s", out)
    notes = int(m.group(1)) if m else args.notes
    return {"build_s": wall, "build_sync_s": float(m.group(2)) if m else None, "build_rss_mb": rss,
            "build_notes": notes, "build_notes_per_s": notes / wall, "build_mb_per_s": corpus_bytes / 1e6 / wall,
            "index_mb": dir_bytes(os.path.join(root, ".daftar")) / 1e6, "build_output": out.strip()}


def phase_floor(args, root, out_dir):
    log("floor: bare tantivy, default tokenizer")
    idx = os.path.join(out_dir, f"floor-index-{args.notes}")
    wall, rss, out, err, rc = run_measured([args.floor, "--root", root, "--index", idx])
    if rc != 0:
        raise RuntimeError(f"floor failed ({rc}): {err.strip()[-500:]}")
    f = json.loads(out.strip().splitlines()[-1])
    shutil.rmtree(idx, ignore_errors=True)
    return {"tantivy_floor_build_s": f["index_s"], "tantivy_floor_merged_s": f["merged_s"],
            "tantivy_floor_pipeline_s": f["pipeline_s"],
            "tantivy_floor_extract_s": f["extract_s"], "tantivy_floor_index_mb": f["index_bytes"] / 1e6,
            "tantivy_floor_rss_mb": rss, "tantivy_floor_threads": f["threads"]}


def phase_builds(args, root, out_dir, corpus_bytes):
    """daftar's build, bare tantivy's floors and SQLite's build, interleaved round after round so
    that all see the same noise from the machine's other work, each taking each place in a round
    in turn (a build right after another's memory churn ran about 7% slower: ab-build.sh).
    Each time is the median of its rounds (a peak RSS the largest); every round's times are kept
    in `build_rounds`. The daftar index and SQLite database last built are the ones served and
    queried next."""
    rounds, db = [], None
    steps = ["daftar", "floor", "sqlite"]
    for r in range(args.build_rounds):
        log(f"builds: round {r + 1} of {args.build_rounds}")
        one = {}
        for k in range(len(steps)):
            step = steps[(k + r) % len(steps)]
            if step == "daftar":
                one.update(phase_build(args, root, corpus_bytes))
            elif step == "floor":
                one.update(phase_floor(args, root, out_dir))
            else:
                sq, db = phase_sqlite_build(args, root, out_dir)
                one.update(sq)
        rounds.append(one)
    out = dict(rounds[-1])
    for key, value in rounds[-1].items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or key.endswith("_threads"):
            continue
        values = [r[key] for r in rounds if r.get(key) is not None]
        out[key] = max(values) if key.endswith("_rss_mb") else statistics.median(values)
    out["build_notes_per_s"] = out["build_notes"] / out["build_s"]
    out["build_mb_per_s"] = corpus_bytes / 1e6 / out["build_s"]
    times = ("build_s", "tantivy_floor_build_s", "tantivy_floor_pipeline_s", "sqlite_build_s")
    out["build_rounds"] = [{k: r[k] for k in times} for r in rounds]
    # The ratios are taken within each round, whose builds share its noise, then the median: the
    # ratio of two medians can pair a slow round's build with a quick round's floor.
    for name in RATIOS:
        out[name] = ratio(out, name)
    return out, db


# daftar's build time over each alternative's, per round (their median is the figure judged).
RATIOS = {"build_vs_sqlite": "sqlite_build_s", "build_vs_floor_pipeline": "tantivy_floor_pipeline_s",
          "build_vs_floor": "tantivy_floor_build_s"}


def ratio(s, name):
    """daftar's build time over an alternative's: the median of the rounds' ratios (a summary
    without rounds: the ratio of the two times)."""
    other = RATIOS[name]
    rounds = [r for r in s.get("build_rounds") or [] if r.get("build_s") and r.get(other)]
    if rounds:
        return statistics.median(r["build_s"] / r[other] for r in rounds)
    return s["build_s"] / s[other]


FRONT = re.compile(rb"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)


def split_note(raw):
    """Title, body, program and kind, as a plain FTS5 loader would take them."""
    text = raw
    meta = {}
    m = FRONT.match(raw)
    if m:
        for line in m.group(1).decode("utf-8", "replace").splitlines():
            k, sep, v = line.partition(":")
            if sep:
                meta[k.strip()] = v.strip().strip('"')
        text = raw[m.end():]
    body = text.decode("utf-8", "replace")
    title = meta.get("title")
    if not title:
        h = re.search(r"^# (.+)$", body, re.M)
        title = h.group(1) if h else ""
    return title, body, meta.get("program", ""), meta.get("kind", "note")


def phase_sqlite_build(args, root, out_dir):
    log("sqlite: FTS5 build")
    db = os.path.join(out_dir, f"sqlite-{args.notes}.db")
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    started = time.perf_counter()
    docs = read_corpus(root)
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE notes USING fts5(id UNINDEXED, title, body, program UNINDEXED, "
                "kind UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    t_insert = time.perf_counter()
    with con:
        con.executemany("INSERT INTO notes(id, title, body, program, kind) VALUES (?, ?, ?, ?, ?)",
                        ((rel, *split_note(raw)) for rel, raw in docs))
    done = time.perf_counter()
    con.close()
    return {"sqlite_build_s": done - started, "sqlite_insert_s": done - t_insert,
            "sqlite_db_mb": os.path.getsize(db) / 1e6, "sqlite_version": sqlite3.sqlite_version}, db


def sqlite_recall(db, answers):
    """How many planted answers FTS5 finds in its top 10 (queries as typed, as for daftar)."""
    con = sqlite3.connect(db)
    found = 0
    for a in answers:
        item = {"q": a["query"], "shape": "phrase" if a["how"] == "en-phrase" else "word"}
        try:
            ids = [r[0] for r in con.execute("SELECT id FROM notes WHERE notes MATCH ? ORDER BY bm25(notes) LIMIT 10",
                                             [fts5_match(item)])]
        except sqlite3.Error:
            ids = []
        found += a["expect"] in ids
    con.close()
    return {"sqlite_recall_found": found}


def sqlite_queries(db, mix, rounds, budget_s=120):
    log("sqlite: query mix")
    con = sqlite3.connect(db)
    hits_sql = ("SELECT id, title, snippet(notes, 2, '<mark>', '</mark>', '…', 16) FROM notes "
                "WHERE notes MATCH ?{f} ORDER BY bm25(notes, 0.0, 10.0, 1.0, 0.0, 0.0) LIMIT 20")
    facet_sql = "SELECT program, count(*) FROM notes WHERE notes MATCH ?{f} GROUP BY program"
    times, per = [], {}
    started = time.perf_counter()
    done = 0
    for _ in range(rounds):
        if done and time.perf_counter() - started > budget_s:
            break
        done += 1
        for item in mix:
            cond, params = "", [fts5_match(item)]
            if "program" in item:
                cond += " AND program = ?"
                params.append(item["program"])
            if "kind" in item:
                cond += " AND kind = ?"
                params.append(item["kind"])
            t = time.perf_counter()
            try:
                con.execute(hits_sql.format(f=cond), params).fetchall()
                total = sum(n for _, n in con.execute(facet_sql.format(f=cond), params).fetchall())
            except sqlite3.Error as e:
                log(f"sqlite: {item['q']!r}: {e}")
                total = -1
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            per.setdefault(label(item), {"ms": [], "total": total})["ms"].append(ms)
    con.close()
    return {"sqlite_p50_ms": pct(times, 50), "sqlite_p99_ms": pct(times, 99), "sqlite_rounds": done,
            "sqlite_per_query": {q: {"p50_ms": statistics.median(v["ms"]), "total": v["total"]} for q, v in per.items()}}


def rg_queries(root, mix, budget_s):
    log("ripgrep: query mix")
    rg = shutil.which("rg")
    tool = "rg"
    times, per = [], {}
    started = time.perf_counter()
    rounds = 0
    while rounds < 3 and (rounds == 0 or time.perf_counter() - started < budget_s):
        for item in mix:
            pats, slug = rg_patterns(item)
            where = os.path.join(root, slug) if slug else root
            if rg:
                cmd = [rg, "-l", "-i", "-F", "--no-messages", "-g", "*.md"]
                for p in pats:
                    cmd += ["-e", p]
                cmd.append(where)
            else:
                tool = "grep"
                cmd = ["grep", "-r", "-l", "-i", "-F", "--include=*.md"]
                for p in pats:
                    cmd += ["-e", p]
                cmd.append(where)
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            per.setdefault(label(item), {"ms": [], "total": r.stdout.count(b"\n")})["ms"].append(ms)
        rounds += 1
    return {"rg_p50_ms": pct(times, 50), "rg_p99_ms": pct(times, 99), "rg_rounds": rounds, "rg_tool": tool,
            "rg_per_query": {q: {"p50_ms": statistics.median(v["ms"]), "total": v["total"]} for q, v in per.items()}}


def recall(client, answers):
    found, misses = 0, []
    by_how = {}
    for a in answers:
        status, res = client.json(api_path({"q": a["query"]}, limit=10))
        ids = [h["id"] for h in (res or {}).get("hits", [])] if status == 200 else []
        ok = a["expect"] in ids
        found += ok
        b = by_how.setdefault(a["how"], [0, 0])
        b[0] += ok
        b[1] += 1
        if not ok:
            misses.append(a)
    return found, len(answers), by_how, misses


def latency_one_client(port, mix, min_requests, max_s, seed):
    """Sequential requests over one keep-alive connection, the mix in a shuffled order per round."""
    c = Client(port)
    rng = random.Random(seed)
    paths = [(label(item), api_path(item)) for item in mix]
    for _, p in paths:  # warm-up
        c.get(p)
    times, took, per, errors = [], [], {}, 0
    started = time.perf_counter()
    while len(times) < min_requests and time.perf_counter() - started < max_s:
        order = paths[:]
        rng.shuffle(order)
        for q, p in order:
            t = time.perf_counter()
            status, body = c.get(p)
            ms = (time.perf_counter() - t) * 1000
            if status != 200:
                errors += 1
                continue
            times.append(ms)
            per.setdefault(q, []).append(ms)
            took.append(json.loads(body).get("took_ms", 0.0))
    c.close()
    return {"search_p50_ms": pct(times, 50), "search_p90_ms": pct(times, 90), "search_p99_ms": pct(times, 99),
            "search_max_ms": max(times) if times else None, "search_requests": len(times), "search_errors": errors,
            "search_took_p50_ms": pct(took, 50), "search_took_p99_ms": pct(took, 99),
            "search_per_query_p50_ms": {q: statistics.median(v) for q, v in per.items()},
            "search_per_query_p99_ms": {q: pct(v, 99) for q, v in per.items()}}


WRK_LUA = """-- rotates the query mix; each wrk thread starts at a different place
local paths = {%s}
local i = 0
local threads = 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
init = function(args) i = ((id or 0) * 7) %% #paths end
request = function()
  i = (i %% #paths) + 1
  return wrk.format("GET", paths[i])
end
"""


def parse_wrk_time(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)", s)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]


def throughput(port, mix, out_dir, seconds, clients=16):
    wrk = shutil.which("wrk")
    paths = [api_path(item) for item in mix]
    if wrk:
        script = os.path.join(out_dir, "mix.lua")
        with open(script, "w", encoding="utf-8") as f:
            f.write(WRK_LUA % ", ".join(json.dumps(p) for p in paths))
        log(f"throughput: wrk, {clients} connections, {seconds}s")
        r = subprocess.run([wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script,
                            f"http://127.0.0.1:{port}"], capture_output=True, text=True)
        out = r.stdout
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        if not m:
            raise RuntimeError(f"wrk failed: {(r.stderr or out).strip()[-300:]}")
        qps = float(m.group(1))
        lat = {p: parse_wrk_time(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors:.*", out)
        return {"search_qps": qps, "search_16c_p50_ms": lat.get("50"), "search_16c_p99_ms": lat.get("99"),
                "search_16c_non2xx": int(non2xx.group(1)) if non2xx else 0,
                "search_16c_socket_errors": errors.group(0) if errors else "", "search_16c_tool": "wrk"}
    # Fallback: Python threads (the GIL makes this a lower bound).
    log(f"throughput: wrk not found, {clients} Python threads, {seconds}s")
    stop = time.perf_counter() + seconds
    lat, lock = [], threading.Lock()

    def worker(k):
        c = Client(port)
        i = k
        mine = []
        while time.perf_counter() < stop:
            t = time.perf_counter()
            c.get(paths[i % len(paths)])
            mine.append((time.perf_counter() - t) * 1000)
            i += 1
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"search_qps": len(lat) / seconds, "search_16c_p50_ms": pct(lat, 50), "search_16c_p99_ms": pct(lat, 99),
            "search_16c_non2xx": 0, "search_16c_socket_errors": "", "search_16c_tool": "python-threads"}


def atomic_write(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp~")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def wait_found(client, token, want, timeout_s, sleep_s=0.002):
    """Polls until `want` notes hold token; returns the perf_counter time it was seen, or None."""
    deadline = time.perf_counter() + timeout_s
    path = api_path({"q": token}, limit=1)
    while time.perf_counter() < deadline:
        try:
            status, res = client.json(path)
        except (OSError, http.client.HTTPException, ValueError):
            status, res = 0, None
        if status == 200 and res and res.get("total", 0) >= want:
            return time.perf_counter()
        time.sleep(sleep_s)
    return None


def freshness(port, root, plan, docs, writes, seed, changed):
    """Writes new notes one at a time at random intervals; time from rename to found."""
    log(f"freshness: {writes} single-note writes")
    rng = random.Random(f"fresh-{seed}")
    client = Client(port)
    lat, missed = [], 0
    run_tag = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(6))
    for k in range(writes):
        time.sleep(rng.uniform(0.05, 0.5))
        token = f"fresh{run_tag}n{k}"
        rel_dir = os.path.dirname(docs[rng.randrange(len(docs))][0])
        rel = os.path.join(rel_dir, f"fresh-{run_tag}-{k}.md")
        _, text = gen_corpus.make_note(plan, rng.randrange(plan.n), extra=f"Fresh marker {token}.", words=300)
        path = os.path.join(root, rel)
        changed["created"].append(path)
        atomic_write(path, text.encode("utf-8"))
        t0 = time.perf_counter()
        seen = wait_found(client, token, 1, 30)
        if seen is None:
            missed += 1
            lat.append(30000.0)
        else:
            lat.append((seen - t0) * 1000)
    client.close()
    return {"freshness_p50_ms": pct(lat, 50), "freshness_p95_ms": pct(lat, 95), "freshness_p99_ms": pct(lat, 99),
            "freshness_max_ms": max(lat), "freshness_writes": writes, "freshness_missed": missed}


def bulk_change(port, root, docs, mix, count, seed, changed):
    """Changes `count` notes as fast as a git pull writes them; time until all are searchable,
    with a second client searching the mix throughout."""
    count = min(count, len(docs) // 2)
    log(f"bulk: {count} changed notes")
    rng = random.Random(f"bulk-{seed}")
    token = "bulk" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    chosen = rng.sample(range(len(docs)), count)
    paths = [api_path(item) for item in mix]
    stop = threading.Event()
    during = {"ms": [], "errors": 0}

    def searcher():
        c = Client(port)
        i = 0
        while not stop.is_set():
            t = time.perf_counter()
            try:
                status, _ = c.get(paths[i % len(paths)])
                if status != 200:
                    during["errors"] += 1
            except (OSError, http.client.HTTPException):
                during["errors"] += 1
            during["ms"].append((time.perf_counter() - t) * 1000)
            i += 1
        c.close()

    th = threading.Thread(target=searcher)
    th.start()
    time.sleep(0.5)
    client = Client(port)
    t0 = time.perf_counter()
    for i in chosen:
        rel, raw = docs[i]
        path = os.path.join(root, rel)
        changed["modified"][path] = raw
        atomic_write(path, raw + f"\n\nReviewed again in the {token} pull.\n".encode())
    t_written = time.perf_counter()
    seen = wait_found(client, token, count, 120, 0.01)
    stop.set()
    th.join()
    client.close()
    ms = during["ms"]
    return {"bulk_notes": count, "bulk_1000_s": (seen - t0) if seen else float("nan"),
            "bulk_write_s": t_written - t0, "bulk_after_writes_s": (seen - t_written) if seen else float("nan"), "bulk_search_p50_ms": pct(ms, 50), "bulk_search_p99_ms": pct(ms, 99),
            "bulk_search_max_ms": max(ms) if ms else None, "bulk_search_requests": len(ms),
            "bulk_search_errors": during["errors"]}


def restore(changed):
    for path in changed["created"]:
        try:
            os.remove(path)
        except OSError:
            pass
    for path, raw in changed["modified"].items():
        atomic_write(path, raw)
    changed["created"].clear()
    changed["modified"].clear()


def phase_serve(args, root, docs, mix, answers, plan, out_dir, changed):
    res = {}
    server = Server(args.bin, root, os.path.join(out_dir, f"serve-{args.notes}.log"))
    log("serve: start on the built root")
    res["first_start_s"] = server.start()
    try:
        c = Client(server.port)
        found, total, by_how, misses = recall(c, answers)
        res.update(recall_found=found, recall_total=total, recall_by_kind=by_how,
                   recall_misses=[m["query"] for m in misses][:10])
        status, stats = c.json("/api/stats")
        res["stats_after_start"] = stats
        c.close()
        log(f"serve: recall {found}/{total}; one-client latency")
        res.update(latency_one_client(server.port, mix, args.requests, args.latency_s, args.seed))
        res.update(throughput(server.port, mix, out_dir, args.wrk_s))
        res["serve_rss_queries_mb"] = proc_status(server.proc.pid).get("VmHWM")
        res.update(freshness(server.port, root, plan, docs, args.fresh, args.seed, changed))
        res.update(bulk_change(server.port, root, docs, mix, args.bulk, args.seed, changed))
        st = proc_status(server.proc.pid)
        res["serve_rss_mb"] = st.get("VmHWM")
        res["serve_rss_now_mb"] = st.get("VmRSS")
        res["serve_rss_anon_mb"] = st.get("RssAnon")
        res["serve_rss_file_mb"] = st.get("RssFile")
        log("serve: restart on the unchanged root")
        res["shutdown_s"] = server.stop()
        res["restart_s"] = server.start()
        c = Client(server.port)
        status, stats = c.json("/api/stats")
        c.close()
        last = (stats or {}).get("last_sync") or {}
        res["restart_reparsed"] = (last.get("added") or 0) + (last.get("updated") or 0)
        res["restart_unchanged"] = last.get("unchanged")
        res["restart_rss_mb"] = proc_status(server.proc.pid).get("VmHWM")
    finally:
        server.stop()
    return res


# ---------------------------------------------------------------------------------------------
# Report.

def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(next(l for l in f if l.startswith("MemTotal")).split()[1]) // 1024
    except (OSError, StopIteration):
        pass

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
        except (OSError, IndexError):
            return None

    return {"cpus": os.cpu_count(), "cpu_model": model, "mem_mb": mem, "kernel": platform.release(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "rg": version(["rg", "--version"]), "wrk": version(["wrk", "--version"]) or (
                subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines() or [None])[0]
            if shutil.which("wrk") else None}


TARGETS = [
    ("build faster than SQLite FTS5", lambda s: ratio(s, "build_vs_sqlite") < 1),
    ("build within 2x of bare tantivy, like for like (read, parse, index)",
     lambda s: ratio(s, "build_vs_floor_pipeline") <= 2),
    ("build within 2x of bare tantivy indexing text in hand", lambda s: ratio(s, "build_vs_floor") <= 2),
    ("search p50 <= 5 ms", lambda s: s["search_p50_ms"] <= 5),
    ("search p99 <= 25 ms", lambda s: s["search_p99_ms"] <= 25),
    ("freshness p95 <= 300 ms", lambda s: s["freshness_p95_ms"] <= 300),
    ("restart <= 3 s, nothing re-parsed", lambda s: s["restart_s"] <= 3 and s.get("restart_reparsed", 0) == 0),
    ("serving RSS <= 300 MB", lambda s: s["serve_rss_mb"] <= 300),
    ("1,000-note change searchable <= 2 s, no errors",
     lambda s: s["bulk_1000_s"] <= 2 and s.get("bulk_search_errors", 0) == 0),
]


def table(s):
    f = lambda v, d=1: "-" if v is None else f"{v:,.{d}f}"  # noqa: E731
    rows = [
        ("notes / corpus", f"{s['notes']:,} notes, {s['corpus_mb']:.0f} MB", ""),
        ("full build", f"{f(s['build_s'], 2)} s", f"{f(s['build_notes_per_s'], 0)} notes/s, {f(s['build_mb_per_s'])} MB/s, "
                                                 f"peak RSS {f(s['build_rss_mb'], 0)} MB, index {f(s['index_mb'], 0)} MB"),
        ("  SQLite FTS5 build", f"{f(s['sqlite_build_s'], 2)} s", f"x{1 / ratio(s, 'build_vs_sqlite'):.2f} of daftar's time; "
                                                                f"inserts alone {f(s['sqlite_insert_s'], 2)} s, db {f(s['sqlite_db_mb'], 0)} MB"),
        ("  bare tantivy floor", f"{f(s['tantivy_floor_build_s'], 2)} s", f"daftar is x{ratio(s, 'build_vs_floor'):.2f}; "
                                                                        f"(+{f(s['tantivy_floor_extract_s'], 2)} s to extract the text, not counted)"),
        ("  bare tantivy, same pipeline", f"{f(s['tantivy_floor_pipeline_s'], 2)} s", f"daftar is x{ratio(s, 'build_vs_floor_pipeline'):.2f}; "
                                                                          "read, parse and index as daftar does, default tokenizer"),
        ("restart until /readyz", f"{f(s['restart_s'], 2)} s", f"{s.get('restart_reparsed')} notes re-parsed; first start {f(s['first_start_s'], 2)} s"),
        ("search, 1 client", f"p50 {f(s['search_p50_ms'], 2)} ms", f"p99 {f(s['search_p99_ms'], 2)} ms over {s['search_requests']:,} requests "
                                                                  f"(server took_ms p50 {f(s['search_took_p50_ms'], 2)})"),
        ("search, 16 clients", f"{f(s['search_qps'], 0)} req/s", f"p50 {f(s['search_16c_p50_ms'], 2)} ms, p99 {f(s['search_16c_p99_ms'], 2)} ms ({s['search_16c_tool']})"),
        ("  SQLite FTS5 queries", f"p50 {f(s['sqlite_p50_ms'], 2)} ms", f"p99 {f(s['sqlite_p99_ms'], 2)} ms (top 20 with snippets + program counts)"),
        ("  ripgrep", f"p50 {f(s['rg_p50_ms'], 1)} ms", f"p99 {f(s['rg_p99_ms'], 1)} ms ({s['rg_tool']} -l -i -F, {s['rg_rounds']} round(s))"),
        ("freshness (write to found)", f"p95 {f(s['freshness_p95_ms'], 0)} ms", f"p50 {f(s['freshness_p50_ms'], 0)}, p99 {f(s['freshness_p99_ms'], 0)} ms over {s['freshness_writes']} writes"),
        (f"{s['bulk_notes']:,}-note change", f"{f(s['bulk_1000_s'], 2)} s", f"writing took {f(s['bulk_write_s'], 2)} s; search meanwhile p50 "
                                                                         f"{f(s['bulk_search_p50_ms'], 1)} / p99 {f(s['bulk_search_p99_ms'], 1)} ms, "
                                                                         f"{s['bulk_search_errors']} errors"),
        ("serving peak RSS", f"{f(s['serve_rss_mb'], 0)} MB", f"{f(s.get('serve_rss_queries_mb'), 0)} MB before the live updates; at the end anon "
                                                           f"{f(s.get('serve_rss_anon_mb'), 0)} MB, file-backed {f(s.get('serve_rss_file_mb'), 0)} MB"),
        ("planted-answer recall", f"{s['recall_found']}/{s['recall_total']}", ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(s["recall_by_kind"].items()))
         + f"; SQLite FTS5 finds {s.get('sqlite_recall_found', '-')}/{s['recall_total']}"),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"| {'what':<{w0}} | {'figure':<{w1}} | detail |", f"| {'-' * w0} | {'-' * w1} | --- |"]
    lines += [f"| {a:<{w0}} | {b:<{w1}} | {c} |" for a, b, c in rows]
    lines += ["", "| service level (DESIGN) | at this N |", "| --- | --- |"]
    for name, ok in TARGETS:
        try:
            lines.append(f"| {name} | {'met' if ok(s) else 'MISSED'} |")
        except (KeyError, TypeError):
            lines.append(f"| {name} | n/a |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="daftar end-to-end benchmark (see benches/run.sh)")
    ap.add_argument("--notes", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--bin", required=True, help="the daftar release binary")
    ap.add_argument("--floor", required=True, help="the floor benchmark binary")
    ap.add_argument("--out", default="target/bench")
    ap.add_argument("--requests", type=int, default=3000, help="one-client requests (at least)")
    ap.add_argument("--latency-s", type=float, default=90, help="one-client time cap")
    ap.add_argument("--wrk-s", type=int, default=20)
    ap.add_argument("--fresh", type=int, default=50)
    ap.add_argument("--bulk", type=int, default=1000)
    ap.add_argument("--build-rounds", type=int, default=3,
                    help="rounds of the three builds, interleaved; each time is the median")
    ap.add_argument("--sqlite-rounds", type=int, default=5)
    ap.add_argument("--rg-budget-s", type=float, default=60)
    ap.add_argument("--wait-load", type=float, default=None,
                    help="before measuring, wait until the 1-minute load average is below this")
    ap.add_argument("--wait-max-s", type=float, default=900)
    args = ap.parse_args()
    if args.build_rounds < 1:
        ap.error("--build-rounds must be at least 1")
    os.makedirs(args.out, exist_ok=True)
    out_dir = os.path.abspath(args.out)
    root = os.path.join(out_dir, f"corpus-{args.notes}-s{args.seed}")
    s = {"notes": args.notes, "seed": args.seed, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
         "load_at_start": load_avg(), "machine": machine()}
    wall = time.perf_counter()
    info, gen_s = ensure_corpus(args, root)
    if args.wait_load is not None:
        waited = time.perf_counter()
        while os.getloadavg()[0] >= args.wait_load and time.perf_counter() - waited < args.wait_max_s:
            log(f"waiting for the load average ({os.getloadavg()[0]:.2f}) to fall below {args.wait_load}")
            time.sleep(15)
        s["waited_for_load_s"] = time.perf_counter() - waited
        s["load_at_start"] = load_avg()
    s["corpus_gen_s"] = gen_s
    s["corpus_mb"] = info["bytes"] / 1e6
    answers = json.load(open(os.path.join(root, ".bench", "answers.json"), encoding="utf-8"))
    mix = query_mix(info["programs"])
    s["queries"] = [dict(q) for q in mix]
    docs = read_corpus(root)  # warms the page cache for every tool alike
    plan = gen_corpus.Plan(args.notes, args.seed)

    builds, db = phase_builds(args, root, out_dir, info["bytes"])
    s.update(builds)

    dirty = os.path.join(root, ".bench", "dirty")
    changed = {"created": [], "modified": {}}
    open(dirty, "w").close()
    try:
        s.update(phase_serve(args, root, docs, mix, answers, plan, out_dir, changed))
    finally:
        restore(changed)
        os.remove(dirty)
    s.update(sqlite_queries(db, mix, args.sqlite_rounds))
    s.update(sqlite_recall(db, answers))
    s.update(rg_queries(root, mix, args.rg_budget_s))
    s["load_at_end"] = load_avg()
    s["bench_wall_s"] = time.perf_counter() - wall
    s["targets"] = {}
    for name, ok in TARGETS:
        try:
            s["targets"][name] = bool(ok(s))
        except (KeyError, TypeError):
            s["targets"][name] = None

    for name in ("summary.json", f"summary-{args.notes}.json"):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(s, f, ensure_ascii=False, indent=1)
    report = table(s)
    with open(os.path.join(out_dir, f"report-{args.notes}.md"), "w", encoding="utf-8") as f:
        f.write(report + "\n")
    print(report)
    if s["load_at_start"] and s["load_at_start"][0] > 1.5:
        print(f"\nnote: the machine was busy (load average {s['load_at_start'][0]} at start): figures are noisy")
    print(f"\nload average {s['load_at_start']} at start, {s['load_at_end']} at end; "
          f"{s['bench_wall_s']:.0f} s in all; summary in {os.path.join(args.out, 'summary.json')}")
    if s["recall_found"] < s["recall_total"] * 0.9:
        log(f"recall {s['recall_found']}/{s['recall_total']} is below 90%: the search is broken, figures are not comparable")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
