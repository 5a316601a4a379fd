"""The ``etw`` command (also ``python -m etw``): look into .etl traces from a shell.

Subcommands: dump, stats, convert, schemas export, and on Windows live, sessions,
stop, providers. ``etw COMMAND --help`` shows each one's options and examples.

Exit codes: 0 success; 1 the trace is damaged (EtlFormatError) or a write failed;
2 bad usage, an input that cannot be opened, a missing optional dependency, or a
command this platform does not offer; 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import json
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, TextIO

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

KINDS = ("header", "kernel", "classic", "manifest", "tracelogging", "wpp")


class CliError(Exception):
    """A failure reported as 'etw: error: ...' with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- help texts

MAIN_EPILOG = """\
examples:
  etw stats --sample                       what the bundled sample trace holds
  etw stats trace.etl                      events per provider/event, time span, losses
  etw dump trace.etl -n 20                 the first 20 events, readable
  etw dump trace.etl -p Microsoft-Windows-Kernel-Process --id 1,2 -f jsonl
  etw dump trace.etl --pid 4388 --start +2.5 --end +3 -f csv -o slice.csv
  etw convert traces/ -o all.parquet       a directory of traces into one Parquet file
  etw convert trace.etl -o out/ --by-type  one Parquet file per event type, decoded
  etw schemas export provider.man -o pack.etwpack --trace trace.etl

Filters (dump, stats, convert): -p/--provider NAME|GUID, -i/--id N[,N|A-B],
--pid N, -k/--kind KIND, --start/--end TIME (ISO 8601, or +SECONDS from the
trace start). They run in C before events are built.

exit codes: 0 ok, 1 damaged trace or failed write, 2 usage / cannot open /
missing dependency / not on this platform, 130 interrupted.
"""

DUMP_EPILOG = """\
formats:
  text   one line per event: time, cpu, pid/tid, provider, event, properties as
         Windows renders them (value maps, hex, ...); the default on a terminal
  jsonl  one JSON object per event (ev.to_json(): System, EventData,
         ExtendedData); the default when writing to a pipe or file
  csv    header columns plus the properties as a JSON text column

examples:
  etw dump trace.etl -n 5
  etw dump trace.etl -p Contoso-Sample-Service -f jsonl | jq .EventData
  etw dump --sample -k tracelogging -f csv -o telemetry.csv
  etw dump trace.etl --header-only -f csv -o headers.csv    (fast: no decoding)
"""

STATS_EPILOG = """\
examples:
  etw stats --sample
  etw stats trace.etl --by provider
  etw stats trace.etl --json > stats.json
  etw stats trace.etl -p Microsoft-Windows-DNS-Client --start +10 --end +20
"""

CONVERT_EPILOG = """\
The output format follows the extension of -o (.parquet, .csv, .arrow/.feather);
an existing directory, or -o ending with '/', gets one file per input (or, with
--by-type, one per event type). Several inputs into one file get a 'file' column.

examples:
  etw convert trace.etl -o trace.parquet
  etw convert a.etl b.etl traces/ -o fleet.parquet --columns time,provider,name,pid
  etw convert traces/ -o parquet/               one Parquet file per trace
  etw convert trace.etl -o by_type/ --by-type   decoded properties, per event type

Spark / Dask / DuckDB read the results directly, e.g.
  etw convert traces/ -o parquet/ --timestamps us   then   spark.read.parquet("parquet/")
  dask.dataframe.read_parquet("parquet/")
"""

SCHEMAS_EPILOG = """\
examples:
  etw schemas export Contoso.man -o contoso.etwpack
  etw schemas export C:\\Windows\\System32\\drivers\\http.sys -o http.etwpack
  etw schemas export manifests/ --recursive --trace trace.etl -o needed.etwpack
A schema pack (*.etwpack) carries TRACE_EVENT_INFO/EVENT_MAP_INFO blobs; give it
back with etw.open(path, schemas="pack.etwpack") or --schemas on other commands (in a
directory a pack is recognised by its content, whatever its name). With --trace, only
what that trace needs is written, so the trace decodes anywhere with the pack.
"""

WINDOWS_ONLY = """\
This command talks to the ETW service of a running Windows system; on other
systems it exits with code 2.
"""


# ---------------------------------------------------------------- argument helpers


