"""Rich HTML views for Jupyter: ``trace_html(trace)`` and ``event_html(ev)``, the
bodies of ``Trace._repr_html_`` and ``Event._repr_html_``.

The trace view shows the logfile header and the events per provider (one columnar
C pass, cached per trace; skipped above :data:`COUNT_LIMIT_BYTES`, where it would
take seconds). The event view shows the System fields and the EventData
properties, with the values both as Python gives them and as Windows renders them.
"""

from __future__ import annotations

import html
import os
import weakref
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = ["trace_html", "event_html", "COUNT_LIMIT_BYTES"]

COUNT_LIMIT_BYTES = 1 << 30
"""Traces larger than this are shown without counts (computing them reads the file)."""

_STYLE = (
    "<style>.etw-repr table{border-collapse:collapse;margin:2px 0 8px 0;font-size:12px}"
    ".etw-repr th,.etw-repr td{padding:2px 8px;text-align:left;vertical-align:top;"
    "border-bottom:1px solid #ddd}.etw-repr th{font-weight:600}"
    ".etw-repr td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".etw-repr .muted{color:#888}.etw-repr caption{text-align:left;font-weight:600;"
    "padding:4px 0}</style>"
)

_counts_cache: "weakref.WeakKeyDictionary[Any, Tuple[int, List[Tuple[str, str, int]]]]" = \
    weakref.WeakKeyDictionary()


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _kv_table(caption: str, rows: Iterable[Tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table><caption>{_e(caption)}</caption>{body}</table>"


def _grid(caption: str, head: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[bool]) -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if numeric[i] else f"<td>{c}</td>"
                         for i, c in enumerate(r)) + "</tr>"
        for r in rows)
    return f"<table><caption>{_e(caption)}</caption><tr>{h}</tr>{body}</table>"


def _counts(trace: Any) -> Optional[Tuple[int, List[Tuple[str, str, int]]]]:
    """(events, [(provider, event, count)]) of the trace, or None when unavailable."""
    try:
        cached = _counts_cache.get(trace)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    try:
        from . import _etw
        from .arrow import _provider_label
        raw = _etw._columns(trace.path, columns=["type"], order="file", errors="skip",
                            threads=os.cpu_count() or 1, trace=trace)
    except Exception:
        return None
    rows: Dict[Tuple[str, str], int] = {}
    for t in raw["types"]:
        key = (_provider_label(t), t.get("name") or f"{t['kind']} id {t['id']} "
                                                    f"opcode {t['opcode']}")
        rows[key] = rows.get(key, 0) + t["count"]
    result = (raw["rows"], sorted(((p, n, c) for (p, n), c in rows.items()),
                                  key=lambda r: (-r[2], r[0], r[1])))
    try:
        _counts_cache[trace] = result
    except TypeError:
        pass
    return result


def trace_html(trace: Any, *, max_rows: int = 30) -> str:
    """HTML for a Trace: its header, then events per provider and per event type."""
    hdr = getattr(trace, "header", None) or {}
    path = getattr(trace, "path", None)
    try:
        size = os.path.getsize(path) if path is not None else None
    except (OSError, TypeError):
        size = None
    start, end = hdr.get("start_time"), hdr.get("end_time")
    duration = ""
    if start is not None and end is not None:
        duration = f" ({(end - start).total_seconds():.3f} s)"
    header_rows = [
        ("file", _e(os.fsdecode(path) if path is not None else "")
         + (f' <span class="muted">{size:,} bytes</span>' if size is not None else "")),
        ("session", _e(hdr.get("logger_name"))),
        ("time", f"{_e(start)} &rarr; {_e(end)}{_e(duration)}"),
        ("system", _e(f"Windows {hdr.get('os_version', '?')}, {hdr.get('cpu_count', '?')} "
                      f"CPUs at {hdr.get('cpu_speed_mhz', '?')} MHz, "
                      f"{8 * int(hdr.get('pointer_size') or 0)}-bit")),
        ("clock", _e(f"type {hdr.get('clock_type')}, {hdr.get('perf_freq'):,} Hz"
                     if isinstance(hdr.get("perf_freq"), int) else hdr.get("clock_type"))),
        ("buffers", _e(f"{hdr.get('buffers_written', '?')} written of "
                       f"{hdr.get('buffer_size', 0) // 1024} KiB")),
        ("lost", _e(f"{hdr.get('events_lost', 0)} events, {hdr.get('buffers_lost', 0)} "
                    "buffers")),
    ]
    parts = [_STYLE, '<div class="etw-repr">', _kv_table("etw.Trace", header_rows)]
    counts = None
    if size is None or size <= COUNT_LIMIT_BYTES:
        counts = _counts(trace)
    if counts is None:
        parts.append('<p class="muted">Counts not computed (large file): '
                     "etw.arrow.to_pandas(trace) or <code>etw stats</code> give them.</p>")
    else:
        total, rows = counts
        per_provider: Dict[str, int] = {}
        for p, _n, c in rows:
            per_provider[p] = per_provider.get(p, 0) + c
        prov_rows = sorted(per_provider.items(), key=lambda kv: (-kv[1], kv[0]))
        parts.append(_grid(f"{total:,} events by provider", ("provider", "events", "share"),
                           ((_e(p), f"{c:,}", f"{100.0 * c / (total or 1):.1f}%")
                            for p, c in prov_rows[:max_rows]), (False, True, True)))
        shown = rows[:max_rows]
        more = len(rows) - len(shown)
        parts.append(_grid("by event" + (f" (top {max_rows} of {len(rows)})" if more else ""),
                           ("provider", "event", "events"),
                           ((_e(p), _e(n), f"{c:,}") for p, n, c in shown),
                           (False, False, True)))
    parts.append("</div>")
    return "".join(parts)


def _fmt(ev: Any, name: str) -> Optional[str]:
    fmt = getattr(ev, "format", None)
    if fmt is None:
        return None
    try:
        return fmt(name)
    except Exception:
        return None


def _short(value: Any, limit: int = 400) -> str:
    text = value.hex() if isinstance(value, (bytes, bytearray)) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def event_html(ev: Any) -> str:
    """HTML for an Event: the System block, then the EventData properties."""
    def attr(name: str, default: Any = None) -> Any:
        try:
            return getattr(ev, name)
        except Exception:
            return default

    def named(value: Any, name: Any) -> str:
        return _e(value) + (f' <span class="muted">{_e(name)}</span>' if name else "")

    provider = attr("provider_name") or str(attr("provider_id"))
    system = [
        ("provider", named(provider, attr("provider_id"))),
        ("event", named(attr("name") or "", f"id {attr('id')} v{attr('version')}")),
        ("time", _e(attr("timestamp")) + f' <span class="muted">{_e(attr("time_ns"))} ns</span>'),
        ("level", named(attr("level"), attr("level_name"))),
        ("task", named(attr("task"), attr("task_name"))),
        ("opcode", named(attr("opcode"), attr("opcode_name"))),
        ("keyword", named("0x%016X" % (attr("keyword") or 0),
                          ", ".join(attr("keyword_names") or []))),
        ("channel", named(attr("channel"), attr("channel_name"))),
        ("process / thread", _e(f"{attr('pid')} / {attr('tid')}")),
        ("cpu", _e(attr("cpu"))),
        ("kind", _e(attr("kind"))),
    ]
    if attr("activity_id") is not None:
        system.append(("activity", _e(attr("activity_id"))))
    if attr("related_activity_id") is not None:
        system.append(("related activity", _e(attr("related_activity_id"))))
    parts = [_STYLE, '<div class="etw-repr">', _kv_table("System", system)]
    try:
        items = list(ev.items())
        error = None
    except Exception as exc:  # show the problem instead of failing the display
        items, error = [], str(exc)
    if items:
        rows = []
        for k, v in items:
            shown = _fmt(ev, k)
            rows.append((_e(k), _e(_short(v)),
                         _e(shown) if shown is not None and shown != str(v) else ""))
        parts.append(_grid("EventData", ("property", "value", "as Windows shows it"), rows,
                           (False, False, False)))
    status = attr("decode_status")
    if error or (status and status != "ok"):
        parts.append(f'<p class="muted">decoding: {_e(error or status)}</p>')
    if not items and not error:
        payload = attr("payload") or b""
        parts.append(f'<p class="muted">payload {len(payload)} bytes: '
                     f"{_e(payload[:64].hex())}{'…' if len(payload) > 64 else ''}</p>")
    parts.append("</div>")
    return "".join(parts)
