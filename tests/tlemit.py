"""A TraceLogging provider of the tests' own, written with ctypes (no compiler needed).

What TraceLoggingProvider.h's TraceLoggingRegister/TraceLoggingWrite do, spelled out:
EventRegister(guid-from-name), EventSetInformation(EventProviderSetTraits, provider
metadata), then EventWriteTransfer with an EVENT_DESCRIPTOR on channel 11 and
EVENT_DATA_DESCRIPTORs: the provider metadata (Type 2), the event metadata (Type 1), then
one descriptor per field value (Type 0). The metadata blobs are those of etlwriter
(the EVENT_SCHEMA_TL / PROV_TRAITS items a consumer receives), so the payload layout is
checked on any OS (tests/test_live_portable.py) and only the four calls need Windows.
"""

from __future__ import annotations

import ctypes
import struct
import sys

from etlwriter import tl_metadata, tl_provider_guid, tl_provider_traits

TLG_IN_ANSISTRING = 2
TLG_IN_UINT32 = 8
WINEVENT_CHANNEL_TRACELOGGING = 11
DESCRIPTOR_TYPE_EVENT_METADATA = 1
DESCRIPTOR_TYPE_PROVIDER_METADATA = 2
EVENT_PROVIDER_SET_TRAITS = 2  # EVENT_INFO_CLASS EventProviderSetTraits


def sample_event(n: int, msg: str):
    """(event metadata, payload) of the tests' event 'Sample' {n: UINT32, msg: ANSISTRING}."""
    meta = tl_metadata("Sample", [("n", TLG_IN_UINT32), ("msg", TLG_IN_ANSISTRING)])
    payload = struct.pack("<I", n) + msg.encode("ascii") + b"\0"
    return meta, payload


class TraceLoggingProvider:
    """A registered TraceLogging provider (Windows only): ``write(n, msg)`` emits 'Sample'."""

    def __init__(self, name: str) -> None:
        if sys.platform != "win32":
            raise OSError("TraceLoggingProvider needs Windows")
        self.name = name
        self.guid = tl_provider_guid(name)
        self.traits = tl_provider_traits(name)
        self._api = ctypes.WinDLL("advapi32")
        self._handle = ctypes.c_uint64(0)
        g = (ctypes.c_ubyte * 16).from_buffer_copy(self.guid.bytes_le)
        self._guid_buf = g
        rc = self._api.EventRegister(ctypes.byref(g), None, None, ctypes.byref(self._handle))
        if rc:
            raise OSError(f"EventRegister failed: {rc}")
        self._traits_buf = ctypes.create_string_buffer(self.traits, len(self.traits))
        rc = self._api.EventSetInformation(self._handle, EVENT_PROVIDER_SET_TRAITS,
                                           self._traits_buf, ctypes.c_ulong(len(self.traits)))
        if rc:
            raise OSError(f"EventSetInformation failed: {rc}")

    def write(self, n: int, msg: str, level: int = 4, keyword: int = 0) -> None:
        meta, payload = sample_event(n, msg)
        parts = [(self.traits, DESCRIPTOR_TYPE_PROVIDER_METADATA),
                 (meta, DESCRIPTOR_TYPE_EVENT_METADATA),
                 (payload[:4], 0), (payload[4:], 0)]
        bufs = [ctypes.create_string_buffer(b, len(b)) for b, _ in parts]
        desc = (ctypes.c_ubyte * (16 * len(parts)))()
        for i, ((b, t), buf) in enumerate(zip(parts, bufs)):
            struct.pack_into("<QIBBH", desc, 16 * i, ctypes.addressof(buf), len(b), t, 0, 0)
        ed = struct.pack("<HBBBBHQ", 0, 0, WINEVENT_CHANNEL_TRACELOGGING, level, 0, 0, keyword)
        ed_buf = ctypes.create_string_buffer(ed, len(ed))
        rc = self._api.EventWriteTransfer(self._handle, ed_buf, None, None,
                                          ctypes.c_ulong(len(parts)), desc)
        if rc:
            raise OSError(f"EventWriteTransfer failed: {rc}")

    def close(self) -> None:
        if self._handle.value:
            self._api.EventUnregister(self._handle)
            self._handle = ctypes.c_uint64(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