def _split(values: Optional[Sequence[str]]) -> List[str]:
    out: List[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _int(text: str, what: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        raise CliError(f"{what}: not a number: {text!r}") from None


def _ints(values: Optional[Sequence[str]], what: str, maximum: int) -> Optional[List[int]]:
    if not values:
        return None
    out: List[int] = []
    for item in _split(values):
        if "-" in item[1:]:
            a, b = item.split("-", 1) if not item.startswith("-") else (item, "")
            lo, hi = _int(a, what), _int(b, what)
            if hi < lo:
                raise CliError(f"{what}: empty range {item!r}")
            out.extend(range(lo, hi + 1))
        else:
            out.append(_int(item, what))
    for v in out:
        if not 0 <= v <= maximum:
            raise CliError(f"{what}: {v} is out of range 0..{maximum}")
    return out


def _add_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (run in C, before events are built)")
    g.add_argument("-p", "--provider", action="append", metavar="NAME|GUID",
                   help="keep this provider (repeat or comma-separate; names are matched in "
                        "any case against well-known providers, kernel classes and the "
                        "names the trace itself uses)")
    g.add_argument("-i", "--id", action="append", metavar="N[,N|A-B]",
                   help="keep these event ids")
    g.add_argument("--pid", action="append", metavar="N", help="keep these process ids")
    g.add_argument("-k", "--kind", action="append", metavar="KIND",
                   help="keep these kinds: " + ", ".join(KINDS))
    g.add_argument("--start", metavar="TIME",
                   help="first time kept: ISO 8601 (UTC unless it has an offset), or "
                        "+SECONDS after the trace start")
    g.add_argument("--end", metavar="TIME", help="time range end (excluded), same forms")


def _add_reading(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reading")
    g.add_argument("--order", choices=("time", "file"), default="time",
                   help="time: merged across CPUs like Windows delivers them (default); "
                        "file: as stored")
    g.add_argument("--errors", choices=("strict", "skip"), default="strict",
                   help="strict: stop at damage (exit 1); skip: read past it and count it")
    g.add_argument("--schemas", action="append", metavar="PATH",
                   help="schema sources for events the trace does not describe (manifests, "
                        "PE files, schema packs, TMF directories); repeatable")
    g.add_argument("--no-progress", action="store_true",
                   help="no progress bar (one is shown on a terminal for large files)")


def _add_input(p: argparse.ArgumentParser, many: bool = False) -> None:
    if many:
        p.add_argument("inputs", nargs="*", metavar="FILE|DIR", help=".etl files or directories")
    else:
        p.add_argument("file", nargs="?", metavar="FILE", help="the .etl file")
    p.add_argument("--sample", action="store_true",
                   help="use the sample trace shipped with etw (etw.sample_path())")


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="etw", formatter_class=fmt,
        description="Read Windows ETW .etl traces on any OS: summarise, dump, convert to "
                    "Parquet/CSV, export schemas; on Windows, trace live.",
        epilog=MAIN_EPILOG)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"etw {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("dump", formatter_class=fmt, epilog=DUMP_EPILOG,
                       help="print events (text, JSON lines or CSV)",
                       description="Print the events of a trace, decoded.")
    _add_input(p)
    p.add_argument("-f", "--format", choices=("text", "jsonl", "csv"),
                   help="output format (default: text on a terminal, else jsonl)")
    p.add_argument("-n", "--limit", type=int, metavar="N", help="stop after N events")
    p.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    p.add_argument("--header-only", action="store_true",
                   help="header columns only, no decoding (uses the columnar C pass; "
                        "csv/jsonl)")
    p.add_argument("--columns", metavar="A,B,...",
                   help="with --header-only: the columns (see etw.arrow.ALL_COLUMNS)")
    _add_filters(p)
    _add_reading(p)
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("stats", formatter_class=fmt, epilog=STATS_EPILOG,
                       help="events per provider/event, time span, lost events",
                       description="Summarise a trace: events per provider and event, time "
                                   "span, lost and damaged data. One C pass, no decoding.")
    _add_input(p)
    p.add_argument("--by", choices=("event", "provider", "kind"), default="event",
                   help="group counts by event (default), provider or kind")
    p.add_argument("--top", type=int, metavar="N", help="only the N largest groups")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_filters(p)
    _add_reading(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("convert", formatter_class=fmt, epilog=CONVERT_EPILOG,
                       help="traces to Parquet, CSV or Arrow files",
                       description="Convert traces to columnar files (header columns filled "
                                   "in C; --by-type adds decoded properties).")
    _add_input(p, many=True)
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="output file or directory")
    p.add_argument("--format", choices=("parquet", "csv", "arrow"),
                   help="output format (default: from the extension; parquet for directories)")
    p.add_argument("--columns", metavar="A,B,...|all",
                   help="columns (default: etw.arrow.DEFAULT_COLUMNS; 'all' for every one)")
    p.add_argument("--timestamps", choices=("ns", "us"), default="ns",
                   help="Parquet time unit: ns (default, exact) or us (for Spark, which "
                        "does not read nanosecond timestamps)")
    p.add_argument("--by-type", action="store_true",
                   help="one table per event type with its decoded properties "
                        "(output: a directory)")
    p.add_argument("-r", "--recursive", action="store_true",
                   help="look for .etl files in subdirectories too")
    _add_filters(p)
    _add_reading(p)
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("schemas", formatter_class=fmt, epilog=SCHEMAS_EPILOG,
                       help="schema packs (export)", description="Schema packs.")
    ssub = p.add_subparsers(dest="schemas_command", metavar="ACTION")
    pe = ssub.add_parser("export", formatter_class=fmt, epilog=SCHEMAS_EPILOG,
                         help="write a schema pack from manifests / PE files / packs",
                         description="Write a schema pack (etw.Schemas.export).")
    pe.add_argument("sources", nargs="+", metavar="SOURCE",
                    help="manifest (.man/.xml), PE file with a WEVT_TEMPLATE, schema pack, "
                         "or directory")
    pe.add_argument("-o", "--output", required=True, metavar="PACK",
                    help="the pack to write (*.etwpack by convention)")
    pe.add_argument("--trace", metavar="FILE",
                    help="only what this trace needs (its providers and event ids)")
    pe.add_argument("-p", "--provider", action="append", metavar="GUID",
                    help="only these providers")
    pe.add_argument("-r", "--recursive", action="store_true", help="walk directories deeply")
    pe.set_defaults(func=cmd_schemas_export)
    p.set_defaults(func=lambda a: _help(p))

    for name, helptext, func in (
            ("live", "trace providers live and print their events (Windows)", cmd_live),
            ("sessions", "list running ETW sessions (Windows)", cmd_sessions),
            ("stop", "stop a running session by name (Windows)", cmd_stop),
            ("providers", "list registered providers (Windows)", cmd_providers)):
        p = sub.add_parser(name, formatter_class=fmt, help=helptext, epilog=WINDOWS_ONLY,
                           description=helptext[0].upper() + helptext[1:] + ".")
        if name == "live":
            p.add_argument("providers", nargs="+", metavar="PROVIDER",
                           help='"Name|GUID[:level[:ids[:anyKw[:allKw]]]]" (etw.Provider syntax)')
            p.add_argument("-f", "--format", choices=("text", "jsonl"), default="text")
            p.add_argument("-n", "--limit", type=int, metavar="N")
            p.add_argument("--session", metavar="NAME", default="etw-cli-live")
        elif name == "stop":
            p.add_argument("name", metavar="NAME", help="the session name")
        elif name == "providers":
            p.add_argument("pattern", nargs="?", help="only names containing this text")
        p.set_defaults(func=func)
    return parser


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return EXIT_USAGE


# ---------------------------------------------------------------- inputs


def _input_path(args: argparse.Namespace) -> str:
    if getattr(args, "sample", False):
        if getattr(args, "file", None):
            raise CliError("give a FILE or --sample, not both")
        from .sample import sample_path
        return sample_path()
    if not getattr(args, "file", None):
        raise CliError("no input: give a FILE (or --sample for the bundled sample trace)")
    path = args.file
    if os.path.isdir(path):
        raise CliError(f"{path}: is a directory (convert takes directories; dump and stats "
                       "take one file)")
    if not os.path.exists(path):
        raise CliError(f"{path}: no such file")
    return path


def _expand_inputs(items: Sequence[str], recursive: bool) -> List[str]:
    out: List[str] = []
    for item in items:
        if os.path.isdir(item):
            pattern = os.path.join(item, "**", "*.etl") if recursive else os.path.join(item, "*.etl")
            found = sorted(glob.glob(pattern, recursive=recursive))
            if not found:
                raise CliError(f"{item}: no .etl files in this directory"
                               + ("" if recursive else " (use -r for subdirectories)"))
            out.extend(found)
        elif os.path.exists(item):
            out.append(item)
        else:
            raise CliError(f"{item}: no such file or directory")
    return out


def _open_trace(path: str, args: argparse.Namespace):
    import etw
    schemas = args.schemas if getattr(args, "schemas", None) else None
    return etw.open(path, order=args.order, errors=args.errors, schemas=schemas)


def _time_arg(text: Optional[str], trace: Any, what: str) -> Optional[int]:
    if text is None:
        return None
    text = text.strip()
    if text.startswith("+"):
        try:
            secs = float(text[1:])
        except ValueError:
            raise CliError(f"--{what}: not a number of seconds: {text!r}") from None
        return int(trace.header["start_filetime"] - 116444736000000000) * 100 + int(secs * 1e9)
    from .arrow import _to_ns
    try:
        return _to_ns(text, "--" + what)
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from None


def _filters(args: argparse.Namespace, trace: Any) -> Dict[str, Any]:
    providers = _split(args.provider) or None
    kinds = _split(args.kind) or None
    if kinds:
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise CliError(f"--kind: unknown kind {bad[0]!r}; choose from {', '.join(KINDS)}")
    return {
        "providers": providers,
        "ids": _ints(args.id, "--id", 0xFFFF),
        "pids": _ints(args.pid, "--pid", 0xFFFFFFFF),
        "kinds": kinds,
        "start": _time_arg(args.start, trace, "start"),
        "end": _time_arg(args.end, trace, "end"),
    }


def _progress(args: argparse.Namespace) -> Optional[bool]:
    return False if getattr(args, "no_progress", False) else None


def _need_arrow() -> Any:
    import importlib.util
    if importlib.util.find_spec("pyarrow") is None:
        raise CliError("this needs pyarrow: pip install 'etw[arrow]'")
    from . import arrow
    return arrow


# ---------------------------------------------------------------- output


def _open_output(path: Optional[str]) -> TextIO:
    if path is None or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}", EXIT_DATA) from None


