#!/usr/bin/env python3
"""Reader benchmark: etw next to dissect.etl and etl-parser, in one run.

    python benchmarks/bench_reader.py [--large-size 1G] [--corpus ../shared/etl-corpus]
                                      [--quick] [--markdown out.md] [--json out.json]

Every measurement (one reader mode on one file) runs in a fresh subprocess, so the peak
RSS reported (VmHWM, i.e. ru_maxrss) belongs to that measurement alone. Files are read
once before measuring, so every reader sees a warm page cache.

Modes (header level, no payload decoding):
  etw scan            etw.scan(path): C-only pass returning counts per provider/event
                      (files of 32 MiB or more split between up to 4 threads, one per CPU)
  etw scan, 1 thread  etw.scan(path, threads=1)
  etw iterate         for ev in etw.open(path): ev.id          (order="time", default)
  etw iterate (file)  the same with order="file"
  dissect.etl         for rec in ETL(fh): n += 1   (record headers located and typed)
  etl-parser          build_from_stream(bytes).parse(counting observer)
Decoded modes (every event decoded to Python values), with --decoded on, or by default
when etw.Event has to_dict():
  etw to_dict         for ev in etw.open(path): ev.to_dict()
  etw to_json         for ev in etw.open(path): ev.to_json()  (the same content as JSON text)
  dissect.etl decode  rec.event.event_values() for every record
  etl-parser decode   parse_etw / parse_tracelogging / get_mof for every record
Competitor runs are stopped after --timeout seconds per file ("timeout", with the events
produced so far); errors are reported as "failed: <reason>".

File sets: the real corpus (every *.etl in --corpus) and a large synthetic file written by
tests/etlwriter/bigfile.py into benchmarks/data/ (kept and reused for the same size and
seed), plus a 64 MiB file from the same generator, used for the memory-flatness check and
for competitors that cannot read the large file within the timeout.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
SMALL_SIZE = 64 << 20
MB = 1e6  # MB/s and "MB" in the tables are decimal megabytes; RSS is MiB

ETW_MODES = ("etw-scan", "etw-scan-1", "etw-iter", "etw-iter-file")
COMPETITORS = ("dissect", "etlparser")
DECODED_MODES = ("etw-decode", "etw-json", "dissect-decode", "etlparser-decode")
LABELS = {
    "etw-scan": "etw scan (C only)",
    "etw-scan-1": "etw scan (C only), threads=1",
    "etw-iter": "etw iterate `ev.id`",
    "etw-iter-file": "etw iterate `ev.id`, order=file",
    "dissect": "dissect.etl records",
    "etlparser": "etl-parser records",
    "etw-decode": "etw `ev.to_dict()`",
    "etw-json": "etw `ev.to_json()`",
    "etw-dictfloor": "floor: iterate + a Python dict literal of the to_dict() shape",
    "dissect-decode": "dissect.etl `event_values()`",
    "etlparser-decode": "etl-parser parse_etw/get_mof",
}


# --------------------------------------------------------------------------------------
# worker side: one mode on one file, result as one JSON line on stdout


class _Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that readers' `except Exception` miss it."""


def _import_etw():
    # Benchmark the tree this script lives in when it has been built in place.
    pkg = os.path.join(REPO, "python")
    if glob.glob(os.path.join(pkg, "etw", "_etw*.so")) or glob.glob(
            os.path.join(pkg, "etw", "_etw*.pyd")):
        sys.path.insert(0, pkg)
    import etw
    return etw


def _status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _peak_rss_kb():
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r // 1024 if sys.platform == "darwin" else r


def _pass_etw_scan(etw, path, count, threads=None):
    count[0] = etw.scan(path, threads=threads)["events"]


def _pass_etw_iter(etw, path, count, order="time"):
    trace = etw.open(path, order=order)
    for ev in trace:
        ev.id
    count[0] = trace.stats["events"]


def _pass_etw_convert(etw, path, count, method):
    """ev.to_dict() or ev.to_json() (`method`) for every event."""
    convert = getattr(etw.Event, method)
    trace = etw.open(path)
    n = 0
    for ev in trace:
        convert(ev)
        n += 1
        count[0] = n


