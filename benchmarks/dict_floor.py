#!/usr/bin/env python3
"""The dict floor under Event.to_dict(), for the running interpreter.

Compiles dict_floor.c against this interpreter's headers (a C compiler is needed),
then measures, best of --repeat runs:

  C, insertion   build + free goetw's nested System layout (13 dicts, 1 list) from C with
                 interned keys and constant values
  C, templates   the same from prebuilt templates (PyDict_Copy, then the per-event
                 values set), as to_dict() does it: the floor under any to_dict()
                 returning real dicts of this shape on this interpreter and machine
  literal floor  the same shape as a Python dict literal (literal_floor(), which
                 bench_reader.py's "floor" mode runs over a trace's events), here
                 without a trace
  to_dict()      etw's Event.to_dict() over the files given (default: the corpus),
                 iteration included

    python benchmarks/dict_floor.py [--corpus ../shared/etl-corpus] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime
import glob
import importlib.util
import itertools
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def build_module(tmp):
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    out = os.path.join(tmp, "dict_floor" + suffix)
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    cmd = cc.split() + ["-O2", "-shared", "-fPIC", "-I" + sysconfig.get_paths()["include"],
                        os.path.join(HERE, "dict_floor.c"), "-o", out]
    subprocess.run(cmd, check=True)
    spec = importlib.util.spec_from_file_location("dict_floor", out)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def best(fn, repeat):
    t = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        d = time.perf_counter() - t0
        t = d if t is None or d < t else t
    return t


def literal_floor(events, count, guid, when):
    """Builds, for each of `events`, a Python dict literal of the to_dict() shape (13
    dicts, 5 EventData values, constants except the event's pid), keeping the number
    built in count[0]: what CPython itself needs to hand out that shape per event (also
    bench_reader.py's floor mode, over a trace's events)."""
    n = 0
    for ev in events:
        pid = ev.pid
        {"System": {"Provider": {"Name": "P", "Guid": guid}, "EventName": "E",
                    "EventID": 1, "Version": 0, "Level": {"Value": 4, "Name": "Info"},
                    "Task": {"Value": 0, "Name": ""}, "Opcode": {"Value": 0, "Name": ""},
                    "Keywords": {"Mask": "0x0", "Name": []},
                    "TimeCreated": {"SystemTime": when},
                    "Correlation": {"ActivityID": None, "RelatedActivityID": None},
                    "Execution": {"ProcessID": pid, "ThreadID": pid, "ProcessorID": 0,
                                  "KernelTime": 0, "UserTime": 0},
                    "Channel": {"Value": 0, "Name": ""}},
         "EventData": {"A": pid, "B": 2, "C": "c", "D": 4, "E": 5},
         "ExtendedData": {}}
        n += 1
        count[0] = n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "etl-corpus"))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("-n", type=int, default=500000, help="dicts per floor measurement")
    args = p.parse_args(argv)
    sys.path.insert(0, os.path.join(REPO, "python"))
    import etw
    guid = uuid.UUID(int=1)
    when = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    pid = 4388
    with tempfile.TemporaryDirectory() as tmp:
        mod = build_module(tmp)
        shape = mod.one(pid, 0, "Info", guid, when)
        assert len(shape["System"]) == 12 and len(shape["EventData"]) == 5
        n = args.n
        c_floor = best(lambda: mod.run(n, pid, 0, "Info", guid, when), args.repeat) / n
        copy_floor = best(lambda: mod.run(n, pid, 0, "Info", guid, when, True),
                          args.repeat) / n

    class _Ev:
        __slots__ = ("pid",)

    ev = _Ev()
    ev.pid = pid

    def literal():
        literal_floor(itertools.repeat(ev, n), [0], guid, when)

    lit_floor = best(literal, args.repeat) / n
    files = sorted(glob.glob(os.path.join(args.corpus, "*.etl")))
    if not files:
        files = [etw.sample_path()]
    traces = [etw.open(f) for f in files]
    count = [0]

    def decode():
        k = 0
        for t in traces:
            for ev in t:
                ev.to_dict()
                k += 1
        count[0] = k

    per_event = best(decode, args.repeat) / max(1, count[0])
    print("Python %s (%s)" % (sys.version.split()[0], sys.executable))
    print("C, by insertion (build + free)     %6.3f us  -> at most %5.2f M dicts/s"
          % (c_floor * 1e6, 1e-6 / c_floor))
    print("C, from templates (copy + free)    %6.3f us  -> at most %5.2f M dicts/s"
          % (copy_floor * 1e6, 1e-6 / copy_floor))
    print("Python literal of the same shape   %6.3f us  -> at most %5.2f M dicts/s"
          % (lit_floor * 1e6, 1e-6 / lit_floor))
    print("etw to_dict() on %d file(s), %d events, iteration included: %6.3f us -> %5.2f M "
          "events/s" % (len(files), count[0], per_event * 1e6, 1e-6 / per_event))


if __name__ == "__main__":
    main()