def _fmt_value(ev: Any, name: str, value: Any) -> str:
    fmt = getattr(ev, "format", None)
    if fmt is not None:
        try:
            text = fmt(name)
        except Exception:
            text = None
        if text is not None:
            return text
    if isinstance(value, bytes):
        return "0x" + value.hex().upper()
    return str(value)


def _provider_of(ev: Any) -> str:
    name = getattr(ev, "provider_name", None)
    if name:
        return name
    from .providers import well_known_provider
    wk = well_known_provider(ev.provider_id)
    return wk.name if wk is not None else str(ev.provider_id)


def _text_line(ev: Any) -> str:
    t = ev.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    provider = _provider_of(ev)
    name = getattr(ev, "name", None) or (f"id {ev.id}" if ev.kind in ("manifest", "wpp",
                                                                        "tracelogging")
                                         else f"opcode {ev.opcode}")
    try:
        items = list(ev.items())
    except Exception as exc:  # decoding problems are shown, not fatal
        items = [("<error>", str(exc))]
    props = " ".join(f"{k}={_fmt_value(ev, k, v)}" for k, v in items)
    return f"{t} cpu{ev.cpu} {ev.pid}/{ev.tid} {provider} {name}" + (f" {props}" if props else "")


def _json_line(ev: Any) -> str:
    to_json = getattr(ev, "to_json", None)
    if to_json is not None:
        return to_json()
    return json.dumps(ev.to_dict(), default=str, ensure_ascii=False)


