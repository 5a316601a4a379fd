"""pytest plugin (entry point ``pytest11``: active wherever etw is installed).

Security and behaviour tests assert on the events a piece of code makes Windows log.
Written once, they run live on Windows and, replayed over a recorded ``.etl``, on any
OS (Linux CI included)::

    from etw.pytest_plugin import expect_event, assert_no_lost_events

    def test_login_failure_is_audited(etw_capture):
        with etw_capture(["Contoso-Sample-Service"], replay="traces/login.etl") as events:
            trigger_failed_login("mallory")          # only runs live (see below)
        ev = expect_event(events, "Contoso-Sample-Service", "Login",
                          where={"User": "mallory"}, timeout=5)
        assert ev.format("Reason") == "BadPassword"
        assert_no_lost_events(events)

    def test_replay_only(etw_replay):
        with etw_replay("traces/login.etl", providers=["Contoso-Sample-Service"]) as events:
            expect_event(events, "Contoso-Sample-Service", 3, where=lambda e: e["Attempt"] > 1)

Fixtures:

``etw_capture(providers, *, replay=None, **filters)``
    A context manager collecting events. On Windows (with a live-session API in this
    build) it starts a real-time session for ``providers`` before the block and stops
    it after; the collected events keep arriving in the background, which is what
    ``timeout=`` waits for. Elsewhere it replays ``replay`` (a recorded trace) with the
    same providers and filters, so the assertions after the block run unchanged; the
    code inside the block still runs, and ``events.live`` tells the two apart. Without
    ``replay`` off Windows the test is skipped, with the reason. ``--etw-replay`` on
    the pytest command line replays on Windows too.
``etw_replay(path, *, providers=None, **filters)``
    The same events interface over a recorded trace, on every OS.

Helpers (plain functions, usable without the fixtures): :func:`expect_event`,
:func:`find_events`, :func:`assert_no_lost_events`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

import pytest

__all__ = [
    "CapturedEvents", "expect_event", "find_events", "assert_no_lost_events",
    "etw_capture", "etw_replay",
]

Where = Union[None, Callable[[Any], bool], Mapping[str, Any]]


class CapturedEvents:
    """Events of a capture or a replay: a growing list (live) or a complete one
    (replay), plus what is known about losses. Iterating gives a snapshot."""

    def __init__(self, *, live: bool, source: Optional[str] = None) -> None:
        self.live = live
        self.source = source
        self._events: List[Any] = []
        self._lock = threading.Condition()
        self._done = not live
        #: Loss counters: events_lost / buffers_lost (logger), lost_flag_buffers,
        #: skipped (damaged places), dropped (live ring overflow).
        self.losses: Dict[str, int] = {}
        self.trace: Any = None

    # list-like access
    def __len__(self) -> int:
        with self._lock:
            return len(self._events)

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            return iter(list(self._events))

    def __getitem__(self, i: Any) -> Any:
        with self._lock:
            return self._events[i]

    def __repr__(self) -> str:
        kind = "live capture" if self.live else f"replay of {self.source}"
        return f"<etw CapturedEvents: {len(self)} events, {kind}>"

    # producers
    def _append(self, ev: Any) -> None:
        with self._lock:
            self._events.append(ev)
            self._lock.notify_all()

    def _finish(self) -> None:
        with self._lock:
            self._done = True
            self._lock.notify_all()

    def _wait_more(self, seen: int, deadline: Optional[float]) -> bool:
        """Waits for events beyond the first ``seen``; False when none can come."""
        with self._lock:
            while len(self._events) <= seen:
                if self._done:
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._lock.wait(0.05 if remaining is None else min(0.05, remaining))
            return True

    # conveniences
    def expect(self, provider: Any, id: Any = None, *, where: Where = None,
               timeout: Optional[float] = None) -> Any:
        """expect_event(self, ...)."""
        return expect_event(self, provider, id, where=where, timeout=timeout)

    def find(self, provider: Any = None, id: Any = None, *, where: Where = None) -> List[Any]:
        """find_events(self, ...)."""
        return find_events(self, provider, id, where=where)

    def assert_no_lost_events(self) -> None:
        """assert_no_lost_events(self)."""
        assert_no_lost_events(self)


# ---------------------------------------------------------------- matching


def _provider_matcher(provider: Any) -> Callable[[Any], bool]:
    if provider is None:
        return lambda ev: True
    if isinstance(provider, uuid.UUID):
        return lambda ev: ev.provider_id == provider
    text = str(provider).strip()
    try:
        from .providers import parse_guid
        g = parse_guid(text)
        return lambda ev: ev.provider_id == g
    except ValueError:
        pass
    from .arrow import resolve_providers
    guids = set(resolve_providers([text]))
    low = text.lower()

    def match(ev: Any) -> bool:
        name = getattr(ev, "provider_name", None)
        return (name is not None and name.lower() == low) or ev.provider_id in guids

    return match


def _id_matcher(id: Any) -> Callable[[Any], bool]:
    if id is None:
        return lambda ev: True
    if isinstance(id, str):
        low = id.lower()
        return lambda ev: (getattr(ev, "name", None) or "").lower() == low
    if isinstance(id, (set, frozenset, list, tuple)):
        ids = set(id)
        return lambda ev: ev.id in ids
    return lambda ev: ev.id == id


def _where_matcher(where: Where) -> Callable[[Any], bool]:
    if where is None:
        return lambda ev: True
    if callable(where):
        def call(ev: Any) -> bool:
            try:
                return bool(where(ev))  # type: ignore[operator]
            except (KeyError, TypeError, ValueError):
                return False
        return call
    expected = dict(where)

    def props(ev: Any) -> bool:
        for k, want in expected.items():
            try:
                got = ev[k]
            except Exception:
                return False
            if callable(want):
                try:
                    if not want(got):
                        return False
                except Exception:
                    return False
                continue
            if got == want:
                continue
            fmt = getattr(ev, "format", None)
            try:
                if fmt is not None and isinstance(want, str) and fmt(k) == want:
                    continue
            except Exception:
                pass
            return False
        return True

    return props


def _events_of(source: Any) -> Iterable[Any]:
    if isinstance(source, CapturedEvents):
        return source
    from . import _etw
    if isinstance(source, _etw.Trace):
        return source
    if isinstance(source, (str, bytes, os.PathLike)):
        import etw
        return etw.open(source)
    return source


def find_events(events_or_trace: Any, provider: Any = None, id: Any = None, *,
                where: Where = None) -> List[Any]:
    """Every event matching provider (name or GUID, None = any), id (an int, a set of
    ints, an event name such as "Process/Start", None = any) and ``where`` (a
    callable ``event -> bool``, or a dict of property name -> expected value, where a
    value may be a callable or the text Windows renders, e.g. a value-map name)."""
    mp, mi, mw = _provider_matcher(provider), _id_matcher(id), _where_matcher(where)
    return [ev for ev in _events_of(events_or_trace) if mp(ev) and mi(ev) and mw(ev)]


def _describe(provider: Any, id: Any, where: Where) -> str:
    what = f"provider {provider!s}"
    if id is not None:
        what += f", event {id!r}"
    if where is not None:
        what += f", where {where!r}" if not callable(where) else \
            f", where {getattr(where, '__name__', 'predicate')}(...)"
    return what


def expect_event(events_or_trace: Any, provider: Any, id: Any = None, *, where: Where = None,
                 timeout: Optional[float] = None) -> Any:
    """The first event matching (see :func:`find_events`); for a live capture, waits up
    to ``timeout`` seconds for it to arrive. Raises AssertionError saying what was seen
    instead (events of that provider and their names/ids) when there is none."""
    mp, mi, mw = _provider_matcher(provider), _id_matcher(id), _where_matcher(where)
    src = _events_of(events_or_trace)
    same_provider: Dict[str, int] = {}
    same_event = 0
    if isinstance(src, CapturedEvents):
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = 0
        while True:
            snapshot = list(src)[seen:]
            for ev in snapshot:
                if mp(ev):
                    if mi(ev):
                        same_event += 1
                        if mw(ev):
                            return ev
                    key = getattr(ev, "name", None) or f"id {ev.id}"
                    same_provider[key] = same_provider.get(key, 0) + 1
            seen += len(snapshot)
            if not src.live or not src._wait_more(seen, deadline):
                break
        total = len(src)
    else:
        total = 0
        for ev in src:
            total += 1
            if mp(ev):
                if mi(ev):
                    same_event += 1
                    if mw(ev):
                        return ev
                key = getattr(ev, "name", None) or f"id {ev.id}"
                same_provider[key] = same_provider.get(key, 0) + 1
    detail = []
    if same_event:
        detail.append(f"{same_event} event(s) of that provider and id did not match `where`")
    if same_provider:
        top = sorted(same_provider.items(), key=lambda kv: -kv[1])[:10]
        detail.append("that provider logged: " + ", ".join(f"{k} x{n}" for k, n in top))
    else:
        detail.append("no event of that provider at all")
    waited = f" within {timeout} s" if timeout is not None and isinstance(src, CapturedEvents) \
        and src.live else ""
    raise AssertionError(f"no event with {_describe(provider, id, where)}{waited} among "
                         f"{total} events; " + "; ".join(detail))


def _trace_losses(trace: Any) -> Dict[str, int]:
    hdr = trace.header
    losses = {"events_lost": int(hdr.get("events_lost") or 0),
              "buffers_lost": int(hdr.get("buffers_lost") or 0)}
    import etw
    try:
        st = etw.scan(trace.path, errors="skip")
    except Exception:
        st = {}
    losses["lost_flag_buffers"] = int(st.get("lost_flag_buffers", 0))
    losses["skipped"] = int(st.get("skipped", 0))
    return losses


def assert_no_lost_events(trace_or_events: Any) -> None:
    """Fails when the trace (or capture) lost events: the logger's EventsLost or
    BuffersLost, buffers flagged EVENTS_LOST/BUFFER_LOST, damaged data skipped, or
    (live) events dropped because the consumer fell behind."""
    if isinstance(trace_or_events, CapturedEvents):
        losses = dict(trace_or_events.losses)
        if trace_or_events.trace is not None and not losses:
            losses = _trace_losses(trace_or_events.trace)
    else:
        import etw
        trace = trace_or_events
        if isinstance(trace, (str, bytes, os.PathLike)):
            trace = etw.open(trace)
        losses = _trace_losses(trace)
    bad = {k: v for k, v in losses.items() if v}
    if bad:
        raise AssertionError("events were lost: " + ", ".join(f"{k}={v}" for k, v in
                                                             sorted(bad.items())))


# ---------------------------------------------------------------- capture and replay


def _replay(path: Any, providers: Optional[Sequence[Any]] = None,
            **filters: Any) -> CapturedEvents:
    import etw
    from .arrow import make_predicate
    if not os.path.exists(os.fspath(path)):
        raise FileNotFoundError(f"recorded trace not found: {os.fspath(path)}")
    trace = etw.open(path)
    keep = make_predicate(trace, providers=providers, **filters)
    events = CapturedEvents(live=False, source=os.fspath(path))
    events.trace = trace
    for ev in trace:
        if keep is None or keep(ev):
            events._events.append(ev)
    events.losses = _trace_losses(trace)
    return events


def _live_api() -> Any:
    """etw.live when this is Windows with a live backend in the build, else None."""
    if sys.platform != "win32":
        return None
    try:
        from . import live
        from . import _etw
    except ImportError:
        return None
    return live if hasattr(_etw, "_live_start") else None


# Events logged just before the block ends are still on their way through ETW's buffers
# (flush timer: 1 s): the capture keeps the session up this long after the block.
LIVE_SETTLE_SECONDS = 1.5


@contextlib.contextmanager
def _live_capture(live: Any, providers: Sequence[Any],
                  **filters: Any) -> Iterator[CapturedEvents]:  # pragma: no cover - Windows
    from .arrow import make_predicate
    keep = make_predicate(None, **filters)
    events = CapturedEvents(live=True)
    name = f"etw-pytest-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    session = live.Session(name, providers=list(providers), flush_timer=1)
    with session:
        consumer = live.Consumer(sessions=[session])

        def pump() -> None:
            try:
                for ev in consumer:
                    if keep is None or keep(ev):
                        events._append(ev)
            finally:
                events._finish()

        th = threading.Thread(target=pump, name=name, daemon=True)
        th.start()
        try:
            yield events
        finally:
            time.sleep(LIVE_SETTLE_SECONDS)
            consumer.stop(timeout=10)
            th.join(timeout=10)
            st = consumer.stats
            events.losses = {k: int(st.get(k, 0)) for k in
                             ("dropped", "events_lost", "realtime_buffers_lost",
                              "log_buffers_lost")}


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("etw")
    group.addoption("--etw-replay", action="store_true", default=False,
                    help="etw_capture replays the recorded trace given as replay= even on "
                         "Windows (no live session)")


@pytest.fixture
def etw_capture(request: Any) -> Callable[..., Any]:
    """``with etw_capture(providers, *, replay=None, **filters) as events:``. Live on
    Windows, a replay of ``replay`` elsewhere (or with --etw-replay); skips the test
    when neither is possible."""
    force_replay = request.config.getoption("--etw-replay", default=False)

    @contextlib.contextmanager
    def capture(providers: Union[str, Sequence[Any]], *, replay: Any = None,
                **filters: Any) -> Iterator[CapturedEvents]:
        if isinstance(providers, (str, uuid.UUID)):
            providers = [providers]
        live = None if force_replay else _live_api()
        if live is not None:  # pragma: no cover - Windows
            with _live_capture(live, providers, **filters) as events:
                yield events
            return
        if replay is None:
            reason = ("etw_capture needs a live ETW session (Windows"
                      + (", and --etw-replay was given" if force_replay else "")
                      + f"; this is {sys.platform}"
                      + (")" if sys.platform != "win32" else ", but this build of etw has "
                         "no live backend)")
                      + "; pass replay='recorded.etl' to run the assertions over a "
                        "recorded trace")
            pytest.skip(reason)
        path = replay
        if not os.path.isabs(os.fspath(path)):
            base = os.path.dirname(str(request.node.fspath))
            candidate = os.path.join(base, os.fspath(path))
            if os.path.exists(candidate):
                path = candidate
        yield _replay(path, providers, **filters)

    return capture


@pytest.fixture
def etw_replay(request: Any) -> Callable[..., Any]:
    """``with etw_replay(path, *, providers=None, **filters) as events:`` on every OS;
    a relative path is looked up beside the test file first."""

    @contextlib.contextmanager
    def replay(path: Any, *, providers: Optional[Sequence[Any]] = None,
               **filters: Any) -> Iterator[CapturedEvents]:
        p = os.fspath(path)
        if not os.path.isabs(p):
            candidate = os.path.join(os.path.dirname(str(request.node.fspath)), p)
            if os.path.exists(candidate):
                p = candidate
        yield _replay(p, providers, **filters)

    return replay
