#!/usr/bin/env python3
"""Columnar output benchmark: events per second into a pyarrow Table (etw.to_arrow),
and the ratio against building a pandas DataFrame from ``ev.to_dict()`` rows.

    python benchmarks/bench_arrow.py [--corpus ../shared/etl-corpus] [--large-size 1G]
                                     [--threads 1,2] [--repeat 3] [--baseline-cap 200000]
                                     [--markdown out.md] [--json out.json]

Files: every *.etl of the corpus (as one set: events of all files over the time of all
calls, each call a fresh to_arrow), and a large synthetic file written by
tests/etlwriter/bigfile.py into benchmarks/data/ (kept and reused per size and seed,
like bench_reader.py).

Modes, each with order="time" (the default) and order="file" (except "arrow cold"):
  arrow cold      to_arrow(path) on every file once, in a fresh interpreter: the first
                  read, before the per-process cache of parsed in-band EventSource
                  manifests holds anything (the other modes keep the best of --repeat)
  arrow default   to_arrow(path): DEFAULT_COLUMNS (time, provider, name, id, version,
                  level, opcode, task, keyword, pid, tid, cpu, kind)
  arrow all       to_arrow(path, columns="all"): every header column and the payload
  pandas default  to_pandas(path)
  arrow list      to_arrow([paths...]) (file sets only): one call for the whole set,
                  files read at once (up to one per CPU) into one table
  tables          etw.tables(path) (time order, default threads; best of --repeat on a
                  file set, one run on the synthetic file): per-type tables with a column
                  per decoded property
  dict rows       pandas.json_normalize([ev.to_dict() for ev in etw.open(path)]) -- the
                  baseline, on at most --baseline-cap events per file (rates are per event,
                  so the ratio stays fair)
Both wall-clock and CPU time (user+system of this process) are reported: the CPU
rate is what the code costs, the wall rate what a user waits (it includes the other
threads' work, and contention on a loaded machine).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import json
import os
import platform
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")


def _import_etw():
    pkg = os.path.join(REPO, "python")
    if glob.glob(os.path.join(pkg, "etw", "_etw*.so")) or glob.glob(
            os.path.join(pkg, "etw", "_etw*.pyd")):
        sys.path.insert(0, pkg)
    import etw
    import etw.arrow
    return etw


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _size(text):
    text = text.strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(float(text[:-1] if text[-1:] in "KMG" else text) * mult)


def large_file(size, seed=0, cpus=4):
    name = "synthetic-%s-c%d-s%d.etl" % (_label(size), cpus, seed)
    path = os.path.join(DATA, name)
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return path
    os.makedirs(DATA, exist_ok=True)
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from etlwriter.bigfile import generate
    print(f"writing {path} ...", file=sys.stderr)
    generate(path, size, cpus=cpus, seed=seed)
    return path


def _label(size):
    for unit, n in (("GiB", 1 << 30), ("MiB", 1 << 20)):
        if size % n == 0:
            return "%d%s" % (size // n, unit)
    return str(size)


def measure(fn, files, repeat):
    """Best of `repeat` runs of fn over all files: (events, wall s, cpu s)."""
    best = None
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        n = 0
        for f in files:
            n += fn(f)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        if best is None or wall < best[1]:
            best = (n, wall, cpu)
    return best


COLD_SCRIPT = r"""
import json, os, resource, sys, time
sys.path[:0] = [p for p in sys.argv[2:3] if p]
import pyarrow, etw, etw.arrow
files = json.loads(sys.argv[1])
etw.to_arrow(etw.sample_path(), progress=False)  # first-call costs of pyarrow itself
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.perf_counter()
n = sum(etw.to_arrow(f, progress=False).num_rows for f in files)
print(json.dumps([n, time.perf_counter() - t0, cpu() - c0]))
"""


def measure_cold(files):
    """to_arrow over all files once in a fresh interpreter (etw and pyarrow imported and
    warmed on the packaged sample first): what a user's first read of these files costs,
    before any per-process cache (parsed in-band manifests) holds them."""
    import subprocess
    pkg = os.path.join(REPO, "python")
    extra = pkg if glob.glob(os.path.join(pkg, "etw", "_etw*")) else ""
    out = subprocess.run([sys.executable, "-c", COLD_SCRIPT, json.dumps(files), extra],
                         check=True, capture_output=True, text=True).stdout
    n, wall, cpu = json.loads(out.strip().splitlines()[-1])
    return n, wall, cpu


def _print_row(label, order, th, mode, n, wall, cpu):
    print("%-22s %-5s t=%d %-15s %10d ev  %7.3f s  %6.2f M ev/s  (cpu %6.3f s, %6.2f M ev/s)"
          % (label, order, th, mode, n, wall, n / wall / 1e6, cpu, n / cpu / 1e6 if cpu else 0),
          flush=True)


def run(args):
    etw = _import_etw()
    import pandas as pd
    threads = [int(t) for t in args.threads.split(",")]
    sets = []
    if os.path.isdir(args.corpus):
        files = sorted(glob.glob(os.path.join(args.corpus, "*.etl")))
        if files:
            sets.append(("corpus (%d files)" % len(files), files))
    if args.large_size:
        sets.append(("synthetic %s" % _label(_size(args.large_size)),
                     [large_file(_size(args.large_size))]))
    results = []
    for label, files in sets:
        for f in files:  # warm the page cache
            with open(f, "rb") as fh:
                while fh.read(1 << 24):
                    pass
        n, wall, cpu = measure_cold(files)
        results.append(dict(set=label, order="time", threads=os.cpu_count() or 1,
                            mode="arrow cold", events=n, wall=wall, cpu=cpu))
        print("%-22s %-5s t=%d %-15s %10d ev  %7.3f s  %6.2f M ev/s  (cpu %6.3f s)" % (
            label, "time", os.cpu_count() or 1, "arrow cold", n, wall, n / wall / 1e6, cpu),
            flush=True)
        for order in ("time", "file"):
            for th in threads:
                for mode, fn in (
                        ("arrow default",
                         lambda f: etw.to_arrow(f, order=order, threads=th,
                                                progress=False).num_rows),
                        ("arrow all",
                         lambda f: etw.to_arrow(f, columns="all", order=order, threads=th,
                                                progress=False).num_rows),
                        ("pandas default",
                         lambda f: len(etw.to_pandas(f, order=order, threads=th,
                                                     progress=False)))):
                    n, wall, cpu = measure(fn, files, args.repeat)
                    results.append(dict(set=label, order=order, threads=th, mode=mode,
                                        events=n, wall=wall, cpu=cpu))
                    _print_row(label, order, th, mode, n, wall, cpu)
                if len(files) > 1:
                    mode = "arrow list"
                    n, wall, cpu = measure(
                        lambda fl: etw.to_arrow(fl, order=order, threads=th,
                                                progress=False).num_rows, [files], args.repeat)
                    results.append(dict(set=label, order=order, threads=th, mode=mode,
                                        events=n, wall=wall, cpu=cpu))
                    _print_row(label, order, th, mode, n, wall, cpu)
        mode = "tables"
        n, wall, cpu = measure(
            lambda f: sum(t.num_rows for t in etw.tables(f, progress=False).values()), files,
            args.repeat if len(files) > 1 else 1)
        results.append(dict(set=label, order="time", threads=os.cpu_count() or 1, mode=mode,
                            events=n, wall=wall, cpu=cpu))
        _print_row(label, "time", os.cpu_count() or 1, mode, n, wall, cpu)
        if hasattr(etw.Event, "to_dict"):
            cap = args.baseline_cap

            def dict_rows(f):
                rows = [ev.to_dict() for ev in itertools.islice(etw.open(f), cap)]
                # pandas >= 3 infers Arrow-backed strings, which refuse the lone
                # surrogates some traces hold; object columns take them, as the
                # baseline a user would write must.
                try:
                    ctx = pd.option_context("future.infer_string", False)
                except Exception:
                    ctx = contextlib.nullcontext()
                with ctx:
                    return len(pd.json_normalize(rows))

            n, wall, cpu = measure(dict_rows, files, 1)
            results.append(dict(set=label, order="time", threads=1, mode="dict rows",
                                events=n, wall=wall, cpu=cpu))
            print("%-22s %-5s t=1 %-15s %10d ev  %7.3f s  %6.2f M ev/s  (cpu %6.3f s)" % (
                label, "time", "dict rows", n, wall, n / wall / 1e6, cpu), flush=True)
    # ratios: arrow default (time order, most threads) against dict rows, per set
    summary = []
    for label, _ in sets:
        base = [r for r in results if r["set"] == label and r["mode"] == "dict rows"]
        if not base:
            continue
        b = base[0]["events"] / base[0]["wall"]
        for r in results:
            if r["set"] == label and r["mode"] != "dict rows":
                r["ratio_vs_dict_rows"] = (r["events"] / r["wall"]) / b
        summary.append((label, b))
    return results, summary


def markdown(results, summary):
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    lines = [
        "Machine: %s, %s CPUs, Python %s; load average %s during the run." % (
            platform.machine(), os.cpu_count(), platform.python_version(),
            ", ".join("%.1f" % x for x in load) if load[0] != "?" else "?"),
        "",
        "| files | order | threads | mode | events | wall s | M events/s | cpu s | "
        "M events/s (cpu) | vs dict rows |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append("| %s | %s | %d | %s | %d | %.3f | %.2f | %.3f | %.2f | %s |" % (
            r["set"], r["order"], r["threads"], r["mode"], r["events"], r["wall"],
            r["events"] / r["wall"] / 1e6, r["cpu"],
            r["events"] / r["cpu"] / 1e6 if r["cpu"] else 0,
            "%.0fx" % r["ratio_vs_dict_rows"] if "ratio_vs_dict_rows" in r else ""))
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "etl-corpus"))
    p.add_argument("--large-size", default="1G", help="size of the synthetic file ('' = none)")
    p.add_argument("--threads", default="1,%d" % (os.cpu_count() or 1))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--baseline-cap", type=int, default=200000,
                   help="events per file for the to_dict() baseline")
    p.add_argument("--markdown")
    p.add_argument("--json")
    args = p.parse_args(argv)
    results, summary = run(args)
    md = markdown(results, summary)
    print()
    print(md)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
