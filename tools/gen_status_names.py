#!/usr/bin/env python3
"""Generate python/etw/_status_names.py: the symbolic names of Win32 error codes,
HRESULTs and NTSTATUS values that etw.wpp shows for ItemWINERROR, ItemHRESULT,
ItemNTSTATUS and friends.

The names and values are read from winerror.h and ntstatus.h as the mingw-w64
headers ship them (Debian/Ubuntu: ``apt-get install gcc-mingw-w64-x86-64`` puts
them in /usr/share/mingw-w64/include).  The generated module is committed, so
building or installing etw never needs these headers; run this script again
after a header update::

    python tools/gen_status_names.py                 # rewrite the module
    python tools/gen_status_names.py --check         # exit 1 when it is stale

What is kept, per header, in file order:

* winerror.h: every ``#define NAME value`` whose value is written as a code
  (``__MSABI_LONG(n)``, ``_HRESULT_TYPEDEF_(n)``, ``((HRESULT)n)``,
  ``(WSABASEERR + n)``, ``HRESULT_FROM_WIN32(name or n)``).  Values below
  0x10000 written as longs are Win32 error codes, the rest HRESULTs.
* ntstatus.h: every ``((NTSTATUS)n)``.
* Left out: plain numbers (FACILITY_*, severities, bases), aliases of another
  name (``#define A B``), and range markers (``OLE_E_FIRST``, ``MK_S_LAST``:
  names ending in ``_FIRST`` or ``_LAST``).  When several names share a value
  the first one in the header is kept, except that HRESULT 0 is ``S_OK``.
* Added: the few names of newer Windows SDKs that the mingw-w64 headers lack
  and the tables had before they were generated (SDK_EXTRA below).

The module stores the three tables as one zlib-compressed text (base85), read
on first use by etw.wpp (etw.wpp._status_tables): three blocks (Win32, HRESULT,
NTSTATUS) separated by an empty line, each a line ``DELTA NAME`` per value in
increasing order, DELTA being the value minus the previous line's value (the
first line's: minus 0), in hex.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import sys
import zlib
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_INCLUDE = "/usr/share/mingw-w64/include"
DEFAULT_OUTPUT = os.path.join(REPO, "python", "etw", "_status_names.py")

TABLES = ("win32", "hresult", "ntstatus")

#: Names (and their values) of the Windows SDK's winerror.h/ntstatus.h that the
#: mingw-w64 headers do not define; used where the headers give no name.
SDK_EXTRA = {
    "win32": {0xE1: "ERROR_VIRUS_INFECTED", 0xE2: "ERROR_VIRUS_DELETED", 0x1B1: "ERROR_NO_SUCH_DEVICE",
              0x2E4: "ERROR_ELEVATION_REQUIRED"},
    "hresult": {0x8000000B: "E_BOUNDS", 0x8000000C: "E_CHANGED_STATE", 0x8000000D: "E_ILLEGAL_STATE_CHANGE",
                0x8000000E: "E_ILLEGAL_METHOD_CALL"},
    "ntstatus": {},
}

#: A value whose usual name is not the header's first one.
PREFERRED = {"hresult": {0: "S_OK"}}

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.+?)\s*$")
_NUMBER = re.compile(r"^(0[xX][0-9A-Fa-f]+|\d+)[uUlL]*$")
_WRAPPED = re.compile(r"^(?:__MSABI_LONG|_HRESULT_TYPEDEF_)\((.+)\)$")
_CAST = re.compile(r"^\((?:HRESULT|NTSTATUS|SCODE|DWORD|LONG)\)\s*(.+)$")
_SUM = re.compile(r"^([A-Za-z_]\w*)\s*\+\s*(.+)$")
_FROM_WIN32 = re.compile(r"^(?:__)?HRESULT_FROM_WIN32\((.+)\)$")
_RANGE_MARKER = re.compile(r"_(FIRST|LAST)$")


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _unparen(expr: str) -> str:
    """expr without parentheses that enclose all of it."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(expr) - 1:
                return expr
        expr = expr[1:-1].strip()
    return expr


def _number(text: str) -> Optional[int]:
    m = _NUMBER.match(text.strip())
    return int(m.group(1), 0) if m else None


def _evaluate(expr: str, symbols: Dict[str, int]) -> Tuple[Optional[int], str]:
    """(value, form) of a #define's value; form is "long", "hresult", "ntstatus",
    "plain" (a bare number), "alias" (another name) or "other" (value None)."""
    expr = _unparen(expr)
    m = _WRAPPED.match(expr)
    if m:
        value, _ = _evaluate(m.group(1), symbols)
        form = "long" if expr.startswith("__MSABI_LONG") else "hresult"
        return value, form if value is not None else "other"
    m = _CAST.match(expr)
    if m:
        value, _ = _evaluate(m.group(1), symbols)
        form = "ntstatus" if "NTSTATUS" in expr.split(")")[0] else "hresult"
        return value, form if value is not None else "other"
    m = _FROM_WIN32.match(expr)
    if m:
        code, _ = _evaluate(m.group(1), symbols)
        if code is None:
            return None, "other"
        code &= 0xFFFFFFFF
        # HRESULT_FROM_WIN32: 0 and "negative" values stay, others get FACILITY_WIN32.
        value = code if code == 0 or code >> 31 else (code & 0xFFFF) | 0x80070000
        return value, "hresult"
    m = _SUM.match(expr)
    if m and m.group(1) in symbols:
        addend = _number(_unparen(m.group(2)))
        if addend is None:
            return None, "other"
        return symbols[m.group(1)] + addend, "long"
    number = _number(expr)
    if number is not None:
        return number, "plain"
    if re.match(r"^[A-Za-z_]\w*$", expr):
        return symbols.get(expr), "alias"
    return None, "other"