CSV_FIELDS = ("time", "provider", "name", "id", "version", "level", "opcode", "task",
              "keyword", "pid", "tid", "cpu", "kind", "provider_id", "activity_id",
              "properties")


def _csv_row(ev: Any) -> List[Any]:
    try:
        props = json.dumps({k: v for k, v in ev.items()}, default=str, ensure_ascii=False)
    except Exception as exc:
        props = json.dumps({"<error>": str(exc)})
    return [ev.timestamp.isoformat().replace("+00:00", "Z"),
            _provider_of(ev), getattr(ev, "name", None) or "",
            ev.id, ev.version, ev.level, ev.opcode, ev.task, "0x%016X" % ev.keyword, ev.pid,
            ev.tid, ev.cpu, ev.kind, str(ev.provider_id),
            str(ev.activity_id) if ev.activity_id else "", props]


# ---------------------------------------------------------------- commands


def cmd_dump(args: argparse.Namespace) -> int:
    path = _input_path(args)
    trace = _open_trace(path, args)
    filters = _filters(args, trace)
    fmt = args.format or ("text" if args.output is None and sys.stdout.isatty() else "jsonl")
    if args.limit is not None and args.limit < 0:
        raise CliError("--limit must be >= 0")
    if args.header_only:
        return _dump_header_only(trace, args, filters, fmt)
    from .arrow import make_predicate, _Progress
    keep = make_predicate(trace, **filters)
    out = _open_output(args.output)
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(CSV_FIELDS)
    bar = _Progress(os.path.getsize(path), os.path.basename(path), _progress(args))
    n = 0
    seen = 0
    it = iter(trace)
    try:
        for ev in it:
            seen += 1
            if bar.active and seen % 4096 == 0:
                bar(trace.stats.get("bytes", 0))
            if keep is not None and not keep(ev):
                continue
            if args.limit is not None and n >= args.limit:
                break
            if fmt == "text":
                out.write(_text_line(ev) + "\n")
            elif fmt == "jsonl":
                out.write(_json_line(ev) + "\n")
            else:
                writer.writerow(_csv_row(ev))  # type: ignore[union-attr]
            n += 1
    finally:
        it.close()
        bar.close()
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    return EXIT_OK


