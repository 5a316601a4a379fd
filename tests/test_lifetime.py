"""Leaks and lifetime: memory, native threads, reference counts, interpreter exit.

A ~200 MB synthetic trace (tests/etlwriter/bigfile.py, 2.4 million events, built
once in a temp folder) is read in every way a program may stop reading it:

* iterating millions of events keeps memory flat (tracemalloc and RSS);
* breaking out of loops early, again and again, leaks nothing and leaves no thread;
* events stay valid after their trace is closed, deleted and its file removed;
* 50 iterators running at once each deliver the whole trace, exactly;
* garbage collection of an unfinished iterator (directly, in a reference cycle,
  through Trace.close()) joins its native thread at once (/proc/self/task);
* a process exits promptly with unfinished iterators alive (subprocesses, timeout);
* reference counts of traces, events, paths and types come back to where they were;
* SIGINT during iteration stops it promptly with KeyboardInterrupt, whoever consumes
  the events (a Python loop, a C consumer, Trace.process).

Linux only (/proc). Under AddressSanitizer (LD_PRELOAD) the RSS bounds are skipped:
ASan's quarantine keeps freed memory resident by design.
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc

import pytest

import etw
from etlwriter import bigfile

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"),
                                reason="needs Linux /proc")

BIG_BYTES = 200 * 1024 * 1024
ETW_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(etw.__file__)))
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")


# ----------------------------------------------------------------------------- helpers

def threads():
    """Native reader threads of etw alive in this process (named "etw-reader");
    other libraries' threads (Dask, Jupyter clients, ...) come and go freely."""
    n = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open("/proc/self/task/%s/comm" % tid) as f:
                n += f.read().strip() == "etw-reader"
        except OSError:
            pass  # the thread ended while we looked
    return n


def wait_threads(target, timeout=5.0):
    """Polls until at most `target` threads remain; returns the last count."""
    end = time.monotonic() + timeout
    n = threads()
    while n > target and time.monotonic() < end:
        time.sleep(0.01)
        n = threads()
    return n


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fp(ev):
    return (ev.raw_timestamp, ev.file_offset, ev.cpu, ev.raw)


def digest_update(h, ev):
    h.update(ev.raw)
    h.update(b"%d %d %d;" % (ev.raw_timestamp, ev.file_offset, ev.cpu))


def sequence_digest(events):
    """SHA-1 of the fingerprints of an event sequence, and its length."""
    h = hashlib.sha1()
    n = 0
    for ev in events:
        digest_update(h, ev)
        n += 1
    return h.hexdigest(), n


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.etl"
    summary = bigfile.generate(str(path), BIG_BYTES, cpus=4, seed=3)
    assert summary["events"] > 2_000_000
    return str(path), summary


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "small.etl"
    summary = bigfile.generate(str(path), 3 * 1024 * 1024, cpus=4, seed=5)
    return str(path), summary


@pytest.fixture
def baseline_threads():
    gc.collect()
    n = threads()
    yield n
    gc.collect()
    assert wait_threads(n) == n, "a reader thread outlived its test"


# ----------------------------------------------------------------------------- memory

def test_millions_of_events_memory_flat(big, baseline_threads):
    """2.4 M events in time order: Python allocations (tracemalloc, over the first
    800 k events: it slows allocation down) and RSS (over all of them) stay flat after
    the first 200 k events; the count is exact; the thread ends with the loop."""
    path, summary = big
    trace = etw.open(path)
    gc.collect()
    tracemalloc.start()
    n = 0
    traced = []
    resident = []
    try:
        it = iter(trace)
        assert threads() == baseline_threads + 1
        for ev in it:
            n += 1
            if n % 200_000 == 0:
                resident.append((n, rss()))
                if tracemalloc.is_tracing():
                    traced.append((n, tracemalloc.get_traced_memory()[0]))
                    if n == 800_000:
                        tracemalloc.stop()
    finally:
        tracemalloc.stop()
    del ev, it
    assert n == summary["events"]
    assert trace.stats["events"] == n and trace.stats["skipped"] == 0
    # One live event and its batch: far below a megabyte, however much was read.
    assert max(t for _, t in traced) - traced[0][1] < 1 << 20, traced
    if not UNDER_ASAN:
        assert max(r for _, r in resident) - resident[0][1] < 16 << 20, [
            (k, r >> 20) for k, r in resident]
    assert wait_threads(baseline_threads) == baseline_threads


