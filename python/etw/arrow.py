"""Columnar output: a trace as a pyarrow Table or a pandas DataFrame.

The header columns are filled in C (``etw._etw._columns``: one pass over the
file, in parallel over ranges of buffers when the file is clean) straight into
typed buffers that become Arrow arrays without a copy and without a Python
object per event. Filters (providers, event ids, pids, kinds, time range) run
in C before a row is written.

    import etw.arrow
    table = etw.arrow.to_arrow("trace.etl", providers=["Microsoft-Windows-Kernel-Process"])
    df = etw.arrow.to_pandas("trace.etl", columns=["time", "provider", "name", "pid"])
    per_type = etw.arrow.tables("trace.etl")      # {"Provider/Event": Table with properties}

pyarrow (and pandas for :func:`to_pandas`) are optional dependencies:
``pip install etw[arrow]``.
"""

from __future__ import annotations

import datetime as _dt
from array import array
import os
import re
import sys
import uuid
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _etw
from .providers import parse_guid, tracelogging_guid, well_known_provider

__all__ = [
    "DEFAULT_COLUMNS",
    "ALL_COLUMNS",
    "read_columns",
    "to_arrow",
    "to_pandas",
    "tables",
    "resolve_providers",
    "arrow_schema",
    "make_predicate",
]

KINDS = ("header", "kernel", "classic", "manifest", "tracelogging", "wpp")

# Columns the C pass fills (etwmodule/core/columns.h), in its order, with their Arrow
# types (built lazily: pyarrow is optional).
_C_COLUMNS = (
    "time", "filetime", "raw_timestamp", "provider_id", "id", "version", "channel", "level",
    "opcode", "task", "keyword", "pid", "tid", "cpu", "kind", "pointer_size", "activity_id",
    "related_activity_id", "kernel_time", "user_time", "flags", "event_property",
    "header_type", "group", "file_offset", "type", "payload",
)

# Columns derived in Python from the C "type" column (one value per event type).
_TYPE_COLUMNS = ("provider", "name")

DEFAULT_COLUMNS: Tuple[str, ...] = (
    "time", "provider", "name", "id", "version", "level", "opcode", "task", "keyword",
    "pid", "tid", "cpu", "kind",
)
"""The columns of :func:`to_arrow` when ``columns`` is not given."""

ALL_COLUMNS: Tuple[str, ...] = (
    "time", "provider", "name", "provider_id", "id", "version", "channel", "level", "opcode",
    "task", "keyword", "pid", "tid", "cpu", "kind", "pointer_size", "activity_id",
    "related_activity_id", "kernel_time", "user_time", "flags", "event_property",
    "header_type", "group", "file_offset", "filetime", "raw_timestamp", "payload",
)
"""Every column :func:`to_arrow` can produce (``columns="all"``)."""

_GUID_COLUMNS = ("provider_id", "activity_id", "related_activity_id")

# Files at least this large get a progress bar by default (when one can be shown).
PROGRESS_MIN_BYTES = 256 << 20


def _pa():
    try:
        import pyarrow
    except ImportError as exc:  # pragma: no cover - exercised where pyarrow is absent
        raise ImportError(
            "etw.arrow needs pyarrow: pip install 'etw[arrow]' (or pip install pyarrow)"
        ) from exc
    return pyarrow


_TYPES: Dict[str, Any] = {}


def _arrow_type(pa, name: str):
    t = _TYPES.get(name)
    if t is not None:
        return t
    _TYPES.update(_arrow_types(pa))
    return _TYPES[name]


def _arrow_types(pa) -> Dict[str, Any]:
    return {
        "time": pa.timestamp("ns", tz="UTC"),
        "filetime": pa.int64(), "raw_timestamp": pa.int64(),
        "provider_id": pa.binary(16), "activity_id": pa.binary(16),
        "related_activity_id": pa.binary(16),
        "id": pa.uint16(), "version": pa.uint8(), "channel": pa.uint8(), "level": pa.uint8(),
        "opcode": pa.uint8(), "task": pa.uint16(), "keyword": pa.uint64(), "pid": pa.uint32(),
        "tid": pa.uint32(), "cpu": pa.uint16(), "pointer_size": pa.uint8(),
        "kernel_time": pa.uint32(), "user_time": pa.uint32(), "flags": pa.uint16(),
        "event_property": pa.uint16(), "header_type": pa.uint8(), "group": pa.uint8(),
        "file_offset": pa.uint64(), "payload": pa.large_binary(),
        "kind": pa.dictionary(pa.int8(), pa.string()),
        "provider": pa.dictionary(pa.int32(), pa.string()),
        "name": pa.dictionary(pa.int32(), pa.string()),
    }