def _dump_header_only(trace: Any, args: argparse.Namespace, filters: Dict[str, Any],
                      fmt: str) -> int:
    arrow = _need_arrow()
    if fmt == "text":
        fmt = "csv"
    cols = _split([args.columns]) if args.columns else None
    try:
        table = arrow.to_arrow(trace, columns=cols, progress=_progress(args), **filters)
    except ValueError as exc:
        if type(exc) is ValueError:
            raise CliError(str(exc)) from None
        raise
    if args.limit is not None:
        table = table.slice(0, args.limit)
    table = _printable(table)
    if fmt == "csv":
        import pyarrow.csv as pcsv
        if args.output:
            pcsv.write_csv(table, args.output)
        else:
            buf = io.BytesIO()
            pcsv.write_csv(table, buf)
            sys.stdout.write(buf.getvalue().decode("utf-8"))
    else:
        out = _open_output(args.output)
        try:
            for row in table.to_pylist():
                out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
    return EXIT_OK


def _printable(table: Any) -> Any:
    """GUID columns as text and dictionaries decoded, for CSV/JSON output."""
    import pyarrow as pa
    from .arrow import _GUID_COLUMNS, _guid_strings
    import pyarrow.compute as pc
    for c in _GUID_COLUMNS:
        if c in table.column_names:
            col = table.column(c)
            arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
            if len(arr):
                text = _guid_strings(pa, pc, arr).cast(pa.string())
            else:
                text = pa.array([], type=pa.string())
            table = table.set_column(table.column_names.index(c), c, text)
    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(f.type.value_type))
    if "payload" in table.column_names:
        i = table.column_names.index("payload")
        hexed = pa.array([None if b is None else b.hex() for b in table.column(i).to_pylist()],
                         type=pa.string())
        table = table.set_column(i, "payload", hexed)
    return table