def test_scan_and_file_order_memory_flat(big):
    path, summary = big
    before = rss()
    assert etw.scan(path)["events"] == summary["events"]
    n = sum(1 for _ in etw.open(path, order="file"))
    assert n == summary["events"]
    if not UNDER_ASAN:
        assert rss() - before < 32 << 20


def test_break_early_again_and_again(big, baseline_threads):
    """200 loops broken at every kind of place (first event, batch boundaries, deep
    in the file): no thread left behind, no growth in memory."""
    path, _ = big
    trace = etw.open(path)
    stops = [0, 1, 2, 2047, 2048, 2049, 10_000, 50_000]
    rss_warm = None
    for round_ in range(200):
        stop = stops[round_ % len(stops)]
        for i, ev in enumerate(trace):
            if i == stop:
                break
        assert ev is not None
        del ev
        assert threads() == baseline_threads, round_
        if round_ == 40:
            gc.collect()
            rss_warm = rss()
    gc.collect()
    if not UNDER_ASAN:
        assert rss() - rss_warm < 16 << 20
    # The trace still reads the whole file afterwards.
    assert trace.stats["events"] > 0
    assert sum(1 for _ in trace) > 2_000_000


def test_events_outlive_trace_and_file(small, tmp_path, baseline_threads):
    """Events kept from a finished, a broken-off and a closed iteration stay valid (and
    exact) after the trace is closed and deleted and the file itself is removed."""
    src, summary = small
    path = tmp_path / "copy.etl"
    with open(src, "rb") as f:
        path.write_bytes(f.read())
    reference = [fp(e) for e in etw.open(path)]
    trace = etw.open(path)
    kept = {}
    for i, ev in enumerate(trace):
        if i % 997 == 0 or i < 5:
            kept[i] = ev
    it = iter(trace)
    for i in range(3000):
        ev = next(it)
        if i in (0, 2047, 2048, 2999):
            kept[("broken", i)] = ev
    trace.close()
    with pytest.raises(StopIteration):
        next(it)
    del trace, it, ev
    os.remove(path)
    gc.collect()
    assert wait_threads(baseline_threads) == baseline_threads
    for key, ev in kept.items():
        i = key[1] if isinstance(key, tuple) else key
        assert fp(ev) == reference[i], key
        # Everything an event offers still works.
        ev.payload, ev.extended, ev.timestamp, ev.provider_id, repr(ev), dict(ev)


# ----------------------------------------------------------------------------- threads

def test_fifty_iterators_at_once(small, baseline_threads):
    """50 iterators (25 traces, two iterators each) advanced round robin: 50 native
    threads at once, each iterator delivers the whole trace exactly; then none left."""
    path, summary = small
    want = sequence_digest(etw.open(path))
    traces = [etw.open(path) for _ in range(25)]
    iters = [iter(t) for t in traces for _ in range(2)]
    assert threads() == baseline_threads + 50
    digests = [hashlib.sha1() for _ in iters]
    counts = [0] * len(iters)
    live = set(range(len(iters)))
    while live:
        for k in list(live):
            for _ in range(97):
                try:
                    ev = next(iters[k])
                except StopIteration:
                    live.discard(k)
                    break
                digest_update(digests[k], ev)
                counts[k] += 1
    del ev
    assert all(c == want[1] for c in counts)
    assert all(d.hexdigest() == want[0] for d in digests)
    # Finished iterators have joined their threads already.
    assert threads() == baseline_threads
    del iters, traces


def test_fifty_iterators_abandoned(small, baseline_threads):
    """50 iterators left at different points, then dropped together: all threads end."""
    path, _ = small
    iters = []
    for k in range(50):
        it = iter(etw.open(path))
        for _ in range(k * 37):
            next(it)
        iters.append(it)
    assert threads() == baseline_threads + 50
    del iters, it
    assert threads() == baseline_threads


