"""pytest plugin of the sanitizer lane (.ci/run): LeakSanitizer's check of the pytest
process, made when the interpreter starts to exit, before it tears itself down.

Loaded with `-p lsan_gate` (PYTHONPATH holds .ci/) in a process running under
AddressSanitizer with detect_leaks=1. The check runs as an atexit callback: the
program's frames are gone by then (CPython keeps them in mmap'd chunks, which
LeakSanitizer does not scan, so a check from inside a hook took objects held only
by a live frame for leaks), and every module still holds what it holds. What
LeakSanitizer finds then is memory nothing points at any more: a reference leaked
by C code, a buffer never freed. The check made after finalization would also see
what CPython and other extensions (numpy's ufunc tables) never free; this one runs
first, ends the process with LeakSanitizer's exit code when it finds a leak, and
turns the later check off. The tests' child processes keep their own exit checks
(.ci/lsan.supp lists the CPython frames they report).
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import sys


def _leak_check():
    try:
        check = ctypes.CDLL(None).__lsan_do_leak_check
    except (AttributeError, OSError):
        return
    # Objects in reference cycles are garbage, not leaks: collect them first.
    for _ in range(3):
        gc.collect()
    print("[lsan] leak check of the pytest process", file=sys.stderr, flush=True)
    check()  # exits with LeakSanitizer's exit code when it finds a leak
    print("[lsan] no leak", file=sys.stderr, flush=True)
    done = os.environ.get("ETW_LSAN_DONE")
    if done:
        with open(done, "w") as f:
            f.write("checked\n")


def pytest_unconfigure(config):
    # Registered last, so it runs first at exit (atexit is last in, first out).
    atexit.register(_leak_check)