def read_header(path: str, ntstatus: bool) -> List[Tuple[str, str, int]]:
    """(table, name, value) for each code a header defines, in file order; table is
    "win32", "hresult" or "ntstatus"."""
    with open(path, encoding="latin-1") as fh:
        text = _strip_comments(fh.read().replace("\\\n", " "))
    symbols: Dict[str, int] = {}
    out: List[Tuple[str, str, int]] = []
    for line in text.splitlines():
        m = _DEFINE.match(line)
        if not m:
            continue
        # (function-like macros such as SUCCEEDED(hr) do not match _DEFINE)
        name, expr = m.groups()
        value, form = _evaluate(expr, symbols)
        if value is None:
            continue
        value &= 0xFFFFFFFF
        symbols.setdefault(name, value)
        if form in ("plain", "alias", "other") or _RANGE_MARKER.search(name):
            continue
        if ntstatus:
            if form == "ntstatus":
                out.append(("ntstatus", name, value))
        elif form == "long" and value < 0x10000:
            out.append(("win32", name, value))
        elif form in ("long", "hresult"):
            out.append(("hresult", name, value))
    return out


def build_tables(include: str) -> Dict[str, Dict[int, str]]:
    """{"win32"|"hresult"|"ntstatus": {value: first name}} from the headers in include."""
    tables: Dict[str, Dict[int, str]] = {"win32": {}, "hresult": {}, "ntstatus": {}}
    for header, nt in (("winerror.h", False), ("ntstatus.h", True)):
        path = os.path.join(include, header)
        if not os.path.isfile(path):
            raise SystemExit("%s not found (apt-get install gcc-mingw-w64-x86-64, or pass --include)" % path)
        for table, name, value in read_header(path, nt):
            tables[table].setdefault(value, name)
    for key, extra in SDK_EXTRA.items():
        for value, name in extra.items():
            tables[key].setdefault(value, name)
    for key, preferred in PREFERRED.items():
        tables[key].update(preferred)
    return tables


def table_text(tables: Dict[str, Dict[int, str]]) -> str:
    """The text the module compresses (see the module docstring)."""
    blocks = []
    for key in TABLES:
        table = tables[key]
        lines = []
        previous = 0
        for value in sorted(table):
            lines.append("%x %s" % (value - previous, table[value]))
            previous = value
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def parse_text(text: str) -> Dict[str, Dict[int, str]]:
    """The tables back from table_text's text (what etw.wpp does on first use)."""
    tables: Dict[str, Dict[int, str]] = {}
    for key, block in zip(TABLES, text.split("\n\n")):
        table: Dict[int, str] = {}
        value = 0
        for line in block.split("\n"):
            if line:
                delta, _, name = line.partition(" ")
                value += int(delta, 16)
                table[value] = name
        tables[key] = table
    return tables


def module_source(tables: Dict[str, Dict[int, str]]) -> str:
    text = table_text(tables)
    blob = base64.b85encode(zlib.compress(text.encode("ascii"), 9)).decode("ascii")
    lines = [blob[i:i + 96] for i in range(0, len(blob), 96)]
    counts = {key: len(tables[key]) for key in tables}
    body = "\n".join('    "%s"' % line for line in lines)
    return (
        '"""Symbolic names of Win32 error codes, HRESULTs and NTSTATUS values (for etw.wpp).\n'
        "\n"
        "Generated by tools/gen_status_names.py from the names and values defined in\n"
        "winerror.h and ntstatus.h (mingw-w64 headers); do not edit by hand.  DATA is the\n"
        "base85 text of a zlib stream holding three blocks (Win32, HRESULT, NTSTATUS)\n"
        "separated by an empty line, each of 'DELTA NAME' lines in increasing value\n"
        "order, DELTA (hex) being the value minus the previous line's value.\n"
        '"""\n'
        "\n"
        "WIN32_COUNT = %d\n"
        "HRESULT_COUNT = %d\n"
        "NTSTATUS_COUNT = %d\n"
        "\n"
        "DATA = (\n%s\n)\n"
    ) % (counts["win32"], counts["hresult"], counts["ntstatus"], body)


def read_module(path: str) -> Optional[Dict[str, Dict[int, str]]]:
    """The tables held by an existing generated module, or None."""
    if not os.path.isfile(path):
        return None
    scope: Dict[str, object] = {}
    with open(path, encoding="ascii") as fh:
        exec(compile(fh.read(), path, "exec"), scope)  # our own generated data module
    text = zlib.decompress(base64.b85decode(scope["DATA"])).decode("ascii")  # type: ignore[arg-type]
    return parse_text(text)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--include", default=DEFAULT_INCLUDE, help="folder holding winerror.h and ntstatus.h")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="the module to write")
    ap.add_argument("--check", action="store_true",
                    help="compare the tables with the existing module instead of writing it")
    args = ap.parse_args(argv)
    tables = build_tables(args.include)
    summary = "%d Win32 codes, %d HRESULTs, %d NTSTATUS values" % (
        len(tables["win32"]), len(tables["hresult"]), len(tables["ntstatus"]))
    if args.check:
        if read_module(args.output) != tables:
            print("%s is stale (headers give %s)" % (args.output, summary))
            return 1
        print("%s is up to date (%s)" % (args.output, summary))
        return 0
    source = module_source(tables)
    with open(args.output, "w", encoding="ascii", newline="\n") as fh:
        fh.write(source)
    print("wrote %s: %s, %d bytes" % (args.output, summary, len(source)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