def test_gc_of_unfinished_iterator_joins_thread(big, baseline_threads):
    """An unfinished iterator collected while its native thread runs (just started,
    or blocked on a full ring) is joined at once: directly, in a reference cycle, or
    through Trace.close() / the trace's context manager."""
    path, _ = big
    trace = etw.open(path)
    # Dropped right after starting (the producer is still indexing / parsing).
    for _ in range(20):
        it = iter(trace)
        del it
        assert threads() == baseline_threads
    # Dropped with a full ring (the producer waits for the consumer).
    it = iter(trace)
    next(it)
    time.sleep(0.2)
    assert threads() == baseline_threads + 1
    del it
    assert threads() == baseline_threads
    # In a reference cycle: freed by the collector.
    gc.disable()
    try:
        holder = [iter(trace)]
        holder.append(holder)
        next(holder[0])
        assert threads() == baseline_threads + 1
        del holder
        assert threads() == baseline_threads + 1  # the cycle keeps it alive
        gc.collect()
        assert threads() == baseline_threads
    finally:
        gc.enable()
    # Trace.close() stops every running iteration of the trace.
    its = [iter(trace) for _ in range(3)]
    for it in its:
        next(it)
    assert threads() == baseline_threads + 3
    trace.close()
    assert threads() == baseline_threads
    for it in its:
        with pytest.raises(StopIteration):
            next(it)
    # The context manager likewise; the trace can be iterated again afterwards.
    with etw.open(path) as t2:
        it = iter(t2)
        next(it)
        assert threads() == baseline_threads + 1
    assert threads() == baseline_threads
    del it, its
    # An iterator keeps its trace alive; dropping both ends the thread.
    it = iter(etw.open(path))
    next(it)
    gc.collect()
    assert next(it) is not None
    del it
    assert threads() == baseline_threads


def test_process_stops_thread_on_callback_error(big, baseline_threads):
    path, _ = big
    trace = etw.open(path)
    seen = []

    def cb(ev):
        seen.append(ev.raw_timestamp)
        if len(seen) == 5000:
            raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        trace.process(cb)
    assert len(seen) == 5000
    assert threads() == baseline_threads


def test_damaged_file_error_path_leaves_nothing(small, tmp_path, baseline_threads):
    """A strict read stopped by EtlFormatError: thread joined, references released."""
    src, _ = small
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2 + 0x48 + 3] = 0x55  # an unknown record marker mid-file
    path = str(tmp_path / "bad.etl")
    with open(path, "wb") as f:
        f.write(data)
    trace = etw.open(path, order="file")
    rc_trace = sys.getrefcount(trace)
    rc_path = sys.getrefcount(path)
    for _ in range(20):
        with pytest.raises(etw.EtlFormatError) as info:
            for _ev in trace:
                pass
        assert 0 < info.value.offset < len(data)
        del info, _ev
        assert threads() == baseline_threads
    gc.collect()
    assert sys.getrefcount(trace) == rc_trace
    assert sys.getrefcount(path) == rc_path


# ----------------------------------------------------------------------------- refcounts

def test_reference_counts_come_back(small):
    path, summary = small
    types = (etw.Event, etw.Trace, etw.TraceIterator)
    gc.collect()
    rc_path = sys.getrefcount(path)
    rc_types = [sys.getrefcount(t) for t in types]
    trace = etw.open(path)
    rc_trace = sys.getrefcount(trace)
    # Full iteration, partial iteration, break, process(), close().
    assert sum(1 for _ in trace) == summary["events"]
    assert sys.getrefcount(trace) == rc_trace
    it = iter(trace)
    first = next(it)
    rc_first = sys.getrefcount(first)
    for _ in range(10_000):
        ev = next(it)
        ev.payload, ev.extended, ev.timestamp, ev.activity_id, ev.provider_id, ev.kind
        first.payload, first.extended, first.raw, first.items(), first.get("x")
    assert sys.getrefcount(first) == rc_first
    # Events (through their batch) and the iterator hold the trace.
    assert sys.getrefcount(trace) > rc_trace
    del it, ev
    gc.collect()
    assert sys.getrefcount(trace) > rc_trace  # `first` still holds its batch -> trace
    del first
    gc.collect()
    assert sys.getrefcount(trace) == rc_trace
    for _ in range(5):
        for i, _ev in enumerate(trace):
            if i == 3000:
                break
        del _ev
    assert trace.process(lambda e: None) == summary["events"]
    trace.close()
    gc.collect()
    assert sys.getrefcount(trace) == rc_trace
    del trace
    gc.collect()
    assert sys.getrefcount(path) == rc_path
    assert [sys.getrefcount(t) for t in types] == rc_types


def test_header_and_stats_dicts_do_not_leak(small):
    path, _ = small
    trace = etw.open(path)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(200):
            trace.header, trace.stats, repr(trace), trace.path
        gc.collect()
        a = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            trace.header, trace.stats, repr(trace), trace.path
            etw.open(path).header
        gc.collect()
        b = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert b - a < 64 * 1024


