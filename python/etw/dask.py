"""Read many (or very large) traces with Dask: one partition per file, or per range of
buffers of a big file.

    import etw.dask
    df = etw.dask.read_etl("traces/*.etl", columns=["time", "provider", "name", "pid"])
    df.groupby("name").size().compute()

Each partition is filled by the same C pass as :func:`etw.arrow.to_pandas` (filters
and column selection pushed into it; Dask's column projection reaches it too), on
whatever workers run the graph: threads, processes or a distributed cluster. Needs
``pip install 'etw[dask]'``.

Partitions are ordered by file, then by position in the file; inside a partition the
events are in time order (``order="time"``). A file split into byte ranges gives
partitions that each hold the events of the buffers starting in their range: every
event lands in exactly one of them. Names that come from schemas injected into the
trace (merged traces) are resolved within each part: when a part does not hold the
EventMetadata records, its ``name`` column stays empty for those events (kernel,
TraceLogging and classic names are unaffected) - split such traces per file.
"""

from __future__ import annotations

import glob
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

__all__ = ["read_etl", "partitions"]

PathArg = Union[str, "os.PathLike[str]"]


def _expand(paths: Union[PathArg, Iterable[PathArg]]) -> List[str]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: List[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            out.extend(sorted(glob.glob(os.path.join(p, "*.etl"))))
        elif any(c in p for c in "*?["):
            out.extend(sorted(glob.glob(p, recursive=True)))
        else:
            out.append(p)
    if not out:
        raise FileNotFoundError(f"no .etl files in {paths!r}")
    for p in out:
        if not os.path.isfile(p):
            raise FileNotFoundError(p)
    return out


def partitions(paths: Union[PathArg, Iterable[PathArg]],
               split_bytes: Optional[int] = None) -> List[Tuple[str, int, int]]:
    """The parts :func:`read_etl` makes: (path, lo, hi) byte ranges of buffer start
    offsets (hi 0 = to the end). Files larger than ``split_bytes`` are cut into ranges
    of about that size; others (and all when it is None) make one part each."""
    parts: List[Tuple[str, int, int]] = []
    for p in _expand(paths):
        size = os.path.getsize(p)
        if not split_bytes or size <= split_bytes:
            parts.append((p, 0, 0))
            continue
        if split_bytes < 1 << 20:
            raise ValueError("split_bytes must be at least 1 MiB")
        n = -(-size // split_bytes)
        bounds = [size * i // n for i in range(n + 1)]
        for i in range(n):
            parts.append((p, bounds[i], 0 if i == n - 1 else bounds[i + 1]))
    return parts


def _read_part(part: Tuple[str, int, int], options: Dict[str, Any],
               columns: Optional[Sequence[str]] = None) -> Any:
    """One partition as a pandas DataFrame (module level: picklable for workers)."""
    from . import arrow
    import pandas as pd

    path, lo, hi = part
    cols = list(options["columns"] if columns is None else columns)
    want_file = "file" in cols
    cols_c = [c for c in cols if c != "file"] or ["time"]
    kw = dict(options["kw"])
    if lo or hi:
        kw["byte_range"] = (lo, hi)
    df = arrow.to_pandas(path, columns=cols_c, progress=False, **kw)
    if want_file:
        df["file"] = pd.Categorical([os.path.basename(path)] * len(df))
    return df[[c for c in cols if c in df.columns]]


def _meta(columns: Sequence[str], guids: str) -> Any:
    import pandas as pd
    from . import arrow

    pa_cols = [c for c in columns if c != "file"] or ["time"]
    table = arrow.arrow_schema(pa_cols).empty_table()
    if guids == "str":
        import pyarrow as pa
        for c in arrow._GUID_COLUMNS:
            if c in table.column_names:
                i = table.column_names.index(c)
                table = table.set_column(i, c, pa.array([], pa.dictionary(pa.int32(), pa.string())))
    df = table.to_pandas()
    if "file" in columns:
        df["file"] = pd.Categorical([])
    return df[[c for c in columns if c in df.columns]]


def read_etl(paths: Union[PathArg, Iterable[PathArg]], *,
             columns: Union[str, Sequence[str], None] = None, split_bytes: Optional[int] = None,
             include_file: bool = True, providers: Optional[Iterable[Any]] = None,
             ids: Optional[Iterable[int]] = None, pids: Optional[Iterable[int]] = None,
             kinds: Optional[Iterable[str]] = None, start: Any = None, end: Any = None,
             order: str = "time", errors: str = "strict", threads: int = 1,
             guids: str = "str", schemas: Any = None) -> Any:
    """A dask DataFrame of the events of ``paths`` (files, directories, glob patterns).

    ``columns`` as :func:`etw.arrow.to_arrow` (plus ``"file"``, the file name, added
    by default with ``include_file``). ``split_bytes`` cuts files larger than that into
    parts of about that size (see :func:`partitions`); by default one partition per
    file. Filters (``providers``, ``ids``, ``pids``, ``kinds``, ``start``, ``end``)
    run in C in every partition. ``threads`` is the reader threads per partition (Dask
    already runs partitions in parallel). ``guids`` as :func:`etw.arrow.to_pandas`.
    """
    import dask.dataframe as dd
    from . import arrow

    cols = list(arrow._normalize_columns(columns))
    if include_file and "file" not in cols:
        cols.append("file")
    parts = partitions(paths, split_bytes)
    options = {
        "columns": cols,
        "kw": dict(providers=list(providers) if providers is not None else None,
                   ids=list(ids) if ids is not None else None,
                   pids=list(pids) if pids is not None else None,
                   kinds=list(kinds) if kinds is not None else None, start=start, end=end,
                   order=order, errors=errors, threads=threads, guids=guids,
                   schemas=schemas),
    }
    return dd.from_map(_read_part, parts, options=options, meta=_meta(cols, guids),
                       enforce_metadata=False, label="read-etl")
