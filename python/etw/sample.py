"""The sample trace shipped with the package, for trying things out without a trace
of one's own::

    import etw
    with etw.open(etw.sample_path()) as trace:
        for ev in trace:
            ...

``python -m etw stats --sample`` summarises it. It was written by the project's own
synthetic writer (``examples/make_sample_trace.py``): a 10-second session on 4 CPUs,
compressed buffers, about 5,000 events: kernel Process/Thread/Image events, the
TraceLogging provider ``Contoso.Sample.Telemetry`` and the manifest provider
``Contoso-Sample-Service`` whose schemas are injected into the trace (EventMetadata),
so every event decodes on any OS.
"""

from __future__ import annotations

import os

__all__ = ["sample_path", "SAMPLE_PROVIDERS"]

SAMPLE_PROVIDERS = ("MSNT_SystemTrace", "Contoso.Sample.Telemetry", "Contoso-Sample-Service")
"""Provider names found in the sample trace."""


def sample_path() -> str:
    """Path of the sample ``.etl`` file shipped in the package (a real file on disk, also
    when the package was installed from a wheel)."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sample.etl")
    if os.path.isfile(here):
        return here
    # Installed somewhere that is not a plain directory (zip import): extract it once.
    from importlib import resources
    import tempfile

    data = resources.files("etw").joinpath("data/sample.etl").read_bytes()
    out = os.path.join(tempfile.gettempdir(), "etw-sample-%d.etl" % len(data))
    if not os.path.isfile(out) or os.path.getsize(out) != len(data):
        with open(out, "wb") as f:
            f.write(data)
    return out