# ----------------------------------------------------------------------------- exit, signals

def run_child(code, timeout=60, **kw):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ETW_PARENT, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env, **kw)


EXIT_SCRIPTS = {
    "iterator in a global": """
        import etw, sys
        it = iter(etw.open(sys.argv[1] if len(sys.argv) > 1 else {path!r}))
        for _ in range(10): next(it)
        print("done")
    """,
    "twenty iterators in a list": """
        import etw
        t = etw.open({path!r})
        its = [iter(t) for _ in range(20)]
        for it in its: next(it)
        print("done")
    """,
    "iterator in a cycle": """
        import etw, gc
        gc.disable()
        x = [iter(etw.open({path!r}))]
        x.append(x)
        next(x[0])
        del x
        print("done")
    """,
    "daemon thread iterating": """
        import etw, threading, time
        started = threading.Event()
        def work():
            n = 0
            while True:
                for ev in etw.open({path!r}):
                    n += 1
                    if n == 1000: started.set()
        threading.Thread(target=work, daemon=True).start()
        started.wait(30)
        print("done")
    """,
    "exit while the producer waits on a full ring": """
        import etw, time, sys
        it = iter(etw.open({path!r}))
        next(it)
        time.sleep(0.5)
        print("done")
        sys.exit(0)
    """,
}


@pytest.mark.parametrize("name", sorted(EXIT_SCRIPTS))
def test_no_deadlock_at_interpreter_exit(big, name):
    path, _ = big
    started = time.monotonic()
    res = run_child(EXIT_SCRIPTS[name].format(path=path), timeout=60)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == "done"
    assert time.monotonic() - started < 30


KI_SCRIPT = """
    import collections, etw, os, signal, sys, time
    # Python leaves SIGINT alone when it starts ignored (a background job of a
    # non-interactive shell); the test is about etw's handling of it, so install it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    mode = {mode!r}
    trace = etw.open({path!r})
    n = 0
    def count(ev):
        global n
        n += 1
    sink = collections.deque(maxlen=0)
    print("ready", flush=True)
    try:
        while True:
            if mode == "python loop":
                for ev in trace:
                    n += 1
            elif mode == "C consumer":
                sink.extend(trace)
            elif mode == "process, Python callback":
                trace.process(count)
            elif mode == "process, C callback":
                trace.process(sink.append)
    except KeyboardInterrupt:
        tasks = len(os.listdir("/proc/self/task"))
        print("interrupted", tasks, flush=True)
        sys.exit(3)
"""


def _hang_report(pid):
    """What a hung child is doing: signal masks, its threads and where they wait
    (and Python stacks when py-spy is installed)."""
    lines = []
    try:
        with open("/proc/%d/status" % pid) as f:
            lines += [ln.rstrip() for ln in f if ln.startswith(("State", "Sig", "Shd"))]
        for tid in sorted(os.listdir("/proc/%d/task" % pid)):
            parts = []
            for name in ("comm", "wchan", "stat"):
                try:
                    with open("/proc/%d/task/%s/%s" % (pid, tid, name)) as f:
                        parts.append(f.read().strip()[:80])
                except OSError:
                    pass
            lines.append("task %s: %s" % (tid, " | ".join(parts)))
    except OSError as exc:
        lines.append("no /proc view: %s" % exc)
    import shutil
    if shutil.which("py-spy"):
        res = subprocess.run(["py-spy", "dump", "--native", "--pid", str(pid)],
                             capture_output=True, text=True, timeout=60)
        lines.append(res.stdout[-6000:] + res.stderr[-1000:])
    return "\n".join(lines)


@pytest.mark.parametrize("mode", ["python loop", "C consumer", "process, Python callback",
                                  "process, C callback"])
def test_keyboard_interrupt_stops_iteration(big, mode):
    """SIGINT in the middle of reading a 200 MB trace: KeyboardInterrupt within a
    second, the reader thread joined (only the main thread left)."""
    path, _ = big
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ETW_PARENT, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KI_SCRIPT.format(
        mode=mode, path=path))], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # well inside the first pass over the file
        assert proc.poll() is None
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("no exit 30 s after SIGINT:\n" + _hang_report(proc.pid))
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 3, (out, err[-2000:])
    words = out.split()
    assert words[0] == "interrupted" and words[1] == "1", out
    limit = 5.0 if UNDER_ASAN else 1.0
    assert elapsed < limit, "KeyboardInterrupt took %.2f s" % elapsed