def arrow_schema(columns: Union[str, Sequence[str], None] = None):
    """The pyarrow schema :func:`to_arrow` gives for ``columns``."""
    pa = _pa()
    cols = _normalize_columns(columns)
    return pa.schema([pa.field(c, _arrow_type(pa, c)) for c in cols])


def _normalize_columns(columns: Union[str, Sequence[str], None]) -> Tuple[str, ...]:
    if columns is None:
        return DEFAULT_COLUMNS
    if isinstance(columns, str):
        if columns == "all":
            return ALL_COLUMNS
        if columns == "default":
            return DEFAULT_COLUMNS
        columns = [columns]
    out = []
    for c in columns:
        if c not in ALL_COLUMNS:
            raise ValueError(
                f"unknown column {c!r}; choose from {', '.join(ALL_COLUMNS)} (or 'all')")
        if c not in out:
            out.append(c)
    return tuple(out)


# ---------------------------------------------------------------- arguments


def _to_ns(value: Any, what: str) -> Optional[int]:
    """ns since the Unix epoch for a datetime (naive = UTC), a pandas Timestamp, an ISO
    string, or an int (already ns)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a datetime, an ISO 8601 string or int ns")
    if isinstance(value, int):
        return value
    if hasattr(value, "value") and hasattr(value, "tz_localize"):  # pandas.Timestamp
        if value.tzinfo is None:
            value = value.tz_localize("UTC")
        return int(value.value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{what}: not an ISO 8601 time: {value!r}") from None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    raise TypeError(f"{what} must be a datetime, an ISO 8601 string or int ns, "
                    f"not {type(value).__name__}")


def _kernel_class_guid(name: str) -> Optional[uuid.UUID]:
    from .kernel import KERNEL_CLASSES
    low = name.strip().lower()
    for c in KERNEL_CLASSES.values():
        if c.name.lower() == low:
            return c.guid
    return None


def resolve_providers(providers: Iterable[Union[str, uuid.UUID]],
                      source: object = None) -> List[uuid.UUID]:
    """Provider GUIDs for names or GUIDs: GUID text or uuid.UUID as is; then the
    built-in table of well-known providers; then kernel event class names
    ("Process", "Thread", ...); then the names the trace ``source`` itself uses
    (TraceLogging provider traits, injected schemas, "MSNT_SystemTrace" for every
    kernel class seen; found by a C pass over the trace); else the TraceLogging
    name hash. Names are matched in any case."""
    out: List[uuid.UUID] = []
    unresolved: List[str] = []
    for p in providers:
        if isinstance(p, uuid.UUID):
            out.append(p)
            continue
        if isinstance(p, bytes) and len(p) == 16:
            out.append(uuid.UUID(bytes_le=p))
            continue
        if not isinstance(p, str):
            raise TypeError(f"a provider is a name or a GUID, not {type(p).__name__}")
        try:
            out.append(parse_guid(p))
            continue
        except ValueError:
            pass
        wk = well_known_provider(p)
        if wk is not None:
            out.append(wk.guid)
            continue
        kc = _kernel_class_guid(p)
        if kc is not None:
            out.append(kc)
            continue
        unresolved.append(p)
    if unresolved:
        names: Dict[str, List[uuid.UUID]] = {}
        if source is not None:
            path = _path_of(source)
            raw = _etw._columns(path, columns=["type"], errors="skip", order="file",
                                threads=_default_threads(path),
                                trace=source if isinstance(source, _etw.Trace) else None)
            for t in raw["types"]:
                if t["provider_name"]:
                    names.setdefault(t["provider_name"].lower(), []).append(t["provider_id"])
        for p in unresolved:
            found = names.get(p.strip().lower())
            out.extend(found if found else [tracelogging_guid(p.strip())])
    seen = set()
    uniq = []
    for g in out:
        if g not in seen:
            seen.add(g)
            uniq.append(g)
    return uniq


def _path_of(source: object) -> Any:
    if isinstance(source, _etw.Trace):
        return source.path
    return os.fspath(source)  # type: ignore[arg-type]


_CPUS = os.cpu_count() or 1


def _default_threads(path: Any) -> int:
    """Every CPU; the C pass itself uses one thread per 4 MiB of records at most."""
    return _CPUS


def _trace_options(trace: Any) -> Tuple[Optional[str], Optional[str]]:
    """order and errors a Trace was opened with (from attributes when the type has
    them, else from its repr)."""
    order = getattr(trace, "order", None)
    errors = getattr(trace, "errors", None)
    if order is None or errors is None:
        m = re.search(r"order=(\w+) errors=(\w+)", repr(trace))
        if m:
            order = order or m.group(1)
            errors = errors or m.group(2)
    return order, errors


# ---------------------------------------------------------------- progress


class _Progress:
    """A byte progress bar: tqdm.auto (notebook widget or terminal) when installed,
    else a plain line on a terminal's stderr; nothing when neither fits."""

    def __init__(self, total: int, desc: str, enabled: Optional[bool]) -> None:
        self.bar = None
        self.plain = False
        self.total = total
        self.desc = desc
        self.last = 0
        if enabled is False:
            return
        if enabled is None and total < PROGRESS_MIN_BYTES:
            return
        in_notebook = "ipykernel" in sys.modules
        tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        if not (in_notebook or tty or enabled):
            return
        try:
            from tqdm.auto import tqdm  # type: ignore
        except ImportError:
            tqdm = None
        if tqdm is not None:
            self.bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True,
                            unit_divisor=1024, leave=False)
        elif tty:
            self.plain = True

    def __call__(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(max(0, done - self.last))
        elif self.plain and self.total:
            sys.stderr.write(f"\r{self.desc}: {100 * done // self.total:3d}% "
                             f"({done >> 20} of {self.total >> 20} MiB)")
            sys.stderr.flush()
        self.last = done

    @property
    def active(self) -> bool:
        return self.bar is not None or self.plain

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(max(0, self.total - self.last))
            self.bar.close()
        elif self.plain:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


# ---------------------------------------------------------------- the C pass


def read_columns(source: object, *, columns: Union[str, Sequence[str], None] = None,
                 providers: Optional[Iterable[Union[str, uuid.UUID]]] = None,
                 ids: Optional[Iterable[int]] = None, pids: Optional[Iterable[int]] = None,
                 kinds: Optional[Iterable[str]] = None, start: Any = None, end: Any = None,
                 order: Optional[str] = None, errors: Optional[str] = None,
                 threads: Optional[int] = None, engine: str = "auto",
                 byte_range: Optional[Tuple[int, int]] = None,
                 progress: Union[bool, None, Callable[[int], object]] = None,
                 schemas: object = None) -> Dict[str, Any]:
    """Runs the C pass and returns its raw result: ``chunks`` (dicts of column
    buffers), ``types`` (one dict per event type: provider_id, id, version, opcode,
    kind, provider_name, name, count ...), ``stats``, ``rows``, ``parallel``,
    ``threads``, ``first_ns``/``last_ns``. Mostly for :func:`to_arrow`; see it for the
    arguments. ``byte_range=(lo, hi)`` keeps the records of the buffers that start at
    a file offset in [lo, hi) (hi 0 = the end): independent parts of one big file."""
    cols = _normalize_columns(columns)
    trace = source if isinstance(source, _etw.Trace) else None
    if trace is not None:
        t_order, t_errors = _trace_options(trace)
        order = order or t_order
        errors = errors or t_errors
    order = order or "time"
    errors = errors or "strict"
    if trace is None:
        from . import open as _open
        trace = _open(source, order=order, errors=errors, schemas=schemas)  # type: ignore[arg-type]
    path = trace.path
    c_cols = [c for c in cols if c in _C_COLUMNS]
    if any(c in _TYPE_COLUMNS for c in cols) and "type" not in c_cols:
        c_cols.append("type")
    guids = None
    if providers is not None:
        if isinstance(providers, (str, uuid.UUID)):
            providers = [providers]
        guids = [g.bytes_le for g in resolve_providers(providers, trace)]
    if isinstance(ids, int):
        ids = [ids]
    if isinstance(pids, int):
        pids = [pids]
    if isinstance(kinds, str):
        kinds = [kinds]
    if threads is None:
        threads = _default_threads(path)
    bar = None
    callback = None
    if callable(progress):
        callback = progress
    else:
        try:
            total = os.path.getsize(path)
        except OSError:
            total = 0
        bar = _Progress(total, os.path.basename(os.fsdecode(path)), progress)
        callback = bar if bar.active else None
    try:
        raw = _etw._columns(
            path, order=order, errors=errors, columns=c_cols, providers=guids,
            ids=list(ids) if ids is not None else None,
            pids=list(pids) if pids is not None else None,
            kinds=list(kinds) if kinds is not None else None,
            start_ns=_to_ns(start, "start"), end_ns=_to_ns(end, "end"), threads=threads,
            engine=engine, range=tuple(byte_range) if byte_range is not None else None,
            trace=trace, progress=callback)
    finally:
        if bar is not None:
            bar.close()
    raw["requested"] = cols
    return raw


# ---------------------------------------------------------------- Arrow


def _provider_label(t: Mapping[str, Any]) -> str:
    if t.get("provider_name"):
        return t["provider_name"]
    wk = well_known_provider(t["provider_id"])
    if wk is not None:
        return wk.name
    return str(t["provider_id"])


def _type_dictionaries(pa, types: Sequence[Mapping[str, Any]], cols: Sequence[str]):
    """For the type columns among cols ("provider", "name"): {column: (remap, dictionary)}
    where remap is an int32 array (type index -> dictionary index, -1 for null) and
    dictionary a pyarrow string array of distinct labels in first-seen order."""
    out = {}
    for c in cols:
        if c not in _TYPE_COLUMNS:
            continue
        values: List[str] = []
        where: Dict[str, int] = {}
        remap = array("i")
        for t in types:
            v = _provider_label(t) if c == "provider" else t.get("name")
            if v is None:
                remap.append(-1)
                continue
            i = where.get(v)
            if i is None:
                i = where[v] = len(values)
                values.append(v)
            remap.append(i)
        out[c] = (remap, pa.array(values, type=pa.string()))
    return out


_KINDS_DICT: List[Any] = []
_SCHEMAS: Dict[Tuple[str, ...], Any] = {}


def _kinds_dictionary(pa):
    if not _KINDS_DICT:
        _KINDS_DICT.append(pa.array(list(KINDS), type=pa.string()))
    return _KINDS_DICT[0]


def _schema_of(pa, cols: Sequence[str]):
    key = tuple(cols)
    sch = _SCHEMAS.get(key)
    if sch is None:
        sch = _SCHEMAS[key] = pa.schema([pa.field(c, _arrow_type(pa, c)) for c in cols])
    return sch


def _chunk_arrays(pa, ch: Mapping[str, Any], cols: Sequence[str], type_dicts) -> List[Any]:
    n = ch["rows"]
    out = []
    for c in cols:
        if c in _TYPE_COLUMNS:
            remap, dictionary = type_dicts[c]
            # Dictionary indices gathered in C: table[type index] per row.
            values, validity, nulls = _etw._remap_i32(ch["type"], remap)
            idx = pa.Array.from_buffers(
                pa.int32(), n, [validity and pa.py_buffer(validity), pa.py_buffer(values)],
                null_count=nulls)
            out.append(pa.DictionaryArray.from_arrays(idx, dictionary, safe=False))
        elif c == "kind":
            idx = pa.Array.from_buffers(pa.int8(), n, [None, pa.py_buffer(ch["kind"])])
            out.append(pa.DictionaryArray.from_arrays(idx, _kinds_dictionary(pa), safe=False))
        elif c == "payload":
            out.append(pa.Array.from_buffers(
                pa.large_binary(), n,
                [None, pa.py_buffer(ch["payload"]), pa.py_buffer(ch["payload_data"])]))
        elif c in ("activity_id", "related_activity_id"):
            nulls = ch[c + "_nulls"]
            validity = pa.py_buffer(ch[c + "_valid"]) if nulls else None
            out.append(pa.Array.from_buffers(pa.binary(16), n, [validity, pa.py_buffer(ch[c])],
                                             null_count=nulls))
        else:
            out.append(pa.Array.from_buffers(_arrow_type(pa, c), n,
                                             [None, pa.py_buffer(ch[c])]))
    return out


def _raw_to_table(raw: Mapping[str, Any], cols: Sequence[str]):
    pa = _pa()
    type_dicts = _type_dictionaries(pa, raw["types"], cols)
    schema = _schema_of(pa, cols)
    chunks = raw["chunks"]
    batches = [pa.RecordBatch.from_arrays(_chunk_arrays(pa, ch, cols, type_dicts),
                                          schema=schema)
               for ch in chunks if ch["rows"] or len(chunks) == 1]
    table = pa.Table.from_batches(batches, schema=schema)
    meta = {
        b"etw.stats": repr(raw["stats"]).encode(),
        b"etw.engine": b"parallel" if raw["parallel"] else b"reader",
    }
    return table.replace_schema_metadata(meta)


def _repeated_label(pa, rows: int, index: int, dictionary):
    """`rows` times dictionary[index], dictionary-encoded (int32 indices, no nulls)."""
    idx = pa.Array.from_buffers(pa.int32(), rows,
                                [None, pa.py_buffer(array("i", [index]) * rows)])
    return pa.DictionaryArray.from_arrays(idx, dictionary, safe=False)


def _source_label(src: object) -> str:
    if isinstance(src, _etw.Trace):
        return os.fsdecode(src.path)
    return os.fsdecode(src)  # type: ignore[arg-type]


def _to_arrow_many(sources: List[object], *, progress: Union[bool, None, Callable] = None,
                   threads: Optional[int] = None, **kwargs: Any):
    """to_arrow over several traces: read concurrently (the C passes release the GIL),
    concatenated in the given order, with a ``file`` column."""
    from concurrent.futures import ThreadPoolExecutor
    pa = _pa()
    if not sources:
        raise ValueError("to_arrow: an empty list of sources")
    labels = [_source_label(s) for s in sources]
    sizes = []
    for lab in labels:
        try:
            sizes.append(os.path.getsize(lab))
        except OSError:
            sizes.append(0)
    # One bar (or callable) over all files: the sum of each file's bytes so far.
    done = [0] * len(sources)
    bar = None
    report: Optional[Callable[[int], object]] = None
    if callable(progress):
        report = progress
    else:
        bar = _Progress(sum(sizes), "%d files" % len(sources), progress)
        report = bar if bar.active else None

    cols = _normalize_columns(kwargs.pop("columns", None))

    def one(k: int):
        cb = None
        if report is not None:
            def cb(n: int, k: int = k) -> None:
                done[k] = n
                report(sum(done))  # type: ignore[misc]
        raw = read_columns(sources[k], columns=cols, threads=threads,
                           progress=cb if cb else False, **kwargs)
        if report is not None:
            done[k] = sizes[k]
            report(sum(done))
        return _raw_to_table(raw, cols), raw["stats"]

    workers = max(1, min(len(sources), _CPUS))
    # Largest files first, so that the small ones fill in beside them.
    by_size = sorted(range(len(sources)), key=lambda k: -sizes[k])
    try:
        if workers == 1:
            results = {k: one(k) for k in by_size}
        else:
            ex = ThreadPoolExecutor(workers, thread_name_prefix="etw-arrow")
            try:
                futures = {k: ex.submit(one, k) for k in by_size}
                results = {k: f.result() for k, f in futures.items()}
            except BaseException:
                # An error or Ctrl+C: files not started yet are not read at all.
                ex.shutdown(wait=True, cancel_futures=True)
                raise
            ex.shutdown()
    finally:
        if bar is not None:
            bar.close()
    tables = [results[k][0] for k in range(len(sources))]
    unique = list(dict.fromkeys(labels))  # a file given twice: one dictionary entry
    # Path bytes that are not UTF-8 (surrogate-escaped by fsdecode) show as '?'.
    files = pa.array([u.encode("utf-8", "replace").decode("utf-8") for u in unique],
                     type=pa.string())
    where = {lab: i for i, lab in enumerate(unique)}
    file_chunks = [_repeated_label(pa, t.num_rows, where[labels[k]], files)
                   for k, t in enumerate(tables)]
    meta = {b"etw.stats": repr([(lab, results[k][1]) for k, lab in enumerate(labels)]).encode(),
            b"etw.engine": b",".join((t.schema.metadata or {}).get(b"etw.engine", b"?")
                                     for t in tables)}
    table = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
    table = table.append_column(pa.field("file", pa.dictionary(pa.int32(), pa.string())),
                                pa.chunked_array(file_chunks,
                                                 type=pa.dictionary(pa.int32(), pa.string())))
    return table.replace_schema_metadata(meta)


def to_arrow(source: object, *, columns: Union[str, Sequence[str], None] = None,
             providers: Optional[Iterable[Union[str, uuid.UUID]]] = None,
             ids: Optional[Iterable[int]] = None, pids: Optional[Iterable[int]] = None,
             kinds: Optional[Iterable[str]] = None, start: Any = None, end: Any = None,
             order: Optional[str] = None, errors: Optional[str] = None,
             threads: Optional[int] = None, progress: Union[bool, None, Callable] = None,
             schemas: object = None, byte_range: Optional[Tuple[int, int]] = None):
    """The events of a trace as a pyarrow Table, one row per event.

    ``source``: an :class:`etw.Trace` or a path, or a list of them: the files are
    then read at once (up to one per CPU) into one table, in the list's order, with a
    last column ``file`` (dictionary-encoded: the path as given, or the trace's path);
    a ``progress`` callable then gets the bytes of all files read so far, from the
    threads that read them.
    ``columns``: names from
    :data:`ALL_COLUMNS` (default :data:`DEFAULT_COLUMNS`; ``"all"`` for every one):
    ``time`` timestamp[ns, UTC]; ``provider`` and ``name`` dictionary-encoded strings
    (the names :attr:`etw.Event.provider_name` and :attr:`etw.Event.name` give;
    ``provider`` falls back to the well-known name or the GUID text); ``provider_id``,
    ``activity_id``, ``related_activity_id`` 16-byte GUIDs in RFC 4122 byte order
    (``uuid.UUID(bytes=...)``; activity ids are null when absent); ``kind`` a
    dictionary of event kinds; integers of their ETW widths; ``payload`` large_binary.

    Filters, applied in C before a row is written: ``providers`` (names or GUIDs, see
    :func:`resolve_providers`), ``ids`` (event ids), ``pids``, ``kinds`` ("kernel",
    "manifest", "tracelogging", "classic", "wpp", "header"), ``start``/``end`` (a time
    range [start, end): datetimes, ISO strings or int ns since the Unix epoch).

    ``order``/``errors`` as :func:`etw.open` (default: the trace's own, else "time" and
    "strict"). ``threads`` caps the reader threads (default: the CPU count; the pass
    itself uses one per MiB of records at most). ``progress``: True/False/None (None: a bar for files of 256 MiB and
    more when stderr is a terminal or in Jupyter, through tqdm when installed) or a
    callable receiving the bytes read so far.
    """
    if isinstance(source, (list, tuple)):
        return _to_arrow_many(list(source), columns=columns, providers=providers, ids=ids,
                              pids=pids, kinds=kinds, start=start, end=end, order=order,
                              errors=errors, threads=threads, progress=progress,
                              schemas=schemas, byte_range=byte_range)
    cols = _normalize_columns(columns)
    raw = read_columns(source, columns=cols, providers=providers, ids=ids, pids=pids,
                       kinds=kinds, start=start, end=end, order=order, errors=errors,
                       threads=threads, progress=progress, schemas=schemas,
                       byte_range=byte_range)
    return _raw_to_table(raw, cols)


def _guid_strings(pa, pc, arr):
    """A 16-byte GUID column as dictionary-encoded 'xxxxxxxx-...' strings (decoding
    each distinct value once)."""
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks != 1 else enc.chunk(0)
    text = pa.array([None if b is None else str(uuid.UUID(bytes=b))
                     for b in enc.dictionary.to_pylist()], type=pa.string())
    return pa.DictionaryArray.from_arrays(enc.indices, text)


def to_pandas(source: object, *, columns: Union[str, Sequence[str], None] = None,
              guids: str = "str", **kwargs: Any):
    """The events as a pandas DataFrame (see :func:`to_arrow` for the arguments).

    ``provider``, ``name`` and ``kind`` become categoricals, ``time`` a
    ``datetime64[ns, UTC]``. GUID columns become categorical strings
    (``guids="str"``, default), ``uuid.UUID`` objects (``"uuid"``) or 16-byte
    ``bytes`` (``"bytes"``)."""
    pa = _pa()
    import pyarrow.compute as pc
    table = to_arrow(source, columns=columns, **kwargs)
    if guids not in ("str", "uuid", "bytes"):
        raise ValueError("guids must be 'str', 'uuid' or 'bytes'")
    if guids != "bytes":
        for c in _GUID_COLUMNS:
            if c in table.column_names:
                i = table.column_names.index(c)
                col = table.column(c)
                if guids == "str":
                    arr = _guid_strings(pa, pc, col.combine_chunks() if col.num_chunks != 1
                                        else col.chunk(0)) if len(col) else \
                        pa.array([], type=pa.dictionary(pa.int32(), pa.string()))
                    table = table.set_column(i, c, arr)
    df = table.to_pandas()
    if guids == "uuid":
        for c in _GUID_COLUMNS:
            if c in df.columns:
                df[c] = [None if b is None else uuid.UUID(bytes=b) for b in df[c]]
    return df


# ---------------------------------------------------------------- per-type tables


def _value_for_arrow(v: Any) -> Any:
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, dict):
        return {k: _value_for_arrow(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_value_for_arrow(x) for x in v]
    return v


_ARROW_ERRORS = ("ArrowInvalid", "ArrowTypeError", "ArrowNotImplementedError")


def _utf8_safe(v: Any) -> Any:
    """v with every str that UTF-8 cannot hold (lone UTF-16 surrogates, which a
    trace's UTF-16 strings may carry) given U+FFFD in their place, in lists and
    dicts too; anything else unchanged."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
            return v
        except UnicodeEncodeError:
            return v.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(v, list):
        return [_utf8_safe(x) for x in v]
    if isinstance(v, dict):
        return {k: _utf8_safe(x) for k, x in v.items()}
    return v


def _column_array(pa, values: List[Any], big: bool = False, uuids: bool = False):
    """An Arrow array of one property's values: the type pyarrow infers; uint64 for
    integers of which some are above 2**63 - 1 (``big``: pointers, hex values), and
    list<uint64> for lists of such integers (stack walks); UUIDs
    (``uuids``, or inside lists and structs) as their text; text for columns whose rows
    disagree in type (versions of an event). Arrow text is UTF-8: a lone UTF-16
    surrogate in a string (``ev[name]`` keeps it) becomes U+FFFD."""
    try:
        return _column_array_of(pa, values, big, uuids)
    except UnicodeEncodeError:
        return _column_array_of(pa, [_utf8_safe(v) for v in values], big, uuids)


def _column_array_of(pa, values: List[Any], big: bool, uuids: bool):
    errors = tuple(getattr(pa, e) for e in _ARROW_ERRORS) + (OverflowError, TypeError)
    if not uuids:
        try:
            arr = pa.array(values, type=pa.uint64()) if big else pa.array(values)
            # pyarrow >= 18 infers its UUID extension type for nested UUIDs: use text.
            if "extension" not in str(arr.type):
                return arr
        except errors:
            try:  # lists of addresses (stack walks) with some above 2**63 - 1
                return pa.array(values, type=pa.list_(pa.uint64()))
            except errors:
                pass
    values = [_value_for_arrow(v) for v in values]
    try:
        return pa.array(values)
    except errors:
        # Mixed types across events of one name (versions): fall back to text.
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _type_key(t: Mapping[str, Any]) -> str:
    name = t.get("name") or (f"{t['kind']} {t['id']}" if t["kind"] in ("manifest", "wpp",
                                                                          "tracelogging")
                             else f"opcode {t['opcode']}")
    return f"{_provider_label(t)}/{name}"


def tables(source: object, *, columns: Union[str, Sequence[str], None] = None,
           decode: bool = True, **kwargs: Any) -> Dict[str, Any]:
    """One pyarrow Table per event type, keyed ``"Provider/EventName"`` (event types
    with the same provider and name, such as versions of one event, share a table).

    Each table has the header ``columns`` (default: time, id, version, opcode, pid,
    tid, cpu, activity_id; filled in C) followed by one column per decoded property
    (``decode=True``): each cell is what ``ev[name]`` gives for the row's event (None
    where it has no such property), gathered in C; integers above 2**63 - 1 make uint64
    columns, UUIDs become text, and a column whose rows disagree in type (versions of
    an event) becomes text. Filters and options as :func:`to_arrow`."""
    pa = _pa()
    import pyarrow.compute as pc
    cols = _normalize_columns(columns if columns is not None else
                              ("time", "id", "version", "opcode", "pid", "tid", "cpu",
                               "activity_id"))
    c_cols = tuple(dict.fromkeys(tuple(cols) + ("kind",) + (("file_offset",) if decode
                                                             else ())))
    raw = read_columns(source, columns=c_cols + ("provider",), **kwargs)
    header = _raw_to_table(raw, [c for c in c_cols])
    types = raw["types"]
    type_idx = pa.chunked_array(
        [pa.Array.from_buffers(pa.int32(), ch["rows"], [None, pa.py_buffer(ch["type"])])
         for ch in raw["chunks"]], type=pa.int32())
    keys: Dict[str, List[int]] = {}
    for i, t in enumerate(types):
        keys.setdefault(_type_key(t), []).append(i)
    ordered = sorted(keys)
    key_of_type = [0] * len(types)
    for k, key in enumerate(ordered):
        for t in keys[key]:
            key_of_type[t] = k
    props: List[Tuple[Dict[str, List[Any]], set, set]] = []
    if decode and raw["rows"]:
        props = _decode_properties(source, raw, key_of_type, len(ordered), kwargs)
    # One stable sort by key gathers each key's rows, in trace order, in one take.
    row_keys = pc.take(pa.array(key_of_type, type=pa.int32()), type_idx)
    order = pc.sort_indices(row_keys)
    grouped = header.take(order).select(list(cols))
    counts = [0] * len(ordered)
    for t, ty in enumerate(types):
        counts[key_of_type[t]] += ty["count"]
    out: Dict[str, Any] = {}
    at = 0
    for k, key in enumerate(ordered):
        sub = grouped.slice(at, counts[k])
        if props:
            # Property columns in the order the names first appear in the table's rows.
            values, big, uuids = props[k]
            for n, vals in values.items():
                if n not in sub.column_names:
                    sub = sub.append_column(n, _column_array(pa, vals, n in big, n in uuids))
        out[key] = sub
        at += counts[k]
    return out


def _decode_properties(source: object, raw: Mapping[str, Any], key_of_type: List[int],
                       nkeys: int, kwargs: Mapping[str, Any]
                       ) -> List[Tuple[Dict[str, List[Any]], set, set]]:
    """Decoded property values per table: ``[({property: [value per row]}, big, uuids)]``,
    the rows of each table in trace order; ``big`` names the properties with an integer
    above 2**63 - 1, ``uuids`` those with a UUID value. The trace's events are walked in C
    (``_etw._collect_properties``) in the same order as the columnar pass; row i is the
    next event at its file position with its type's id and provider, so equal positions
    cannot mix up. A value is what ``ev[name]`` gives; None where a row lacks it (or its
    event could not be decoded)."""
    chunks = raw["chunks"]
    offsets = b"".join(ch["file_offset"] for ch in chunks)
    tidx = b"".join(ch["type"] for ch in chunks)
    types = raw["types"]
    ids = array("I", [t["id"] for t in types]).tobytes()
    provs = b"".join(t["provider_id"].bytes for t in types)
    kot = array("i", key_of_type).tobytes()
    trace = source if isinstance(source, _etw.Trace) else None
    if trace is None:
        from . import open as _open
        trace = _open(source, order=kwargs.get("order") or "time",  # type: ignore[arg-type]
                      errors=kwargs.get("errors") or "strict", schemas=kwargs.get("schemas"))
    it = iter(trace)
    try:
        return _etw._collect_properties(it, offsets, tidx, ids, provs, kot, nkeys)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


# ---------------------------------------------------------------- the same filters in Python


def make_predicate(source: object = None, *,
                   providers: Optional[Iterable[Union[str, uuid.UUID]]] = None,
                   ids: Optional[Iterable[int]] = None, pids: Optional[Iterable[int]] = None,
                   kinds: Optional[Iterable[str]] = None, start: Any = None,
                   end: Any = None) -> Optional[Callable[[Any], bool]]:
    """A function ``event -> bool`` applying the filters of :func:`to_arrow` to
    :class:`etw.Event` objects (for code that iterates events), or None when no filter
    is set. Provider names are resolved as :func:`resolve_providers` does (``source``
    gives the trace for names only it knows)."""
    if isinstance(providers, (str, uuid.UUID)):
        providers = [providers]
    prov = set(resolve_providers(providers, source)) if providers is not None else None
    idset = {ids} if isinstance(ids, int) else (set(ids) if ids is not None else None)
    pidset = {pids} if isinstance(pids, int) else (set(pids) if pids is not None else None)
    kindset = {kinds} if isinstance(kinds, str) else (set(kinds) if kinds is not None else None)
    if kindset is not None:
        bad = kindset - set(KINDS)
        if bad:
            raise ValueError(f"unknown event kind(s) {sorted(bad)}; choose from {KINDS}")
    lo = _to_ns(start, "start")
    hi = _to_ns(end, "end")
    if prov is None and idset is None and pidset is None and kindset is None and \
            lo is None and hi is None:
        return None

    def predicate(ev: Any) -> bool:
        if kindset is not None and ev.kind not in kindset:
            return False
        if lo is not None or hi is not None:
            t = ev.time_ns
            if (lo is not None and t < lo) or (hi is not None and t >= hi):
                return False
        if idset is not None and ev.id not in idset:
            return False
        if prov is not None and ev.provider_id not in prov:
            return False
        if pidset is not None and ev.pid not in pidset:
            return False
        return True

    return predicate