def _stats_data(path: str, trace: Any, args: argparse.Namespace,
                filters: Dict[str, Any]) -> Dict[str, Any]:
    from . import arrow as A
    guid_filter = filters
    # Counts do not depend on the order: file order skips the merge.
    raw = A.read_columns(trace, columns=["provider"], order="file", progress=_progress(args),
                         **guid_filter)
    hdr = trace.header
    groups: Dict[tuple, Dict[str, Any]] = {}
    for t in raw["types"]:
        provider = A._provider_label(t)
        name = t.get("name") or (f"id {t['id']}" if t["kind"] in ("manifest", "wpp",
                                                                    "tracelogging")
                                 else f"opcode {t['opcode']}")
        if args.by == "provider":
            key = (provider,)
        elif args.by == "kind":
            key = (t["kind"],)
        else:
            key = (provider, name, t["kind"])
        g = groups.setdefault(key, {"count": 0, "provider_ids": set()})
        g["count"] += t["count"]
        g["provider_ids"].add(str(t["provider_id"]))
    total = raw["rows"]
    rows = sorted(groups.items(), key=lambda kv: (-kv[1]["count"], kv[0]))
    if args.top is not None:
        rows = rows[:args.top]
    first, last = raw["first_ns"], raw["last_ns"]
    st = raw["stats"]
    return {
        "file": path,
        "events": total,
        "events_in_file": st["events"],
        "first_time": None if first is None else _iso(first),
        "last_time": None if last is None else _iso(last),
        "seconds": None if first is None else (last - first) / 1e9,
        "logger_name": hdr.get("logger_name"),
        "os_version": hdr.get("os_version"),
        "cpu_count": hdr.get("cpu_count"),
        "pointer_size": hdr.get("pointer_size"),
        "lost": {
            "events_lost": hdr.get("events_lost"),
            "buffers_lost": hdr.get("buffers_lost"),
            "buffers_flagged_lost": st.get("lost_flag_buffers"),
            "damaged_places_skipped": st.get("skipped"),
            "damaged_bytes_skipped": st.get("skipped_bytes"),
        },
        "buffers": st["buffers"],
        "bytes": st["bytes"],
        "compressed_buffers": st.get("compressed_buffers"),
        "by": args.by,
        "groups": [dict(zip({"event": ("provider", "event", "kind"),
                             "provider": ("provider",), "kind": ("kind",)}[args.by], k),
                        count=v["count"],
                        provider_id=sorted(v["provider_ids"])[0]
                        if len(v["provider_ids"]) == 1 else None)
                   for k, v in rows],
    }