def _pass_dict_floor(etw, path, count):
    """What CPython itself needs to hand out one nested dict of the to_dict() shape per
    event (13 dicts, 5 EventData values, constants everywhere): a floor under any
    to_dict() built from Python objects, measured on the same machine in the same run."""
    import datetime
    import uuid
    from dict_floor import literal_floor
    literal_floor(etw.open(path), count, uuid.UUID(int=1),
                  datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))


def _pass_dissect(path, count):
    from dissect.etl.etl import ETL
    n = 0
    with open(path, "rb") as fh:
        for _rec in ETL(fh):
            n += 1
            count[0] = n


def _pass_dissect_decode(path, count):
    from dissect.etl.etl import ETL
    n = errors = 0
    with open(path, "rb") as fh:
        for rec in ETL(fh):
            try:
                rec.event.event_values()
            except Exception:  # an undecodable event is counted, not fatal
                errors += 1
            n += 1
            count[0], count[1] = n, errors


def _etlparser_observer(count, decode):
    from etl.etl import IEtlFileObserver

    def make(method):
        def handler(self, obj):
            count[0] += 1
            if decode:
                try:
                    getattr(obj, method)()
                except Exception:  # unknown provider/version: counted, not fatal
                    count[1] += 1
        return handler

    def on_event(self, obj):
        count[0] += 1
        if decode:
            try:
                obj.parse_etw()
            except Exception:
                try:
                    obj.parse_tracelogging()
                except Exception:
                    count[1] += 1

    body = {
        "on_event_record": on_event,
        "on_trace_record": make("get_process_id"),
        "on_perfinfo_trace": make("get_mof"),
        "on_system_trace": make("get_mof"),
        "on_win_trace": make("parse_etw"),
    }
    if not decode:
        body = {k: (lambda self, obj: count.__setitem__(0, count[0] + 1)) for k in body}
    return type("CountingObserver", (IEtlFileObserver,), body)()


def _pass_etlparser(path, count, decode=False):
    from etl.etl import build_from_stream
    with open(path, "rb") as f:
        data = f.read()
    build_from_stream(data).parse(_etlparser_observer(count, decode))


def worker(mode, path, repeat, timeout):
    """Run `mode` on `path` (best of `repeat` passes) and return a result dict."""
    etw = None
    if mode.startswith("etw"):
        etw = _import_etw()
        if mode == "etw-decode" and not hasattr(etw.Event, "to_dict"):
            return {"status": "skipped: Event.to_dict missing"}
        if mode == "etw-json" and not hasattr(etw.Event, "to_json"):
            return {"status": "skipped: Event.to_json missing"}
    elif mode.startswith("dissect"):
        import dissect.etl.etl  # noqa: F401  (import cost outside the timing)
    else:
        import etl.etl  # noqa: F401
    passes = {
        "etw-scan": lambda c: _pass_etw_scan(etw, path, c),
        "etw-scan-1": lambda c: _pass_etw_scan(etw, path, c, threads=1),
        "etw-iter": lambda c: _pass_etw_iter(etw, path, c),
        "etw-iter-file": lambda c: _pass_etw_iter(etw, path, c, order="file"),
        "etw-decode": lambda c: _pass_etw_convert(etw, path, c, "to_dict"),
        "etw-json": lambda c: _pass_etw_convert(etw, path, c, "to_json"),
        "etw-dictfloor": lambda c: _pass_dict_floor(etw, path, c),
        "dissect": lambda c: _pass_dissect(path, c),
        "dissect-decode": lambda c: _pass_dissect_decode(path, c),
        "etlparser": lambda c: _pass_etlparser(path, c),
        "etlparser-decode": lambda c: _pass_etlparser(path, c, decode=True),
    }
    run = passes[mode]
    base_kb = _status_kb("VmRSS")

    def on_alarm(signum, frame):
        raise _Timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    best = cpu = thread_cpu = None
    status = "ok"
    count = [0, 0]
    spent = 0.0
    for _ in range(max(1, repeat)):
        if spent > 20.0:  # long passes: best of fewer
            break
        count = [0, 0]
        signal.setitimer(signal.ITIMER_REAL, timeout)
        c0, tc0 = time.process_time(), time.thread_time()
        t0 = time.perf_counter()
        try:
            run(count)
        except _Timeout:
            status = "timeout"
        except Exception as exc:  # a competitor that cannot read the file
            msg = str(exc).splitlines()[0] if str(exc) else ""
            status = "failed: %s%s" % (type(exc).__name__, (": " + msg[:80]) if msg else "")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        dt = time.perf_counter() - t0
        spent += dt
        c1, tc1 = time.process_time(), time.thread_time()
        if best is None or dt < best or status != "ok":
            best, cpu, thread_cpu = dt, c1 - c0, tc1 - tc0
        if status != "ok":
            break
    if status == "ok" and count[0] == 0 and not mode.startswith("etw"):
        status = "no events read"  # e.g. etl-parser on compressed files: no error, no events
    return {
        "status": status, "events": count[0], "decode_errors": count[1], "seconds": best,
        "cpu_seconds": cpu, "thread_cpu_seconds": thread_cpu,
        "bytes": os.path.getsize(path), "peak_rss_kb": _peak_rss_kb(), "base_rss_kb": base_kb,
    }


