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
from . import filters, kernel, providers
from .filters import EventFilter, event_id_filter, event_name_filter, exe_name_filter, pid_filter
from .kernel import ALL as KERNEL_FLAGS_ALL
from .kernel import (
    KERNEL_CLASSES,
    KERNEL_LOGGER_NAME,
    SYSTEM_PROVIDERS,
    SYSTEM_TRACE_CONTROL_GUID,
    KernelFlag,
    classic_event_id,
    kernel_class,
    kernel_flag_names,
    kernel_flags,
    stack_walk_events,
    system_keywords,
    system_provider,
)
from .schemas import Schemas
from .live import (
    Consumer,
    EventsLostError,
    KernelSession,
    LogFileMode,
    Session,
    SessionError,
    SessionExistsError,
    SessionLimitError,
    SessionNotFoundError,
    SessionPermissionError,
    UnsupportedPlatformError,
    enable_profile_privilege,
    needs_profile_privilege,
    registered_providers,
    sessions,
    stop_session,
)
from . import autologger
from .autologger import (
    AutoLogger,
    AutoLoggerError,
    AutoLoggerExistsError,
    AutoLoggerNotFoundError,
    AutoLoggerProvider,
    autologgers,
    delete_autologger,
)
from .providers import (
    ALL_KEYWORDS,
    EnableProperty,
    Provider,
    WellKnownProvider,
    default_resolver,
    format_guid,
    parse_guid,
    tracelogging_guid,
    well_known_provider,
    well_known_providers,
)

__version__ = "0.1.0"

__all__ = [
    "EtwError",
    "EtlFormatError",
    "Event",
    "Trace",
    "TraceIterator",
    "open",
    "scan",
    "Schemas",
    # live sessions (Windows; the names import everywhere)
    "Session",
    "KernelSession",
    "Consumer",
    "LogFileMode",
    "SessionError",
    "SessionExistsError",
    "SessionLimitError",
    "SessionNotFoundError",
    "SessionPermissionError",
    "UnsupportedPlatformError",
    "EventsLostError",
    "sessions",
    "stop_session",
    "registered_providers",
    "enable_profile_privilege",
    "needs_profile_privilege",
    # AutoLogger (boot-time) sessions: definitions work everywhere, the registry on Windows
    "AutoLogger",
    "AutoLoggerProvider",
    "AutoLoggerError",
    "AutoLoggerExistsError",
    "AutoLoggerNotFoundError",
    "autologgers",
    "delete_autologger",
    "autologger",
    # providers, kernel flags and filters (portable)
    "Provider",
    "EnableProperty",
    "WellKnownProvider",
    "ALL_KEYWORDS",
    "default_resolver",
    "format_guid",
    "parse_guid",
    "tracelogging_guid",
    "well_known_provider",
    "well_known_providers",
    "KernelFlag",
    "KERNEL_FLAGS_ALL",
    "KERNEL_CLASSES",
    "KERNEL_LOGGER_NAME",
    "SYSTEM_PROVIDERS",
    "SYSTEM_TRACE_CONTROL_GUID",
    "classic_event_id",
    "kernel_class",
    "kernel_flag_names",
    "kernel_flags",
    "stack_walk_events",
    "system_keywords",
    "system_provider",
    "EventFilter",
    "event_id_filter",
    "event_name_filter",
    "exe_name_filter",
    "pid_filter",
    "filters",
    "kernel",
    "providers",
]

_abc.Mapping.register(Event)

PathLike = _Union[str, bytes, "_os.PathLike[str]", "_os.PathLike[bytes]"]


def open(  # noqa: A001
    path: PathLike, *, order: str = "time", errors: str = "strict", schemas: object = None
) -> Trace:
    """Open an ``.etl`` file for reading.

    ``order="time"`` (default) merges the per-CPU buffers into timestamp order,
    as Windows' ProcessTrace delivers them; ``order="file"`` keeps file order.
    ``errors="strict"`` raises :class:`EtlFormatError` on damaged data (after
    every event before the damage was delivered); ``errors="skip"`` skips
    damaged records and buffers and counts them in ``trace.stats``.
    ``schemas`` adds schema sources (manifests, compiled templates, TMF files)
    for events the trace does not describe itself.
    """
    return Trace(path, order=order, errors=errors, schemas=schemas)


def scan(path: PathLike, *, errors: str = "strict", threads: int | None = None) -> dict:
    """Count the events of a file in one C-only pass (no event objects).

    Returns a dict with ``events``, ``buffers``, ``bytes``, ``skipped``, ...,
    ``counts`` (``{(provider_id, id, opcode): count}``), ``kinds`` (count per
    event kind), ``header``, ``first_time``, ``last_time`` and ``seconds``.

    ``threads``: how many native threads share the file's buffers (``None``:
    one per CPU, at most 4, for files of 32 MiB or more, one for smaller
    ones). The result does not depend on it, errors included: with
    ``errors="strict"`` the error is the first in file order.
    """
    return _etw.scan(path, errors=errors, threads=threads)

# ---- issue 6: columnar output (pyarrow/pandas optional), the sample trace --------------
# etw.arrow imports pyarrow only when called; etw.cli, etw.dask and etw.pytest_plugin are
# imported on demand (python -m etw, import etw.dask, the pytest11 entry point).
from . import arrow
from .arrow import tables, to_arrow, to_pandas
from .sample import sample_path

__all__ += ["arrow", "to_arrow", "to_pandas", "tables", "sample_path"]