def _iso(ns: int) -> str:
    import datetime as dt
    secs, frac = divmod(ns, 1_000_000_000)
    base = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=secs)
    return base.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % frac


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        cells = [c.rjust(w) if right[i] else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_stats(args: argparse.Namespace) -> int:
    path = _input_path(args)
    trace = _open_trace(path, args)
    filters = _filters(args, trace)
    data = _stats_data(path, trace, args, filters)
    out = sys.stdout
    if args.json:
        out.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    lost = data["lost"]
    out.write(f"{path}\n")
    out.write(f"  session  {data['logger_name']}  (Windows {data['os_version']}, "
              f"{data['cpu_count']} CPUs, {data['pointer_size'] * 8}-bit)\n")
    if data["first_time"]:
        out.write(f"  time     {data['first_time']} .. {data['last_time']}  "
                  f"({data['seconds']:.3f} s)\n")
    kept = "" if data["events"] == data["events_in_file"] else \
        f" ({data['events_in_file']:,} in the file)"
    out.write(f"  events   {data['events']:,}{kept}  in {data['buffers']:,} buffers, "
              f"{data['bytes']:,} bytes"
              + (f", {data['compressed_buffers']:,} compressed" if data["compressed_buffers"]
                 else "") + "\n")
    out.write(f"  lost     {lost['events_lost']:,} events, {lost['buffers_lost']:,} buffers "
              f"(logger header); {lost['buffers_flagged_lost']:,} buffers flagged lost; "
              f"{lost['damaged_places_skipped']:,} damaged places skipped\n\n")
    if not data["groups"]:
        out.write("  (no events)\n")
        return EXIT_OK
    cols = {"event": ("provider", "event", "kind"), "provider": ("provider",),
            "kind": ("kind",)}[args.by]
    total = data["events"] or 1
    rows = [list(cols) + ["count", "share"]]
    for g in data["groups"]:
        rows.append([str(g[c]) for c in cols] + [f"{g['count']:,}",
                                                  f"{100.0 * g['count'] / total:.1f}%"])
    out.write(_table(rows, [False] * len(cols) + [True, True]) + "\n")
    return EXIT_OK


def _output_format(path: str, given: Optional[str]) -> str:
    if given:
        return given
    ext = os.path.splitext(path)[1].lower()
    return {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".arrow": "arrow",
            ".feather": "arrow", ".ipc": "arrow"}.get(ext, "")


def _write_table(table: Any, path: str, fmt: str, timestamps: str = "ns") -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq
        if timestamps == "us":
            pq.write_table(table, path, coerce_timestamps="us",
                           allow_truncated_timestamps=True)
        else:
            pq.write_table(table, path)
    elif fmt == "csv":
        import pyarrow.csv as pcsv
        pcsv.write_csv(_printable(table), path)
    else:
        import pyarrow.feather as feather
        feather.write_feather(table, path)


def _safe_name(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in text)
    return keep.strip("._") or "unnamed"


def _file_column(pa: Any, rows: int, path: str) -> Any:
    """The `file` column of one input's rows: its base name, dictionary-encoded."""
    from .arrow import _repeated_label
    return _repeated_label(pa, rows, 0, pa.array([os.path.basename(path)]))


def _file_names(pa: Any, table: Any) -> Any:
    """table (from to_arrow over several files) with its `file` column holding each
    file's base name instead of its path (the dictionary replaced, the indices kept)."""
    col = table.column("file")
    chunks = [pa.DictionaryArray.from_arrays(
        c.indices, pa.array([os.path.basename(p) for p in c.dictionary.to_pylist()]),
        safe=False) for c in col.chunks]
    return table.set_column(table.column_names.index("file"), "file",
                            pa.chunked_array(chunks, type=col.type))


def cmd_convert(args: argparse.Namespace) -> int:
    arrow = _need_arrow()
    import pyarrow as pa
    inputs = list(args.inputs)
    if args.sample:
        from .sample import sample_path
        inputs.append(sample_path())
    if not inputs:
        raise CliError("no input: give .etl files or directories (or --sample)")
    files = _expand_inputs(inputs, args.recursive)
    out = args.output
    to_dir = out.endswith(("/", os.sep)) or os.path.isdir(out) or args.by_type
    cols = None
    if args.columns:
        cols = "all" if args.columns.strip() == "all" else _split([args.columns])
    if to_dir:
        fmt = args.format or "parquet"
        os.makedirs(out, exist_ok=True)
    else:
        fmt = _output_format(out, args.format)
        if not fmt:
            raise CliError(f"-o {out}: cannot tell the format from the extension; use "
                           "--format parquet|csv|arrow, or end the path with / for a directory")
        parent = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(parent):
            raise CliError(f"-o {out}: directory {parent} does not exist")
    ext = {"parquet": ".parquet", "csv": ".csv", "arrow": ".arrow"}[fmt]
    written: List[str] = []
    single_tables = []
    relative = any(t and t.strip().startswith("+") for t in (args.start, args.end))
    if not to_dir and len(files) > 1 and not relative:
        # Several inputs, one output, the same filters for all: read them at once
        # (one per CPU) and label each file's rows with its name.
        traces = [_open_trace(path, args) for path in files]
        table = arrow.to_arrow(traces, columns=cols, progress=_progress(args),
                               **_filters(args, traces[0]))
        single_tables = [_file_names(pa, table)]
        files = []
    for path in files:
        trace = _open_trace(path, args)
        filters = _filters(args, trace)
        stem = _safe_name(os.path.splitext(os.path.basename(path))[0])
        if args.by_type:
            per = arrow.tables(trace, columns=cols, progress=_progress(args), **filters)
            base = os.path.join(out, stem) if len(files) > 1 else out
            for key, table in per.items():
                provider, _, name = key.partition("/")
                d = os.path.join(base, _safe_name(provider))
                os.makedirs(d, exist_ok=True)
                target = os.path.join(d, _safe_name(name) + ext)
                _write_table(table, target, fmt, args.timestamps)
                written.append(target)
            continue
        table = arrow.to_arrow(trace, columns=cols, progress=_progress(args), **filters)
        if to_dir:
            target = os.path.join(out, stem + ext)
            _write_table(table, target, fmt, args.timestamps)
            written.append(target)
        else:
            if len(files) > 1:
                table = table.append_column("file", _file_column(pa, table.num_rows, path))
            single_tables.append(table)
    if single_tables:
        if len(single_tables) == 1:
            table = single_tables[0]
        else:
            table = pa.concat_tables(single_tables, promote_options="permissive")
        _write_table(table, out, fmt, args.timestamps)
        written.append(out)
    sys.stderr.write(f"etw: wrote {len(written)} file(s)"
                     + (f": {written[0]}" if len(written) == 1 else f" under {out}") + "\n")
    return EXIT_OK


def cmd_schemas_export(args: argparse.Namespace) -> int:
    try:
        from .schemas import Schemas
    except ImportError:
        raise CliError("schema export is not available in this build of etw") from None
    if not hasattr(Schemas, "export"):
        raise CliError("schema export is not available in this build of etw")
    for s in args.sources:
        if not os.path.exists(s):
            raise CliError(f"{s}: no such file or directory")
    if args.trace and not os.path.exists(args.trace):
        raise CliError(f"--trace {args.trace}: no such file")
    try:
        schemas = Schemas(args.sources, recursive=args.recursive)
    except (ValueError, OSError) as exc:
        raise CliError(f"cannot load the schema sources: {exc}", EXIT_DATA) from None
    n = schemas.export(args.output, trace=args.trace, providers=args.provider)
    for w in getattr(schemas, "warnings", []):
        sys.stderr.write(f"etw: warning: {w}\n")
    sys.stderr.write(f"etw: wrote {n} schema entries to {args.output}\n")
    return EXIT_OK


def _windows_only(command: str) -> Any:
    """etw.live, on Windows; a clear usage error (exit 2) elsewhere."""
    if sys.platform != "win32":
        raise CliError(f"'etw {command}' needs Windows: it talks to the ETW service of the "
                       f"running system (this is {sys.platform}). Reading .etl files works "
                       "everywhere: see 'etw dump' and 'etw stats'.", EXIT_USAGE)
    try:
        from . import live
    except ImportError:
        raise CliError(f"'etw {command}' is not available in this build of etw "
                       "(no etw.live)", EXIT_USAGE) from None
    return live


def cmd_live(args: argparse.Namespace) -> int:  # pragma: no cover - Windows only
    live = _windows_only("live")
    n = 0
    with live.Session(args.session, providers=args.providers, replace=True) as session:
        consumer = live.Consumer(sessions=[session])
        try:
            for ev in consumer:
                sys.stdout.write((_text_line(ev) if args.format == "text" else _json_line(ev))
                                 + "\n")
                n += 1
                if args.limit is not None and n >= args.limit:
                    break
        finally:
            consumer.stop(timeout=5)
            st = consumer.stats
            lost = st.get("dropped", 0) + st.get("events_lost", 0)
            sys.stderr.write(f"etw: {n} events" + (f", {lost} lost" if lost else "") + "\n")
    return EXIT_OK


def cmd_sessions(args: argparse.Namespace) -> int:  # pragma: no cover - Windows only
    live = _windows_only("sessions")
    rows = [["name", "mode", "buffers", "events lost", "log file"]]
    for p in live.sessions():
        rows.append([str(p.get("name", "")), "real-time" if p.get("real_time") else "file",
                     str(p.get("number_of_buffers", "")), str(p.get("events_lost", "")),
                     str(p.get("log_file", "") or "")])
    sys.stdout.write(_table(rows, [False, False, True, True, False]) + "\n")
    return EXIT_OK


def cmd_stop(args: argparse.Namespace) -> int:  # pragma: no cover - Windows only
    live = _windows_only("stop")
    if live.stop_session(args.name) is None:
        raise CliError(f"no running session named {args.name!r}", EXIT_DATA)
    sys.stderr.write(f"etw: stopped {args.name}\n")
    return EXIT_OK


def cmd_providers(args: argparse.Namespace) -> int:  # pragma: no cover - Windows only
    live = _windows_only("providers")
    for guid, name in sorted(live.providers(), key=lambda p: p[1].lower()):
        if args.pattern and args.pattern.lower() not in name.lower():
            continue
        sys.stdout.write(f"{guid}  {name}\n")
    return EXIT_OK


# ---------------------------------------------------------------- main


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``etw`` console script. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    from ._errors import EtlFormatError
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        sys.stderr.write(f"etw: error: {exc}\n")
        return exc.code
    except EtlFormatError as exc:
        if "not an ETL file" in str(exc):
            sys.stderr.write(f"etw: error: {exc}\n")
            return EXIT_USAGE
        where = f" at offset {exc.offset}" if getattr(exc, "offset", None) is not None else ""
        sys.stderr.write(f"etw: error: damaged trace{where}: {exc}\n"
                         "  (--errors skip reads past damage and counts it)\n")
        return EXIT_DATA
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        if getattr(exc, "filename", None) is None:  # e.g. a live session without rights
            sys.stderr.write(f"etw: error: {exc} (run as administrator?)\n")
            return EXIT_USAGE
        sys.stderr.write(f"etw: error: cannot open {exc.filename}: {exc.strerror}\n")
        return EXIT_USAGE
    except NotImplementedError as exc:     # etw.live.UnsupportedPlatformError
        sys.stderr.write(f"etw: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("etw: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (etw dump ... | head): not an error.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except ImportError as exc:
        sys.stderr.write(f"etw: error: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
