"""etw: Event Tracing for Windows for Python.

Read ``.etl`` trace files on any OS with a fast C reader::

    import etw
    with etw.open("trace.etl") as trace:
        for ev in trace:
            print(ev.timestamp, ev.provider_id, ev.id, ev.pid)
"""

from __future__ import annotations

import collections.abc as _abc
import os as _os
from typing import Union as _Union

from ._errors import EtlFormatError, EtwError
from . import _etw
from ._etw import Event, Trace, TraceIterator

__version__ = "0.1.0"

__all__ = [
    "EtwError",
    "EtlFormatError",
    "Event",
    "Trace",
    "TraceIterator",
    "open",
    "scan",
]

_abc.Mapping.register(Event)

PathLike = _Union[str, bytes, "_os.PathLike[str]", "_os.PathLike[bytes]"]


def open(path: PathLike, *, order: str = "time", errors: str = "strict") -> Trace:  # noqa: A001
    """Open an ``.etl`` file for reading.

    ``order="time"`` (default) merges the per-CPU buffers into timestamp order,
    as Windows' ProcessTrace delivers them; ``order="file"`` keeps file order.
    ``errors="strict"`` raises :class:`EtlFormatError` on damaged data (after
    every event before the damage was delivered); ``errors="skip"`` skips
    damaged records and buffers and counts them in ``trace.stats``.
    """
    return Trace(path, order=order, errors=errors)


def scan(path: PathLike, *, errors: str = "strict") -> dict:
    """Count the events of a file in one C-only pass (no event objects).

    Returns a dict with ``events``, ``buffers``, ``bytes``, ``skipped``, ...,
    ``counts`` (``{(provider_id, id, opcode): count}``), ``kinds`` (count per
    event kind), ``header``, ``first_time``, ``last_time`` and ``seconds``.
    """
    return _etw.scan(path, errors=errors)
