#!/usr/bin/env python3
"""Per-request limits at 100k notes (issue #9): hostile-but-valid requests, one at a time.

    benches/limits.py [--notes 100000] [--reps 5] [--bin target/release/daftar] [--only NAME]

(or `benches/run.sh --notes 100000 --limits`). Python standard library only; the server wrapper,
client and corpus come from bench.py. Serves the seeded corpus (target/bench/corpus-N-sSEED,
generated and indexed when missing), then sends each request shape below `--reps` times after a
warm-up, one request at a time, and reports the median, p99 and max client wall time per shape, the
statuses, and every shape whose median is over 1 s. Then the slow clients: one client sending its
headers a byte a second (slowloris) while others search, many such clients at once, and a body
over 1 MiB to the webhook route. Writes target/bench/limits.json; exits 1 when a shape's median is
over `--budget-ms` (1,000) or a slow-client check fails.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in benches/
import bench  # noqa: E402
from bench import Client, Server, load_avg, log, pct  # noqa: E402

ZWNJ = "\u200c"

LONG_EN = ("stakeholders procurement documentation recommendations infrastructure decommissioning "
           "reconciliation prioritisation stabilisation commissioning specifications consultants "
           "requirements dependencies environments communications engagement realisation "
           "configuration compatibility interfaces middleware outsourcing subscription").split()
LONG_FA = ["برنامه" + ZWNJ + "ریزی", "درس" + ZWNJ + "آموخته", "زمان" + ZWNJ + "بندی", "پیمانکاران",
           "مستندسازی", "کمیته" + ZWNJ + "های", "راه" + ZWNJ + "اندازی", "بهره" + ZWNJ + "برداری",
           "تأمین" + ZWNJ + "کنندگان", "هماهنگی" + ZWNJ + "های", "پیش" + ZWNJ + "بینی" + ZWNJ + "شده"]
COMMON = ("project programme program vendor contract schedule budget risk team plan delivery data change "
          "stakeholder cost scope quality milestone review decision issue lesson steering committee procurement "
          "supplier integration testing migration cutover rollout training users business requirements design "
          "approval sponsor governance resources staff weeks months days report status system process management "
          "owner board meeting action register mitigation impact probability escalation baseline forecast").split()
SHORT = "cost plan risk team data scope gate site crew plan api hr kpi user risk test".split()


def misspell(w, k):
    """A long word with a letter changed and one doubled: every one is fuzzy and matches nothing
    exactly (the worst case for the typo automata: all of them run, none is cut short)."""
    chars = list(w)
    i = (k * 7) % len(chars)
    chars[i] = "xq"[k % 2] if chars[i].isascii() else "ژ"
    return "".join(chars) + chars[-1]


def fill(words, limit=1000, sep=" ", max_terms=64):
    """As many of `words` (cycled) as fit in `limit` characters and `max_terms` terms."""
    out, n, k = [], 0, 0
    while len(out) < max_terms:
        w = words[k % len(words)]
        k += 1
        add = len(w) + (len(sep) if out else 0)
        if n + add > limit:
            break
        out.append(w)
        n += add
    return sep.join(out)


def search(q, **kw):
    return "/api/search?" + urllib.parse.urlencode([("q", q)] + list(kw.items()))


def shapes(largest_id, programs):
    long_en = [misspell(w, k) for k, w in enumerate(LONG_EN * 3)]
    long_fa = [misspell(w, k) for k, w in enumerate(LONG_FA * 6)]
    real_long = LONG_EN * 3
    prog = [p["name"] for p in programs]
    phrases = ['"steering committee"', '"lessons learned"', '"critical path"', '"مسیر بحرانی"',
               '"کمیته راهبری"', '"root cause"', '"درس آموخته"', '"vendor onboarding delay"']
    stop = "the of and to in for on with from at by as into over after".split()
    stop_phrases = [f'"{a} {b}"' for a in stop for b in stop if a != b]
    hyphenated = [f"{a}-{b}" for a, b in zip(COMMON, COMMON[1:] + COMMON[:1])]
    nested = "(" * 63 + "vendor" + ")" * 63
    deep = "(" * 480 + "vendor" + ")" * 480
    enc = urllib.parse.quote(largest_id)
    return [
        ("long words, each fuzzy (64 misspelled, ~1000 chars)", search(fill(long_en))),
        ("long words, each fuzzy, limit=100", search(fill(long_en), limit="100")),
        ("long real words (64, ~1000 chars)", search(fill(real_long))),
        ("long real words, match=all", search(fill(real_long), match="all")),
        ("long real words, sort=date offset=10000", search(fill(real_long), sort="date", offset="10000")),
        ("Persian long words with half-spaces (64, misspelled)", search(fill(long_fa))),
        ("Persian long words with half-spaces (real)", search(fill(LONG_FA * 6))),
        ("64 short words OR'ed", search(fill(SHORT * 5, sep=" OR "))),
        ("200 short words OR'ed (refused: > 64 terms)", search(" OR ".join((SHORT * 14)[:200]))),
        ("many phrases (~45)", search(fill(phrases * 8))),
        ("prefix=true, last word `a`", search("vendor schedule a", prefix="true")),
        ("prefix=true, last word `م`", search("مدیریت م", prefix="true")),
        ("prefix=true, last word `st`", search("st", prefix="true")),
        ("prefix=true, 63 words + `a`", search(fill(real_long, limit=990, max_terms=63) + " a", prefix="true")),
        ("offset=10000 sort=date", search("vendor", sort="date", offset="10000")),
        ("offset=10000 relevance, common words", search("the project vendor schedule", offset="10000")),
        ("limit=100 with snippets", search("vendor schedule budget risk", limit="100")),
        ("negations (63 excluded words)", search("project " + fill(["-" + w for w in LONG_EN * 3], max_terms=63))),
        ("negations of misspelled long words", search("project " + fill(["-" + w for w in long_en], max_terms=63))),
        ("field clauses OR'ed (program: x 64)", search(fill([f'program:"{p}"' for p in prog] * 4, sep=" OR "))),
        ("meta.x: clauses (64)", search(fill([f"meta.budget_code:FIN-{200 + k}" for k in range(64)]))),
        ("parentheses nested 63 deep", search(nested)),
        ("parentheses nested 480 deep (refused)", search(deep)),
        ("groups of fuzzy words, OR'ed (21 groups)",
         search(" OR ".join(f"({a} {b})" for a, b in zip(long_en[0::2], long_en[1::2][:21])))),
        ("phrases of stop words (~45 distinct pairs)", search(fill(stop_phrases))),
        ("phrases of stop words, the same one 64 times", search(fill(['"of the"'] * 64))),
        ("hyphenated words (64, each a phrase)", search(fill(hyphenated))),
        ("64 common words", search(fill(COMMON))),
        ("64 common words, limit=100", search(fill(COMMON), limit="100")),
        ("/api/experts, long query", "/api/experts?" + urllib.parse.urlencode({"q": fill(long_en)})),
        ("/api/experts, long real query", "/api/experts?" + urllib.parse.urlencode({"q": fill(real_long)})),
        ("/api/notes/{largest}", f"/api/notes/{enc}"),
        ("/api/notes/{largest}/related", f"/api/notes/{enc}/related"),
        ("/api/reports", "/api/reports"),
        ("/api/reports?format=csv", "/api/reports?format=csv"),
        ("/feed.atom", "/feed.atom"),
        ("/api/programs", "/api/programs"),
        ("/api/experts", "/api/experts"),
        ("/api/problems", "/api/problems"),
        ("/api/stats", "/api/stats"),
        ("/api/review", "/api/review"),
    ]


def measure(port, path, reps):
    c = Client(port)
    times, statuses, took = [], {}, []
    for k in range(reps + 1):
        t = time.perf_counter()
        try:
            status, body = c.get(path)
        except (OSError, http.client.HTTPException) as e:
            status, body = f"transport: {e!r}", b""
        ms = (time.perf_counter() - t) * 1000
        if k == 0:
            continue  # warm-up
        times.append(ms)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200 and path.startswith("/api/search"):
            took.append(json.loads(body).get("took_ms", 0.0))
        elif status != 200 and "detail" not in statuses:
            statuses["detail"] = body[:160].decode("utf-8", "replace")
    c.close()
    return {"median_ms": statistics.median(times), "p99_ms": pct(times, 99), "max_ms": max(times),
            "statuses": statuses, "took_ms_median": statistics.median(took) if took else None}


def slowloris(port, seconds, others):
    """One client sends its request line and headers a byte a second; meanwhile a normal client
    searches. Returns the normal client's worst latency, whether the slow connection was closed by
    the server, and after how long."""
    s = socket.create_connection(("127.0.0.1", port))
    msg = b"GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000
    closed_after = None
    lat, errors = [], 0
    stop = threading.Event()

    def normal():
        nonlocal errors
        c = Client(port)
        while not stop.is_set():
            t = time.perf_counter()
            try:
                st, _ = c.get(search("vendor schedule"))
                errors += st != 200
            except (OSError, http.client.HTTPException):
                errors += 1
            lat.append((time.perf_counter() - t) * 1000)
            time.sleep(0.2)
        c.close()

    th = threading.Thread(target=normal)
    th.start()
    started = time.perf_counter()
    i = 0
    while time.perf_counter() - started < seconds:
        try:
            s.sendall(msg[i:i + 1])
        except OSError:
            closed_after = time.perf_counter() - started
            break
        i += 1
        s.settimeout(1.0)
        try:
            if s.recv(1024) == b"":
                closed_after = time.perf_counter() - started
                break
        except socket.timeout:
            pass
        except OSError:
            closed_after = time.perf_counter() - started
            break
    stop.set()
    th.join()
    s.close()
    # Many at once: they must not keep the server from answering others.
    conns = []
    for _ in range(others):
        try:
            c = socket.create_connection(("127.0.0.1", port))
            c.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n")
            conns.append(c)
        except OSError:
            break
    c = Client(port)
    t = time.perf_counter()
    try:
        st, _ = c.get(search("vendor"))
    except (OSError, http.client.HTTPException) as e:
        st = repr(e)
    many_ms = (time.perf_counter() - t) * 1000
    c.close()
    for x in conns:
        x.close()
    return {"slow_seconds": seconds, "slow_closed_after_s": closed_after, "bytes_sent": i,
            "others_max_ms": max(lat) if lat else None, "others_p50_ms": pct(lat, 50), "others_errors": errors,
            "others_requests": len(lat), "many_slow_connections": len(conns), "with_many_slow_status": st,
            "with_many_slow_ms": many_ms}


def big_body(port, size=2 * 1024 * 1024):
    """A body over 1 MiB to the webhook route: refused (413) without reading it all, with and
    without a Content-Length."""
    out = {}
    for chunked in (False, True):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t = time.perf_counter()
        try:
            if chunked:
                def gen():
                    for _ in range(size // 65536):
                        yield b"x" * 65536
                c.request("POST", "/api/hooks/git", body=gen(), encode_chunked=True,
                          headers={"Transfer-Encoding": "chunked"})
            else:
                c.request("POST", "/api/hooks/git", body=b"x" * size)
            r = c.getresponse()
            status = r.status
            r.read()
        except (OSError, http.client.HTTPException) as e:
            status = f"closed: {e!r}"
        out["chunked" if chunked else "content_length"] = {"status": status, "ms": (time.perf_counter() - t) * 1000}
        c.close()
    return out


def largest_note(root):
    best, size = None, -1
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for f in files:
            if f.endswith(".md"):
                p = os.path.join(d, f)
                n = os.path.getsize(p)
                if n > size:
                    best, size = p, n
    return os.path.relpath(best, root), size


def main():
    ap = argparse.ArgumentParser(description="daftar: worst-case requests, one at a time")
    ap.add_argument("--notes", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--budget-ms", type=float, default=1000)
    ap.add_argument("--slow-seconds", type=float, default=15)
    ap.add_argument("--slow-many", type=int, default=500)
    ap.add_argument("--only", default=None, help="only shapes whose name contains this")
    ap.add_argument("--bin", default="target/release/daftar")
    ap.add_argument("--out", default="target/bench")
    ap.add_argument("--json", default="limits.json")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    out_dir = os.path.abspath(args.out)
    root = os.path.join(out_dir, f"corpus-{args.notes}-s{args.seed}")
    info, _ = bench.ensure_corpus(args, root)
    largest, largest_bytes = largest_note(root)
    s = {"notes": args.notes, "reps": args.reps, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
         "load_at_start": load_avg(), "largest_note": largest, "largest_note_bytes": largest_bytes}
    server = Server(os.path.abspath(args.bin), root, os.path.join(out_dir, f"limits-{args.notes}.log"))
    log(f"limits: starting daftar serve on {args.notes} notes (indexing them first if needed)")
    s["start_s"] = server.start()
    over = []
    try:
        res = {}
        for name, path in shapes(largest, info["programs"]):
            if args.only and args.only not in name:
                continue
            r = measure(server.port, path, args.reps)
            r["path_chars"] = len(path)
            res[name] = r
            flag = "  OVER" if r["median_ms"] > args.budget_ms else ""
            log(f"{name}: median {r['median_ms']:.0f} ms, max {r['max_ms']:.0f} ms, {r['statuses']}{flag}")
            if flag:
                over.append(name)
        s["shapes"] = res
        if not args.only:
            log(f"slow clients: one slowloris for {args.slow_seconds:.0f} s, then {args.slow_many} at once")
            s["slowloris"] = slowloris(server.port, args.slow_seconds, args.slow_many)
            s["big_body"] = big_body(server.port)
        s["server_alive"] = server.proc.poll() is None
    finally:
        server.stop()
    s["load_at_end"] = load_avg()
    s["over_budget"] = over
    failures = [f"{n}: median over {args.budget_ms:.0f} ms" for n in over]
    if not s.get("server_alive"):
        failures.append("the server died")
    sl = s.get("slowloris")
    if sl and (sl["others_errors"] or (sl["others_max_ms"] or 0) > args.budget_ms
               or sl["with_many_slow_status"] != 200):
        failures.append(f"slow clients held others: {sl}")
    bb = s.get("big_body")
    if bb and any(v["status"] not in (413,) and not str(v["status"]).startswith("closed") for v in bb.values()):
        failures.append(f"a body over 1 MiB was not refused: {bb}")
    s["failures"] = failures
    with open(os.path.join(out_dir, args.json), "w", encoding="utf-8") as f:
        json.dump(s, f, ensure_ascii=False, indent=1)

    w = max((len(n) for n in s.get("shapes", {})), default=10)
    print(f"per-request limits at {args.notes:,} notes ({args.reps} runs each after a warm-up; client wall time)")
    print(f"| {'shape':<{w}} | median ms | p99 ms | max ms | status |")
    print(f"| {'-' * w} | --- | --- | --- | --- |")
    for n, r in s.get("shapes", {}).items():
        st = ", ".join(f"{k}×{v}" for k, v in r["statuses"].items() if k != "detail")
        print(f"| {n:<{w}} | {r['median_ms']:,.0f} | {r['p99_ms']:,.0f} | {r['max_ms']:,.0f} | {st} |")
    if sl:
        print(f"slowloris: {sl}")
    if bb:
        print(f"body > 1 MiB: {bb}")
    print(f"load average {s['load_at_start']} at start, {s['load_at_end']} at end; summary in "
          f"{os.path.join(args.out, args.json)}")
    for f in failures:
        print(f"FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