# --------------------------------------------------------------------------------------
# parent side


def measure(mode, path, repeat, timeout):
    """Run one measurement in a fresh interpreter; never raises."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", mode, path,
           "--repeat", str(repeat), "--timeout", str(timeout)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * repeat + 60)
    except subprocess.TimeoutExpired:
        return {"status": "timeout (killed)", "events": 0, "seconds": None,
                "bytes": os.path.getsize(path), "peak_rss_kb": None}
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]
        return {"status": "failed: %s" % tail[:100], "events": 0, "seconds": None,
                "bytes": os.path.getsize(path), "peak_rss_kb": None}
    return json.loads(lines[-1])


def parse_size(text):
    text = text.strip().upper().rstrip("B").rstrip("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(float(text[:-1] if text[-1:] in "KMG" else text) * mult)


def human_size(n):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%.1f MB" % (n / MB)


def synthetic(size, seed, cpus=4):
    """Path and generator summary of a cached synthetic file; generates it if missing."""
    os.makedirs(DATA, exist_ok=True)
    name = "synthetic-%s-c%d-s%d" % (human_size(size).replace(" ", ""), cpus, seed)
    path = os.path.join(DATA, name + ".etl")
    meta_path = os.path.join(DATA, name + ".json")
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("bytes") == os.path.getsize(path) and meta.get("size") == size:
            return path, meta
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from etlwriter.bigfile import generate
    print("generating %s (%s) ..." % (path, human_size(size)), file=sys.stderr, flush=True)
    s = generate(path, size, cpus=cpus, seed=seed)
    meta = {k: s[k] for k in ("events", "buffers", "bytes", "kinds", "seconds")}
    meta.update(size=size, seed=seed, cpus=cpus)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print("  %d events, %d bytes in %.1f s" % (s["events"], s["bytes"], s["seconds"]),
          file=sys.stderr, flush=True)
    return path, meta


def warm(paths):
    """Read every file once so all readers start from a warm page cache."""
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.read(1 << 24):
                pass


def aggregate(results):
    """Sum per-file results: rates over the files read completely."""
    ok = [r for r in results if r["status"] == "ok"]
    bad = [r for r in results if r["status"] != "ok"]
    agg = {
        "files": len(results), "files_ok": len(ok),
        "events": sum(r["events"] for r in ok), "bytes": sum(r["bytes"] for r in ok),
        "seconds": sum(r["seconds"] for r in ok),
        "cpu_seconds": sum(r.get("cpu_seconds") or 0 for r in ok),
        "thread_cpu_seconds": sum(r.get("thread_cpu_seconds") or 0 for r in ok),
        "peak_rss_kb": max((r["peak_rss_kb"] or 0 for r in results), default=0),
        "base_rss_kb": max((r.get("base_rss_kb") or 0 for r in results), default=0),
        "partial_events": sum(r.get("events") or 0 for r in bad),
        "problems": sorted({r["status"].split(":")[0] + (": " + r["status"].split(":", 2)[1].strip()
                                                        if ":" in r["status"] else "")
                            for r in bad}),
    }
    agg["events_per_s"] = agg["events"] / agg["seconds"] if agg["seconds"] else None
    agg["mb_per_s"] = agg["bytes"] / MB / agg["seconds"] if agg["seconds"] else None
    # Nothing read completely but a timeout produced events: the rate until the timeout.
    timed = [r for r in bad if r["status"].startswith("timeout") and r.get("seconds")
             and r.get("events")]
    agg["partial"] = bool(not ok and timed)
    if agg["partial"]:
        agg["events"] = sum(r["events"] for r in timed)
        agg["seconds"] = sum(r["seconds"] for r in timed)
        agg["events_per_s"] = agg["events"] / agg["seconds"]
        agg["mb_per_s"] = None
        agg["cpu_seconds"] = sum(r.get("cpu_seconds") or 0 for r in timed)
        agg["thread_cpu_seconds"] = sum(r.get("thread_cpu_seconds") or 0 for r in timed)
    return agg


def fmt_num(x, digits=0):
    if x is None:
        return "–"
    if digits == 0:
        return "{:,.0f}".format(x)
    return "{:,.{d}f}".format(x, d=digits)


def fmt_rss(kb):
    return fmt_num(kb / 1024, 1) if kb else "–"


def env_info():
    info = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")),
                               platform.processor())
    except OSError:
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    try:
        info["load"] = "%.1f" % os.getloadavg()[0]
    except OSError:
        info["load"] = "?"
    from importlib import metadata
    for dist in ("dissect.etl", "etl-parser", "etw"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    return info


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def build_markdown(report):
    out = []
    env = report["env"]
    out.append("Machine: %s, %s cores, Python %s, %s. dissect.etl %s, etl-parser %s. "
               "1-min load average %s. Warm page cache; each measurement in a "
               "fresh process; etw modes best of %d passes (fewer once 20 s are spent), "
               "competitors one pass with a %d s timeout per file. MB = 10^6 bytes, "
               "RSS in MiB (peak VmHWM of the process, interpreter and imports included)."
               % (env["cpu"], env["cores"], env["python"], env["platform"], env["dissect.etl"],
                  env["etl-parser"],
                  "%s at the start, %s at the end" % (env["load"], env.get("load_end", "?")),
                  report["repeat"], report["timeout"]))
    out.append("")
    out.append(row(["file set", "reader", "files read", "events", "seconds", "events/s",
                    "MB/s", "CPU s (main thread / all)", "peak RSS MiB"]))
    out.append(row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]))
    for fs in report["filesets"]:
        for mode in fs["modes"]:
            a = fs["agg"][mode]
            if a is None:
                continue
            files = "%d/%d" % (a["files_ok"], a["files"])
            if a["problems"]:
                files += " (" + "; ".join(a["problems"]) + ")"
            mark = " (partial, until timeout)" if a.get("partial") else ""
            out.append(row([fs["label"], LABELS[mode], files, fmt_num(a["events"]) + mark,
                            fmt_num(a["seconds"], 3), fmt_num(a["events_per_s"]) + mark,
                            fmt_num(a["mb_per_s"], 1),
                            "%s / %s" % (fmt_num(a["thread_cpu_seconds"], 3),
                                         fmt_num(a["cpu_seconds"], 3)),
                            fmt_rss(a["peak_rss_kb"])]))
    out.append("")
    out.append("etw scan = `etw.scan(path)` (C only, counts per provider/event); etw iterate = "
               "`for ev in etw.open(path): ev.id` (order=time unless noted); dissect.etl = "
               "`for rec in ETL(fh)` (record headers located and typed, nothing decoded); "
               "etl-parser = `build_from_stream(data).parse(observer)` with a counting "
               "observer. Rates are over the files read completely; \"seconds\" is wall "
               "time summed over them. CPU s: the calling thread's CPU time / the whole "
               "process's (etw iterate runs its reader on a second thread, so wall time "
               "on a busy machine can exceed both).")
    out.append("")

    # Head to head: each competitor on the files it read, etw on the same files.
    h2h = report.get("head_to_head") or []
    if h2h:
        out.append("Same files, side by side (each competitor on the files it read completely; "
                   "etw on exactly those files):")
        out.append("")
        out.append(row(["file set", "reader", "files", "events (etw)", "events/s", "MB/s",
                        "etw scan speed-up", "etw iterate speed-up"]))
        out.append(row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"]))
        for h in h2h:
            out.append(row([h["fileset"], LABELS[h["mode"]], h["files"],
                            "%s (%s)" % (fmt_num(h["events"]), fmt_num(h["etw_events"])),
                            fmt_num(h["events_per_s"]), fmt_num(h["mb_per_s"], 1),
                            ("%.0f×" % h["scan_x"]) if h["scan_x"] else "–",
                            ("%.0f×" % h["iter_x"]) if h["iter_x"] else "–"]))
        out.append("")

    mem = report.get("memory")
    if mem:
        out.append("Memory on the large file: etw iterate peak RSS %s MiB on %s vs %s MiB on "
                   "%s (%s MiB after imports, before reading)."
                   % (fmt_rss(mem["large_kb"]), mem["large_label"], fmt_rss(mem["small_kb"]),
                      mem["small_label"], fmt_rss(mem["base_kb"])))
        out.append("")
    checks = report.get("targets")
    if checks:
        out.append("Targets: " + "; ".join(checks) + ".")
        out.append("")
    notes = report.get("notes")
    for n in notes or ():
        out.append(n)
    if notes:
        out.append("")

    # per-file detail for the corpus
    corpus = next((fs for fs in report["filesets"] if fs["kind"] == "corpus"), None)
    if corpus:
        out.append("<details><summary>Per-file results on the corpus (events; events/s)</summary>")
        out.append("")
        modes = [m for m in corpus["modes"] if corpus["agg"][m] is not None]
        out.append(row(["file", "MB"] + [LABELS[m] for m in modes]))
        out.append(row(["---", "---:"] + ["---:"] * len(modes)))
        for i, f in enumerate(corpus["files"]):
            cells = [os.path.basename(f), fmt_num(os.path.getsize(f) / MB, 2)]
            for m in modes:
                r = corpus["results"][m][i]
                if r["status"] == "ok":
                    rate = r["events"] / r["seconds"] if r["seconds"] else None
                    cells.append("%s; %s" % (fmt_num(r["events"]), fmt_num(rate)))
                else:
                    cells.append("%s (%s events)" % (r["status"].replace("|", "/"),
                                                     fmt_num(r.get("events") or 0)))
            out.append(row(cells))
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out)


def run_fileset(label, kind, files, modes, repeat, timeout, verbose=True):
    fs = {"label": label, "kind": kind, "files": files, "modes": list(modes),
          "results": {}, "agg": {}}
    for mode in modes:
        rep = repeat if mode.startswith("etw") else 1
        res = []
        for f in files:
            r = measure(mode, f, rep, timeout)
            res.append(r)
            if verbose:
                rate = ("%.0f ev/s" % (r["events"] / r["seconds"])) if (
                    r.get("seconds") and r["status"] == "ok") else ""
                print("  %-17s %-48s %-10s %10s ev %9s s %14s %8s MiB" % (
                    mode, os.path.basename(f)[:48], r["status"][:40], r.get("events") or 0,
                    fmt_num(r.get("seconds"), 3), rate, fmt_rss(r.get("peak_rss_kb"))),
                    file=sys.stderr, flush=True)
        fs["results"][mode] = res
        if res and all(r["status"].startswith("skipped") for r in res):
            fs["agg"][mode] = None
        else:
            fs["agg"][mode] = aggregate(res)
    return fs


def head_to_head(fs, competitor):
    """Competitor vs etw on the files the competitor read completely."""
    res = fs["results"].get(competitor)
    if not res:
        return None
    idx = [i for i, r in enumerate(res) if r["status"] == "ok"]
    if not idx:
        # Timed out everywhere: compare the rate it reached with etw's on the same files.
        c = aggregate(res)
        it = fs["agg"].get("etw-decode" if competitor.endswith("decode") else "etw-iter")
        scan = None if competitor.endswith("decode") else fs["agg"].get("etw-scan")
        js = fs["agg"].get("etw-json") if competitor.endswith("decode") else None
        if not c.get("partial"):
            return None
        return {
            "fileset": fs["label"], "mode": competitor,
            "files": "0/%d (timeout; rate until then)" % len(res), "events": c["events"],
            "events_per_s": c["events_per_s"], "mb_per_s": None,
            "etw_events": it["events"] if it else None,
            "scan_x": scan["events_per_s"] / c["events_per_s"] if scan and scan["events_per_s"]
            else None,
            "iter_x": it["events_per_s"] / c["events_per_s"] if it and it["events_per_s"]
            else None,
            "json_x": js["events_per_s"] / c["events_per_s"] if js and js["events_per_s"]
            else None,
        }

    def sub(mode):
        rs = fs["results"].get(mode)
        if not rs or any(rs[i]["status"] != "ok" for i in idx):
            return None
        return aggregate([rs[i] for i in idx])

    c = aggregate([res[i] for i in idx])
    scan, it = sub("etw-scan"), sub("etw-decode" if competitor.endswith("decode") else "etw-iter")
    js = sub("etw-json") if competitor.endswith("decode") else None
    if competitor.endswith("decode"):
        scan = None
    return {
        "fileset": fs["label"], "mode": competitor, "files": "%d/%d" % (len(idx), len(res)),
        "events": c["events"], "events_per_s": c["events_per_s"], "mb_per_s": c["mb_per_s"],
        "etw_events": it["events"] if it else None,
        "scan_x": (c["seconds"] / scan["seconds"]) if scan and scan["seconds"] else None,
        "iter_x": (c["seconds"] / it["seconds"]) if it and it["seconds"] else None,
        "json_x": (c["seconds"] / js["seconds"]) if js and js["seconds"] else None,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--large-size", default="1G", help="size of the synthetic file (1G)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "etl-corpus"))
    ap.add_argument("--quick", action="store_true",
                    help="128 MiB large file, 1 pass, 30 s competitor timeout")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per file for each measurement (120; 30 with --quick)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="passes per etw measurement, best kept (5; 1 with --quick)")
    ap.add_argument("--decoded", choices=("auto", "on", "off"), default="auto",
                    help="decoded modes: auto = when etw.Event has to_dict()")
    ap.add_argument("--no-competitors", action="store_true")
    ap.add_argument("--markdown", help="write the markdown tables to this file")
    ap.add_argument("--json", help="write every raw result to this file")
    ap.add_argument("--worker", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    timeout = args.timeout or (30.0 if args.quick else 120.0)
    repeat = args.repeat or (1 if args.quick else 5)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], repeat, timeout)))
        return 0

    large_size = parse_size("128M" if args.quick and args.large_size == "1G" else args.large_size)
    etw = _import_etw()
    has_to_dict = hasattr(etw.Event, "to_dict")
    decoded = args.decoded == "on" or (args.decoded == "auto" and has_to_dict)
    competitors = () if args.no_competitors else COMPETITORS
    header_modes = ETW_MODES + competitors
    decoded_modes = (("etw-decode", "etw-json", "etw-dictfloor") +
                     tuple(m + "-decode" for m in competitors) if decoded else ())
    report = {"env": env_info(), "repeat": repeat, "timeout": timeout,
              "etw_file": etw.__file__, "filesets": [], "notes": []}
    print("etw from %s; Event.to_dict %s" % (etw.__file__, "present" if has_to_dict else "missing"),
          file=sys.stderr)

    # 1. corpus
    corpus_files = sorted(glob.glob(os.path.join(args.corpus, "*.etl")))
    if corpus_files:
        total = sum(os.path.getsize(f) for f in corpus_files)
        warm(corpus_files)
        label = "corpus (%d files, %.1f MB)" % (len(corpus_files), total / MB)
        print(label, file=sys.stderr)
        fs = run_fileset(label, "corpus", corpus_files, header_modes + decoded_modes, repeat,
                         timeout)
        report["filesets"].append(fs)
    else:
        print("no corpus at %s: skipped" % args.corpus, file=sys.stderr)

    # 2. synthetic files: small (64 MiB) and large
    small_path, small_meta = synthetic(SMALL_SIZE, args.seed)
    large_path, large_meta = synthetic(large_size, args.seed) if large_size != SMALL_SIZE else (
        small_path, small_meta)
    warm([small_path, large_path])
    small_label = "synthetic %s (%.0f MB)" % (human_size(SMALL_SIZE), small_meta["bytes"] / MB)
    large_label = "synthetic %s (%.0f MB)" % (human_size(large_size), large_meta["bytes"] / MB)

    print(small_label, file=sys.stderr)
    small = run_fileset(small_label, "synthetic-small", [small_path],
                        ("etw-scan", "etw-scan-1", "etw-iter") + competitors + decoded_modes,
                        repeat, timeout)
    print(large_label, file=sys.stderr)
    large_modes = list(ETW_MODES)
    skipped_large = []
    for m in competitors + tuple(decoded_modes):
        r = small["results"][m][0]
        if r["status"].startswith("skipped"):
            continue
        if r["status"] == "ok" and r["seconds"] * large_meta["bytes"] / small_meta["bytes"] \
                <= timeout * 0.9:
            large_modes.append(m)
        else:
            skipped_large.append(m)
    large = run_fileset(large_label, "synthetic-large", [large_path], large_modes, repeat,
                        timeout)
    report["filesets"] += [large, small]
    for m in skipped_large:
        report["notes"].append(
            "%s was not run on the %s file: its %s run projects past the %d s timeout "
            "(or did not finish); its rate on that file stands for it."
            % (LABELS[m], human_size(large_size), human_size(SMALL_SIZE), timeout))

    try:
        report["env"]["load_end"] = "%.1f" % os.getloadavg()[0]
    except OSError:
        pass

    # exact-count check against the generator
    for fs_, meta in ((large, large_meta), (small, small_meta)):
        for m in fs_["modes"]:
            r = fs_["results"][m][0]
            if m.startswith("etw") and r["status"] == "ok" and r["events"] != meta["events"]:
                report["notes"].append("**%s on %s counted %d events; the generator wrote %d.**"
                                       % (LABELS[m], fs_["label"], r["events"], meta["events"]))

    # head to head
    h2h = []
    for fs_ in report["filesets"]:
        for m in competitors + tuple(d for d in decoded_modes if not d.startswith("etw")):
            if m in fs_["results"]:
                h = head_to_head(fs_, m)
                if h:
                    h2h.append(h)
                if h and m.endswith("-decode") and h.get("json_x"):
                    report["notes"].append(
                        "%s: `ev.to_json()` (the same decoded event as JSON text, written in C) "
                        "is %.0f× %s on the same files." % (fs_["label"], h["json_x"], LABELS[m]))
    report["head_to_head"] = h2h
    # to_dict() against the floor CPython sets for building that dict shape
    for fs_ in report["filesets"]:
        d, f = fs_["agg"].get("etw-decode"), fs_["agg"].get("etw-dictfloor")
        if d and f and d.get("events_per_s") and f.get("events_per_s"):
            report["notes"].append(
                "%s: `ev.to_dict()` %.0f events/s; building the same nested dict shape from "
                "constants in Python (plus iterating) %.0f events/s: to_dict() runs at %.2f× "
                "that floor." % (fs_["label"], d["events_per_s"], f["events_per_s"],
                                 d["events_per_s"] / f["events_per_s"]))

    # memory flatness
    li, si = large["results"]["etw-iter"][0], small["results"]["etw-iter"][0]
    if li["status"] == "ok" and si["status"] == "ok":
        report["memory"] = {"large_kb": li["peak_rss_kb"], "small_kb": si["peak_rss_kb"],
                            "base_kb": li.get("base_rss_kb"), "large_label": human_size(large_size),
                            "small_label": human_size(SMALL_SIZE)}

    # targets
    checks = []
    ls = large["agg"]["etw-scan"]
    if ls and ls["mb_per_s"]:
        checks.append("C-only scan %.2f GB/s on the uncompressed %s file (target ≥ 1 GB/s: %s)"
                      % (ls["mb_per_s"] / 1000, human_size(large_size),
                         "met" if ls["mb_per_s"] >= 1000 else "NOT met"))
    ls1 = large["agg"].get("etw-scan-1")
    if ls1 and ls1["mb_per_s"]:
        checks.append("C-only scan on one thread %.2f GB/s on the same file"
                      % (ls1["mb_per_s"] / 1000))
    lit = large["agg"]["etw-iter"]
    if lit and lit["events_per_s"]:
        checks.append("Python iterator %.2f M events/s (target ≥ 3 M: %s)"
                      % (lit["events_per_s"] / 1e6, "met" if lit["events_per_s"] >= 3e6
                         else "NOT met"))
    if report.get("memory"):
        mm = report["memory"]
        growth = (mm["large_kb"] - mm["small_kb"]) / 1024
        checks.append("memory %s (+%.1f MiB from %s to %s)" % (
            "flat" if growth < 16 else "NOT flat", growth, mm["small_label"], mm["large_label"]))
    report["targets"] = checks

    md = build_markdown(report)
    print(md)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
