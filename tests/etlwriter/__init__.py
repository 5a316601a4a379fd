"""Writer of synthetic ``.etl`` files for exact unit tests.

The bytes follow the on-disk layout Windows uses (see etl-format.md sections 1, 2 and 7):
a header buffer (BufferType 4) whose first record is the SYSTEM32/64 record carrying
TRACE_LOGFILE_HEADER32/64, then per-CPU event buffers of ``buffer_size`` bytes, each a
0x48-byte WMI_BUFFER_HEADER, 8-byte aligned records and a 0xFF fill from ``Offset``@0x30 to
``BufferSize``. With ``write(compress=True)`` the event buffers are MS-XCA Plain LZ77
compressed the way relogged files store them (section 7.1).

Every append method returns a dict with what a reader must report for that record;
``expected_events()`` returns those dicts, completed with their position in the file and
their converted times, in the order a reader must deliver them.

Example::

    w = EtlWriter()
    w.event(0, 1_000_100, uuid.UUID(int=1), id=7, payload=b"\\x01\\0\\0\\0")
    data = w.write(None)
    for exp in w.expected_events():
        ...

This package is test support only: it imports nothing from ``etw``.
"""

import datetime
import hashlib
import heapq
import struct
import uuid

__all__ = [
    "EtlWriter", "guid_bytes", "utf16z", "sid_bytes", "tl_metadata",
    "tl_provider_traits", "tl_provider_guid", "kernel_provider", "align8",
]

# ----------------------------------------------------------------------------- constants

FILETIME_UNIX_EPOCH = 116444736000000000
"""FILETIME of 1970-01-01 00:00:00 UTC."""
DEFAULT_START_FILETIME = 133500000000000000  # 2024-01-21 (arbitrary, fixed)

BUFFER_HEADER_SIZE = 0x48

BUFFER_FLAG_FLUSH_MARKER = 0x0001
BUFFER_FLAG_EVENTS_LOST = 0x0002
BUFFER_FLAG_BUFFER_LOST = 0x0004
BUFFER_FLAG_PROC_INDEX = 0x0020
BUFFER_FLAG_COMPRESSED = 0x0040

BUFFER_TYPE_GENERIC = 0
BUFFER_TYPE_HEADER = 4
BUFFER_STATE_FLUSH = 3

# Header types (byte 2 of a typed header, etl-format.md 2.1).
SYSTEM32, SYSTEM64, COMPACT32, COMPACT64 = 0x01, 0x02, 0x03, 0x04
FULL_HEADER32, INSTANCE32 = 0x0A, 0x0B
MESSAGE = 0x0F
PERFINFO32, PERFINFO64 = 0x10, 0x11
EVENT_HEADER32, EVENT_HEADER64 = 0x12, 0x13
FULL_HEADER64, INSTANCE64 = 0x14, 0x15

# EVENT_HEADER.Flags
EVENT_HEADER_FLAG_EXTENDED_INFO = 0x0001
EVENT_HEADER_FLAG_PRIVATE_SESSION = 0x0002
EVENT_HEADER_FLAG_STRING_ONLY = 0x0004
EVENT_HEADER_FLAG_TRACE_MESSAGE = 0x0008
EVENT_HEADER_FLAG_NO_CPUTIME = 0x0010
EVENT_HEADER_FLAG_32_BIT_HEADER = 0x0020
EVENT_HEADER_FLAG_64_BIT_HEADER = 0x0040
EVENT_HEADER_FLAG_CLASSIC_HEADER = 0x0100
EVENT_HEADER_FLAG_PROCESSOR_INDEX = 0x0200

# Extended item types
EXT_RELATED_ACTIVITYID = 0x0001
EXT_SID = 0x0002
EXT_TS_ID = 0x0003
EXT_INSTANCE_INFO = 0x0004
EXT_STACK_TRACE32 = 0x0005
EXT_STACK_TRACE64 = 0x0006
EXT_PEBS_INDEX = 0x0007
EXT_PMC_COUNTERS = 0x0008
EXT_PSM_KEY = 0x0009
EXT_EVENT_KEY = 0x000A
EXT_EVENT_SCHEMA_TL = 0x000B
EXT_PROV_TRAITS = 0x000C
EXT_PROCESS_START_KEY = 0x000D
EXT_CONTROL_GUID = 0x000E
EXT_QPC_DELTA = 0x000F
EXT_CONTAINER_ID = 0x0010
EXT_STACK_KEY32 = 0x0011
EXT_STACK_KEY64 = 0x0012

# TraceMessage option flags (etl-format.md 2.7)
TRACE_MESSAGE_SEQUENCE = 0x0001
TRACE_MESSAGE_GUID = 0x0002
TRACE_MESSAGE_COMPONENTID = 0x0004
TRACE_MESSAGE_TIMESTAMP = 0x0008
TRACE_MESSAGE_PERFORMANCE_TIMESTAMP = 0x0010
TRACE_MESSAGE_SYSTEMINFO = 0x0020
TRACE_MESSAGE_POINTER32 = 0x0040
TRACE_MESSAGE_POINTER64 = 0x0080

NO_ID = 0xFFFFFFFF
"""ThreadId/ProcessId reported for records that carry none (PERFINFO, WPP without
SYSTEMINFO)."""

EVENT_TRACE_GUID = uuid.UUID("68fdd900-4a3e-11d1-84f4-0000f80464e3")
IMAGE_GUID = uuid.UUID("2cb15d1d-5fc1-11d2-abe1-00a0c911f518")
ZERO_GUID = uuid.UUID(int=0)

KERNEL_GROUP_GUIDS = {
    0x00: EVENT_TRACE_GUID,
    0x01: uuid.UUID("3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"),  # DiskIo
    0x02: uuid.UUID("3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c"),  # PageFault
    0x03: uuid.UUID("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"),  # Process
    0x04: uuid.UUID("90cbdc39-4a3e-11d1-84f4-0000f80464e3"),  # FileIo
    0x05: uuid.UUID("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"),  # Thread
    0x06: uuid.UUID("9a280ac0-c8e0-11d1-84e2-00c04fb998a2"),  # TcpIp
    0x07: uuid.UUID("3282fc76-feed-498e-8aa7-e70f459d430e"),  # Job
    0x08: uuid.UUID("bf3a50c5-a9c9-4988-a005-2df0b7c80f80"),  # UdpIp
    0x09: uuid.UUID("ae53722e-c863-11d2-8659-00c04fa321a1"),  # Registry
    0x0A: uuid.UUID("13976d09-a327-438c-950b-7f03192815c7"),  # DbgPrint
    0x0B: uuid.UUID("01853a65-418f-4f36-aefc-dc0f1d2fd235"),  # Config
    0x0C: uuid.UUID("99134383-5248-43fc-834b-529454e75df3"),  # Spare1
    0x0D: uuid.UUID("42695762-ea50-497a-9068-5cbbb35e0b95"),  # Wnf
    0x0E: uuid.UUID("0268a8b6-74fd-4302-9dd0-6e8f1795c0cf"),  # Pool
    0x0F: uuid.UUID("ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"),  # PerfInfo
    0x10: uuid.UUID("222962ab-6180-4b88-a825-346b75f2a24a"),  # Heap
    0x11: uuid.UUID("89497f50-effe-4440-8cf2-ce6b1cdcaca7"),  # Object
    0x12: uuid.UUID("e43445e0-0903-48c3-b878-ff0fccebdd04"),  # Power
    0x13: uuid.UUID("a9152f00-3f58-4bee-92a1-70c7d079d5dd"),  # ModBound
    0x14: IMAGE_GUID,                                         # Image
    0x15: uuid.UUID("b2d14872-7c5b-463d-8419-ee9bf7d23e04"),  # Dpc
    0x16: uuid.UUID("7687a439-f752-45b8-b741-321aec0f8df9"),  # Cc
    0x17: uuid.UUID("3ac66736-cc59-4cff-8115-8df50e39816b"),  # CritSec
    0x18: uuid.UUID("def2fe46-7bd6-4b80-bd94-f57fe20d0ce3"),  # StackWalk
    0x19: uuid.UUID("9aec974b-5b8e-4118-9b92-3186d8002ce5"),  # Ums
    0x1A: uuid.UUID("45d8cccd-539f-4b72-a8b7-5c683142609a"),  # ALPC
    0x1B: uuid.UUID("d837ca92-12b9-44a5-ad6a-3a65b3578aa8"),  # SplitIo
    0x1C: uuid.UUID("c861d0e2-a2c1-4d36-9f9c-970bab943a12"),  # ThreadPool
    0x1D: uuid.UUID("7f2a405c-69b5-4bf9-a1f5-30e8f1afab5e"),  # Hypervisor
    0x1E: uuid.UUID("2ce9a149-effe-42f0-a635-a1d39e26c8f2"),  # HypervisorX
}

_TL_NAMESPACE = bytes.fromhex("482C2DB2C39047C887F81A15BFC130FB")

_UTC = datetime.timezone.utc
_UNIX_EPOCH_DT = datetime.datetime(1970, 1, 1, tzinfo=_UTC)

# ----------------------------------------------------------------------------- helpers


def align8(n):
    """Round n up to a multiple of 8."""
    return (n + 7) & ~7


def guid_bytes(g):
    """16 bytes of a GUID in Windows layout (Data1/2/3 little-endian). Accepts a
    uuid.UUID, a GUID string, or 16 bytes (returned unchanged)."""
    if isinstance(g, (bytes, bytearray)):
        if len(g) != 16:
            raise ValueError("a GUID is 16 bytes")
        return bytes(g)
    if isinstance(g, str):
        g = uuid.UUID(g)
    return g.bytes_le


def _as_uuid(g):
    if g is None:
        return None
    if isinstance(g, uuid.UUID):
        return g
    if isinstance(g, (bytes, bytearray)):
        return uuid.UUID(bytes_le=bytes(g))
    return uuid.UUID(g)


def utf16z(s):
    """s as UTF-16LE followed by a 2-byte NUL."""
    return s.encode("utf-16-le") + b"\0\0"


def utf8z(s):
    """s as UTF-8 followed by a NUL."""
    return s.encode("utf-8") + b"\0"


def sid_bytes(text):
    """Binary SID for "S-1-5-21-...": Revision u8, SubAuthorityCount u8, 48-bit big-endian
    IdentifierAuthority, then the sub-authorities as u32 LE."""
    parts = text.split("-")
    if len(parts) < 3 or parts[0].upper() != "S":
        raise ValueError("not a SID string: %r" % text)
    revision = int(parts[1])
    authority = int(parts[2], 0)
    subs = [int(p) for p in parts[3:]]
    if len(subs) > 15:
        raise ValueError("a SID has at most 15 sub-authorities")
    return (bytes([revision, len(subs)]) + authority.to_bytes(6, "big")
            + b"".join(struct.pack("<I", s) for s in subs))


def kernel_provider(group, opcode):
    """Class GUID a reader reports for a kernel record of this group/opcode
    (etl-format.md 2.9, including the Process-group Image Load exception)."""
    if group == 0x03 and opcode == 0x0A:
        return IMAGE_GUID
    return KERNEL_GROUP_GUIDS.get(group, ZERO_GUID)


def _tl_tags(tags):
    """TraceLogging tag encoding: 7 bits per byte, most significant first, 0x80 = more."""
    if tags < 0 or tags >= 1 << 28:
        raise ValueError("TraceLogging tags are 28 bits")
    groups = [(tags >> 21) & 0x7F, (tags >> 14) & 0x7F, (tags >> 7) & 0x7F, tags & 0x7F]
    while len(groups) > 1 and groups[-1] == 0:
        groups.pop()
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def tl_metadata(event_name, fields=(), tags=0):
    """TraceLogging event metadata blob (the data of an EVENT_SCHEMA_TL ext item,
    etl-format.md 3a).

    Each field is a tuple ``(name, in_type)`` or ``(name, in_type, out_type)`` or a dict
    with keys ``name``, ``in`` (TlgIn 0..31), optional ``out`` (TlgOut), ``tags`` (field
    tags; forces an OutMeta byte), ``count``: None (scalar), ``"v"`` (VCOUNT, variable
    array) or an int (CCOUNT, constant array of that many), ``custom``: bytes of a custom
    schema (CUSTOM field). A struct is ``(name, 24, member_count)`` followed by its
    members."""
    body = bytearray(_tl_tags(tags))
    body += utf8z(event_name)
    for f in fields:
        if isinstance(f, dict):
            name = f["name"]
            in_type = f["in"]
            out_type = f.get("out")
            ftags = f.get("tags", 0)
            count = f.get("count")
            custom = f.get("custom")
        else:
            name, in_type = f[0], f[1]
            out_type = f[2] if len(f) > 2 else None
            ftags, count, custom = 0, None, None
        if not 0 <= in_type <= 0x1F:
            raise ValueError("TlgIn type is 5 bits")
        in_meta = in_type
        if custom is not None:
            in_meta |= 0x60
        elif count == "v":
            in_meta |= 0x40
        elif count is not None:
            in_meta |= 0x20
        if ftags and out_type is None:
            out_type = 0
        if out_type is not None:
            in_meta |= 0x80
        body += utf8z(name)
        body.append(in_meta)
        if out_type is not None:
            if not 0 <= out_type <= 0x7F:
                raise ValueError("TlgOut type is 7 bits")
            body.append(out_type | (0x80 if ftags else 0))
            if ftags:
                body += _tl_tags(ftags)
        if custom is not None:
            body += struct.pack("<H", len(custom)) + bytes(custom)
        elif count is not None and count != "v":
            body += struct.pack("<H", count)
    size = 2 + len(body)
    if size > 0xFFFF:
        raise ValueError("metadata too large")
    return struct.pack("<H", size) + bytes(body)


def tl_provider_traits(name, traits=()):
    """TraceLogging provider metadata blob (the data of a PROV_TRAITS ext item):
    u16 size, UTF-8Z name, then chunks ``(type, data)`` each stored as u16 ChunkSize
    (including its 3-byte header), u8 type, data. Type 1 = provider group GUID."""
    body = bytearray(utf8z(name))
    for ttype, data in traits:
        if isinstance(data, uuid.UUID):
            data = guid_bytes(data)
        body += struct.pack("<HB", 3 + len(data), ttype) + bytes(data)
    return struct.pack("<H", 2 + len(body)) + bytes(body)


def tl_provider_guid(name):
    """GUID TraceLogging/EventSource derive from a provider name (etl-format.md 3a)."""
    h = hashlib.sha1(_TL_NAMESPACE + name.upper().encode("utf-16-be")).digest()
    b = bytearray(h[:16])
    b[7] = (b[7] & 0x0F) | 0x50
    return uuid.UUID(bytes_le=bytes(b))


def _trunc_div(a, b):
    """Integer division truncating toward zero (C semantics)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _ext_items_bytes(ext):
    """Extended data items as stored after an EVENT_HEADER (etl-format.md 2.5)."""
    out = bytearray()
    n = len(ext)
    for i, (etype, data) in enumerate(ext):
        data = bytes(data)
        if len(data) > 0xFFFF - 8:
            raise ValueError("ext item too large")
        item_size = align8(8 + len(data))
        out += struct.pack("<HHHH", item_size, etype, 1 if i < n - 1 else 0, len(data))
        out += data
        out += b"\0" * (item_size - 8 - len(data))
    return bytes(out)


def _ptr_flag(ptr):
    if ptr == 8:
        return EVENT_HEADER_FLAG_64_BIT_HEADER
    if ptr == 4:
        return EVENT_HEADER_FLAG_32_BIT_HEADER
    raise ValueError("pointer size is 4 or 8")


# ----------------------------------------------------------------------------- buffers


class _Buffer:
    """One buffer being filled: the record bytes after the 0x48-byte header."""

    __slots__ = ("cpu", "data", "records", "sequence", "flush_marker", "last_ts",
                 "is_header", "flush_index")

    def __init__(self, cpu, is_header=False):
        self.cpu = cpu
        self.data = bytearray()
        self.records = []          # (offset in buffer, info dict or None)
        self.sequence = 0
        self.flush_marker = False
        self.last_ts = 0
        self.is_header = is_header
        self.flush_index = -1     # position among flushed event buffers

    def used(self):
        return BUFFER_HEADER_SIZE + len(self.data)


class EtlWriter:
    """Builds a synthetic .etl file record by record.

    Records go to per-CPU buffers; a buffer is flushed (appended to the file's buffer
    list, in flush order) when the next record does not fit, on ``flush(cpu)``, and at
    ``write()`` for every CPU still open (those get the FLUSH_MARKER flag, as buffers
    flushed at session stop do). Pass ``cpu=EtlWriter.HEADER`` to an append method to
    put a record into the header buffer after the logfile-header record.
    """

    HEADER = -1

    def __init__(self, pointer_size=8, buffer_size=0x10000, clock_type=1,
                 perf_freq=10_000_000, start_filetime=DEFAULT_START_FILETIME, cpu_count=4,
                 os_version=(10, 0, 19045), cpu_speed_mhz=3000, logger_name="etwtest",
                 log_file_name=r"C:\t\test.etl", win7=False, log_file_mode=0x1,
                 timezone_bias=0, boot_filetime=None, events_lost=0, buffers_lost=0,
                 timer_resolution=156250, t0=1_000_000, end_filetime=None,
                 logger_id=0x14, header_tid=8, header_pid=4, log_format=None,
                 max_file_size=0, tz_standard_name="Coordinated Universal Time",
                 tz_daylight_name="Coordinated Universal Time", header_kernel_time=0,
                 header_user_time=0, name_slots=(0, 0), tz_standard_date=None,
                 tz_daylight_date=None, tz_daylight_bias=None, header_zero_fill_to=None):
        if pointer_size not in (4, 8):
            raise ValueError("pointer_size is 4 or 8")
        if buffer_size % 8 or buffer_size < 0x400 or buffer_size > 0x1000000:
            raise ValueError("buffer_size must be a multiple of 8 in [0x400, 16 MiB]")
        self.pointer_size = pointer_size
        self.buffer_size = buffer_size
        self.clock_type = clock_type
        self.perf_freq = perf_freq
        self.start_filetime = start_filetime
        self.cpu_count = cpu_count
        self.os_version = tuple(os_version)
        self.cpu_speed_mhz = cpu_speed_mhz
        self.logger_name = logger_name
        self.log_file_name = log_file_name
        self.win7 = win7
        self.log_file_mode = log_file_mode
        self.timezone_bias = timezone_bias
        self.boot_filetime = (start_filetime - 36_000_000_000 if boot_filetime is None
                              else boot_filetime)  # default: one hour before start
        self.events_lost = events_lost
        self.buffers_lost = buffers_lost
        self.timer_resolution = timer_resolution
        self.t0 = t0
        self.end_filetime = end_filetime
        self.logger_id = logger_id
        self.header_tid = header_tid
        self.header_pid = header_pid
        self.log_format = log_format
        self.max_file_size = max_file_size
        self.tz_standard_name = tz_standard_name
        self.tz_daylight_name = tz_daylight_name
        self.header_kernel_time = header_kernel_time
        self.header_user_time = header_user_time
        self.name_slots = tuple(name_slots)
        self.tz_standard_date = tuple(tz_standard_date or (0,) * 8)
        self.tz_daylight_date = tuple(tz_daylight_date or (0,) * 8)
        self.tz_daylight_bias = tz_daylight_bias
        self.header_zero_fill_to = header_zero_fill_to

        self._open = {}            # cpu -> _Buffer
        self._flushed = []         # event buffers in flush order
        self._seq = 0              # buffer sequence counter
        self._order = 0            # insertion counter, kept in dicts as "seq"
        self._header = _Buffer(0, is_header=True)
        hsize = self._logfile_header_size()
        if align8(hsize) + BUFFER_HEADER_SIZE > buffer_size:
            raise ValueError("buffer too small for the logfile header")
        self._header.data += b"\0" * align8(hsize)   # placeholder, built at write()
        self._header_info = self._logfile_header_info(b"")
        self._header.records.append((BUFFER_HEADER_SIZE, self._header_info))
        self._header.last_ts = t0
        self._header_info["cpu"] = 0
        self._layout = None        # result of the last write(): see _build()
        self._dirty = True         # records added since the last _build()
        self.buffers = []          # [(cpu, bytes)] in file order after write()

    # ------------------------------------------------------------------ time

    def _freq(self):
        if self.clock_type == 3:
            return self.cpu_speed_mhz * 1_000_000
        return self.perf_freq

    def filetime(self, ts):
        """FILETIME a reader must report for raw timestamp ts (section 7.6)."""
        if self.clock_type == 2:
            return ts
        f = self._freq()
        if not f:
            return None
        return self.start_filetime + _trunc_div((ts - self.t0) * 10_000_000, f)

    def time_ns(self, ts):
        """Nanoseconds since the Unix epoch a reader must report for raw timestamp ts."""
        if self.clock_type == 2:
            return (ts - FILETIME_UNIX_EPOCH) * 100
        f = self._freq()
        if not f:
            return None
        return ((self.start_filetime - FILETIME_UNIX_EPOCH) * 100
                + _trunc_div((ts - self.t0) * 1_000_000_000, f))

    # ------------------------------------------------------------------ logfile header

    def _logfile_header_size(self):
        fixed = 0x118 if self.pointer_size == 8 else 0x110
        return (0x20 + fixed + len(utf16z(self.logger_name))
                + len(utf16z(self.log_file_name)))

    def _format_version(self, compress):
        if self.log_format is not None:
            return tuple(self.log_format)
        return (2, 0) if compress else (1, 5)

    def _timezone_bytes(self):
        """TIME_ZONE_INFORMATION (0xAC bytes). DaylightBias defaults to -60 when the
        daylight name differs from the standard name, else 0."""
        def name64(s):
            b = s.encode("utf-16-le")[:62]
            return b + b"\0" * (64 - len(b))
        dbias = self.tz_daylight_bias
        if dbias is None:
            dbias = -60 if self.tz_daylight_name != self.tz_standard_name else 0
        return (struct.pack("<i", self.timezone_bias) + name64(self.tz_standard_name)
                + struct.pack("<8H", *self.tz_standard_date) + struct.pack("<i", 0)
                + name64(self.tz_daylight_name) + struct.pack("<8H", *self.tz_daylight_date)
                + struct.pack("<i", dbias))

    def _logfile_header_payload(self, buffers_written, end_filetime, compress):
        major, minor, build = self.os_version
        sub, subminor = self._format_version(compress)
        version = major | (minor << 8) | (sub << 16) | (subminor << 24)
        p = bytearray()
        p += struct.pack("<IIII", self.buffer_size, version, build, self.cpu_count)
        p += struct.pack("<qIIII", end_filetime, self.timer_resolution, self.max_file_size,
                         self.log_file_mode, buffers_written)
        p += struct.pack("<IIII", 1, self.pointer_size, self.events_lost, self.cpu_speed_mhz)
        # LoggerName / LogFileName pointer slots: meaningless in files (Windows leaves
        # small numbers there, e.g. 0xA and 7).
        p += struct.pack("<QQ" if self.pointer_size == 8 else "<II", *self.name_slots)
        tz = self._timezone_bytes()
        assert len(tz) == 0xAC
        p += tz
        p += b"\0" * 4                                   # alignment of the next i64
        p += struct.pack("<qqqII", self.boot_filetime, self.perf_freq, self.start_filetime,
                         self.clock_type, self.buffers_lost)
        assert len(p) == (0x118 if self.pointer_size == 8 else 0x110)
        p += utf16z(self.logger_name) + utf16z(self.log_file_name)
        return bytes(p)

    def _logfile_header_record(self, payload):
        ht = SYSTEM64 if self.pointer_size == 8 else SYSTEM32
        size = 0x20 + len(payload)
        return struct.pack("<HBBHBBIIqII", 2, ht, 0xC0, size, 0, 0, self.header_tid,
                           self.header_pid, self.t0, self.header_kernel_time,
                           self.header_user_time) + payload

    def _logfile_header_info(self, payload):
        ptr = self.pointer_size
        return self._info(
            kind="header", header_type=SYSTEM64 if ptr == 8 else SYSTEM32,
            provider_id=EVENT_TRACE_GUID, version=2, opcode=0, group=0,
            tid=self.header_tid, pid=self.header_pid, ts=self.t0,
            kernel_time=self.header_kernel_time, user_time=self.header_user_time,
            flags=EVENT_HEADER_FLAG_CLASSIC_HEADER | _ptr_flag(ptr), header_flags=2,
            pointer_size=ptr, payload=payload, record=b"")

    # ------------------------------------------------------------------ records

    def _info(self, **kw):
        d = {
            "kind": None, "header_type": None, "provider_id": ZERO_GUID, "id": 0,
            "version": 0, "channel": 0, "level": 0, "opcode": 0, "task": 0, "keyword": 0,
            "group": None, "pid": 0, "tid": 0, "cpu": None, "timestamp": 0,
            "kernel_time": 0, "user_time": 0, "activity_id": None,
            "related_activity_id": None, "flags": 0, "header_flags": 0,
            "event_property": 0, "pointer_size": 8, "payload": b"", "ext": [],
            "size": 0, "record": b"",
        }
        ts = kw.pop("ts")
        d.update(kw)
        d["timestamp"] = ts
        d["size"] = len(d["record"])
        d["seq"] = self._order
        self._order += 1
        return d

    def _append(self, cpu, record, info, ts):
        """Add one record (unpadded bytes) to cpu's current buffer."""
        if len(record) > 0xFFFF:
            raise ValueError("record of %d bytes exceeds the 16-bit Size" % len(record))
        if BUFFER_HEADER_SIZE + align8(len(record)) > self.buffer_size:
            raise ValueError("record of %d bytes cannot fit a %d-byte buffer"
                             % (len(record), self.buffer_size))
        if cpu == self.HEADER:
            buf = self._header
            if buf.used() + align8(len(record)) > self.buffer_size:
                raise ValueError("header buffer is full")
        else:
            if not isinstance(cpu, int) or cpu < 0 or cpu > 0xFFFF:
                raise ValueError("cpu must be 0..65535 or EtlWriter.HEADER")
            if self.win7 and cpu > 0xFF:
                raise ValueError("Windows 7 buffers hold an 8-bit processor number")
            buf = self._open.get(cpu)
            if buf is not None and buf.used() + align8(len(record)) > self.buffer_size:
                self._flush_buffer(buf, marker=False)
                buf = None
            if buf is None:
                buf = self._open[cpu] = _Buffer(cpu)
        self._dirty = True
        offset = buf.used()
        buf.data += record
        buf.data += b"\0" * (align8(len(record)) - len(record))
        buf.records.append((offset, info))
        if ts is not None and not buf.is_header:
            buf.last_ts = ts
        if info is not None:
            info["cpu"] = 0 if buf.is_header else buf.cpu
            return dict(info)
        return None

    def _flush_buffer(self, buf, marker):
        del self._open[buf.cpu]
        self._seq += 1
        buf.sequence = self._seq
        buf.flush_marker = marker
        buf.flush_index = len(self._flushed)
        self._flushed.append(buf)

    def flush(self, cpu):
        """Close cpu's current buffer (if it holds anything); the next record of that
        CPU starts a new buffer."""
        buf = self._open.get(cpu)
        if buf is not None and buf.records:
            self._flush_buffer(buf, marker=True)

    def system(self, cpu, ts, group, type, payload=b"", version=2, tid=0, pid=0,
               kernel_time=0, user_time=0, ptr=8, compact=False, pebs=None, pmc=()):
        """SYSTEM_TRACE_HEADER record (SYSTEM32/64, or COMPACT32/64 without Kernel/User
        time). ``pebs`` (u64) and ``pmc`` (up to 7 u64) become extra data signalled by the
        Version bits, reported as synthetic PEBS_INDEX / PMC_COUNTERS ext items."""
        if compact:
            ht = COMPACT64 if ptr == 8 else COMPACT32
        else:
            ht = SYSTEM64 if ptr == 8 else SYSTEM32
        _ptr_flag(ptr)
        vfield, extras, ext = self._kernel_extras(version, pebs, pmc)
        payload = bytes(payload)
        fixed = 0x18 if compact else 0x20
        size = fixed + len(extras) + len(payload)
        rec = struct.pack("<HBBHBBIIq", vfield, ht, 0xC0, size & 0xFFFF, type, group,
                          tid, pid, ts)
        if not compact:
            rec += struct.pack("<II", kernel_time, user_time)
        rec += extras + payload
        info = self._info(
            kind="kernel", header_type=ht, provider_id=kernel_provider(group, type),
            version=version, opcode=type, group=group, tid=tid, pid=pid, ts=ts,
            kernel_time=0 if compact else kernel_time, user_time=0 if compact else user_time,
            flags=EVENT_HEADER_FLAG_CLASSIC_HEADER | _ptr_flag(ptr), header_flags=vfield,
            pointer_size=ptr, payload=payload, ext=ext, record=rec)
        return self._append(cpu, rec, info, ts)

    @staticmethod
    def _kernel_extras(version, pebs, pmc):
        if not 0 <= version <= 0xFF:
            raise ValueError("kernel header version is 8 bits (flags are set by pebs/pmc)")
        pmc = tuple(pmc)
        if len(pmc) > 7:
            raise ValueError("at most 7 PMC counters")
        vfield = version | (len(pmc) << 8)
        extras = b""
        ext = []
        if pebs is not None:
            vfield |= 0x8000
            extras += struct.pack("<Q", pebs)
            ext.append((EXT_PEBS_INDEX, struct.pack("<Q", pebs)))
        if pmc:
            data = struct.pack("<%dQ" % len(pmc), *pmc)
            extras += data
            ext.append((EXT_PMC_COUNTERS, data))
        return vfield, extras, ext

    def perfinfo(self, cpu, ts, group, type, payload=b"", version=2, ptr=8, pebs=None,
                 pmc=()):
        """PERFINFO_TRACE_HEADER record (no ThreadId/ProcessId: reported as 0xFFFFFFFF)."""
        ht = PERFINFO64 if ptr == 8 else PERFINFO32
        _ptr_flag(ptr)
        vfield, extras, ext = self._kernel_extras(version, pebs, pmc)
        payload = bytes(payload)
        size = 0x10 + len(extras) + len(payload)
        rec = struct.pack("<HBBHBBq", vfield, ht, 0xC0, size & 0xFFFF, type, group, ts)
        rec += extras + payload
        info = self._info(
            kind="kernel", header_type=ht, provider_id=kernel_provider(group, type),
            version=version, opcode=type, group=group, tid=NO_ID, pid=NO_ID, ts=ts,
            flags=EVENT_HEADER_FLAG_CLASSIC_HEADER | _ptr_flag(ptr), header_flags=vfield,
            pointer_size=ptr, payload=payload, ext=ext, record=rec)
        return self._append(cpu, rec, info, ts)

    def classic(self, cpu, ts, guid, type, level=0, version=0, tid=0, pid=0, payload=b"",
                ptr=8, kernel_time=0, user_time=0, instance=None):
        """EVENT_TRACE_HEADER record (FULL_HEADER32/64), or with ``instance=(instance_id,
        parent_instance_id, parent_guid)`` an EVENT_INSTANCE_GUID_HEADER (INSTANCE32/64),
        reported with a synthetic INSTANCE_INFO ext item."""
        _ptr_flag(ptr)
        payload = bytes(payload)
        guid = _as_uuid(guid)
        ext = []
        if instance is None:
            ht = FULL_HEADER64 if ptr == 8 else FULL_HEADER32
            extra = b""
        else:
            ht = INSTANCE64 if ptr == 8 else INSTANCE32
            iid, piid, pguid = instance
            extra = struct.pack("<II", iid, piid) + guid_bytes(_as_uuid(pguid))
            ext.append((EXT_INSTANCE_INFO, extra))
        size = 0x30 + len(extra) + len(payload)
        rec = struct.pack("<HBBBBHIIq", size & 0xFFFF, ht, 0xC0, type, level, version, tid,
                          pid, ts)
        rec += guid_bytes(guid) + struct.pack("<II", kernel_time, user_time) + extra + payload
        info = self._info(
            kind="classic", header_type=ht, provider_id=guid, version=version, opcode=type,
            level=level, tid=tid, pid=pid, ts=ts, kernel_time=kernel_time,
            user_time=user_time, flags=EVENT_HEADER_FLAG_CLASSIC_HEADER | _ptr_flag(ptr),
            pointer_size=ptr, payload=payload, ext=ext, record=rec)
        return self._append(cpu, rec, info, ts)

    def event(self, cpu, ts, provider, id=0, version=0, channel=0, level=4, opcode=0,
              task=0, keyword=0, tid=0, pid=0, activity_id=None, ext=(), payload=b"",
              ptr=8, flags=0, event_property=0, kernel_time=0, user_time=0):
        """EVENT_HEADER record (EVENT_HEADER32/64). ``ext`` is a list of (ExtType, data)
        stored as extended items; EXTENDED_INFO is added to ``flags`` when ext is given.
        The stored Flags are ``flags`` (| 0x1); the reported flags add 32/64_BIT_HEADER."""
        ht = EVENT_HEADER64 if ptr == 8 else EVENT_HEADER32
        ptrflag = _ptr_flag(ptr)
        provider = _as_uuid(provider)
        activity = _as_uuid(activity_id)
        ext = [(t, bytes(d)) for t, d in ext]
        payload = bytes(payload)
        stored_flags = flags | (EVENT_HEADER_FLAG_EXTENDED_INFO if ext else 0)
        ext_bytes = _ext_items_bytes(ext)
        size = 0x50 + len(ext_bytes) + len(payload)
        rec = struct.pack("<HBBHHIIq", size & 0xFFFF, ht, 0xC0, stored_flags, event_property,
                          tid, pid, ts)
        rec += guid_bytes(provider)
        rec += struct.pack("<HBBBBHQII", id, version, channel, level, opcode, task, keyword,
                           kernel_time, user_time)
        rec += guid_bytes(activity or ZERO_GUID)
        rec += ext_bytes + payload
        related = None
        for t, d in ext:
            if t == EXT_RELATED_ACTIVITYID and len(d) == 16:
                related = uuid.UUID(bytes_le=d)
                break
        kind = ("tracelogging" if any(t == EXT_EVENT_SCHEMA_TL for t, _ in ext)
                else "manifest")
        info = self._info(
            kind=kind, header_type=ht, provider_id=provider, id=id, version=version,
            channel=channel, level=level, opcode=opcode, task=task, keyword=keyword,
            tid=tid, pid=pid, ts=ts, kernel_time=kernel_time, user_time=user_time,
            activity_id=activity if activity and activity.int else None,
            related_activity_id=related, flags=stored_flags | ptrflag,
            header_flags=stored_flags, event_property=event_property, pointer_size=ptr,
            payload=payload, ext=ext, record=rec)
        return self._append(cpu, rec, info, ts)

    def wpp(self, cpu, ts, guid, message_number, args=b"", tid=0, pid=0, sequence=None,
            component_id=None, ptr=8):
        """MESSAGE_TRACE_HEADER record (marker 0x90). Option flags as Windows sets them
        for WPP (observed 0xAA): GUID (or COMPONENTID when component_id is given),
        TIMESTAMP, SYSTEMINFO (omitted when tid is None), POINTER64/32; SEQUENCE when
        sequence is given. Items in flag order: sequence, guid|component id, timestamp,
        tid, pid."""
        ptrflag = _ptr_flag(ptr)
        opt = 0
        items = b""
        if sequence is not None:
            opt |= TRACE_MESSAGE_SEQUENCE
            items += struct.pack("<I", sequence)
        if component_id is not None:
            opt |= TRACE_MESSAGE_COMPONENTID
            items += struct.pack("<I", component_id)
            provider = ZERO_GUID
        else:
            provider = _as_uuid(guid)
            opt |= TRACE_MESSAGE_GUID
            items += guid_bytes(provider)
        opt |= TRACE_MESSAGE_TIMESTAMP
        items += struct.pack("<q", ts)
        if tid is not None:
            opt |= TRACE_MESSAGE_SYSTEMINFO
            items += struct.pack("<II", tid, pid)
        else:
            tid = pid = NO_ID
        opt |= TRACE_MESSAGE_POINTER64 if ptr == 8 else TRACE_MESSAGE_POINTER32
        args = bytes(args)
        size = 8 + len(items) + len(args)
        rec = struct.pack("<HBBHH", size & 0xFFFF, 0, 0x90, message_number, opt) + items + args
        info = self._info(
            kind="wpp", header_type=MESSAGE, provider_id=provider, id=message_number,
            tid=tid, pid=pid, ts=ts, flags=EVENT_HEADER_FLAG_TRACE_MESSAGE | ptrflag,
            header_flags=opt, pointer_size=ptr, payload=args, record=rec)
        info["message_number"] = message_number
        info["sequence"] = sequence
        info["component_id"] = component_id
        return self._append(cpu, rec, info, ts)

    def wpp_event(self, cpu, ts, guid, message_number, args=b"", tid=0, pid=0, ptr=8, **kw):
        """WPP message routed through an EVENT_HEADER (EVENT_HEADER32/64 with the
        TRACE_MESSAGE flag): the provider GUID is the message GUID, the event id the
        message number, the payload the arguments. Other keywords go to event()."""
        flags = kw.pop("flags", 0) | EVENT_HEADER_FLAG_TRACE_MESSAGE
        self.event(cpu, ts, guid, id=message_number, tid=tid, pid=pid, payload=args, ptr=ptr,
                   flags=flags, **kw)
        # The record's info as stored (event() returned a copy): a WPP message.
        stored = (self._header if cpu == self.HEADER else self._open[cpu]).records[-1][1]
        stored.update(kind="wpp", message_number=message_number, sequence=None, component_id=None)
        return dict(stored)

    def raw(self, cpu, data):
        """Append arbitrary bytes as a record (padded to 8). Not an expected event."""
        return self._append(cpu, bytes(data), None, None)

    # ------------------------------------------------------------------ file

    def _finalize(self):
        for cpu in sorted(self._open):
            buf = self._open[cpu]
            if buf.records:
                self._flush_buffer(buf, marker=True)
            else:
                del self._open[cpu]

    def _end_filetime(self):
        if self.end_filetime is not None:
            return self.end_filetime
        last = self.t0
        for buf in self._flushed:
            if buf.records:
                last = max(last, buf.last_ts)
        ft = self.filetime(last)
        return ft if ft is not None else 0

    def _context(self, cpu, zero=False):
        if zero:
            return b"\0\0\0\0"
        if self.win7:
            return struct.pack("<BBH", cpu & 0xFF, 8, self.logger_id)
        return struct.pack("<HH", cpu, self.logger_id)

    def _buffer_header(self, size, saved, current, ts, seq, ctx, offset, flags, btype):
        return struct.pack("<IIIiqqQ4sIIHH16s", size, saved, current, 0, ts, seq, 0, ctx,
                           BUFFER_STATE_FLUSH, offset, flags, btype, b"\0" * 16)

    def _header_buffer_bytes(self, buffers_written, compress):
        """The header buffer, with the logfile header built for this file."""
        buf = self._header
        payload = self._logfile_header_payload(buffers_written, self._end_filetime(),
                                               compress)
        rec = self._logfile_header_record(payload)
        body = bytearray(buf.data)
        body[:len(rec)] = rec
        offset = BUFFER_HEADER_SIZE + len(body)
        if compress:
            # As relogged files: small, FLUSH_MARKER only, zero ClientContext,
            # SavedOffset = end of the logfile-header record, CurrentOffset 0.
            size = (offset + 0x1FF) & ~0x1FF
            hdr = self._buffer_header(size, BUFFER_HEADER_SIZE + align8(len(rec)), 0, 0, 0,
                                      self._context(0, zero=True), offset,
                                      BUFFER_FLAG_FLUSH_MARKER, BUFFER_TYPE_HEADER)
        else:
            size = self.buffer_size
            flags = BUFFER_FLAG_FLUSH_MARKER | (0 if self.win7 else BUFFER_FLAG_PROC_INDEX)
            saved = 0 if self.win7 else offset
            hdr = self._buffer_header(size, saved, offset, 0, 0, self._context(0), offset,
                                      flags, BUFFER_TYPE_HEADER)
        zeros = 0
        if self.header_zero_fill_to is not None and not compress:
            # Some Windows 11 header buffers hold zero bytes after Offset (section 7.5).
            zeros = max(0, min(self.header_zero_fill_to, size) - offset)
        return (hdr + bytes(body) + b"\0" * zeros + b"\xff" * (size - offset - zeros),
                payload)

    def _event_buffer_bytes(self, buf, compress):
        body = bytes(buf.data)
        offset = BUFFER_HEADER_SIZE + len(body)
        flags = 0 if self.win7 else BUFFER_FLAG_PROC_INDEX
        if buf.flush_marker:
            flags |= BUFFER_FLAG_FLUSH_MARKER
        if compress:
            from . import lz77  # provided by tests/etlwriter/lz77.py
            comp = lz77.compress(body)
            size = BUFFER_HEADER_SIZE + len(comp)
            hdr = self._buffer_header(size, offset, self.buffer_size + offset, buf.last_ts,
                                      buf.sequence, self._context(buf.cpu), offset,
                                      flags | BUFFER_FLAG_COMPRESSED, BUFFER_TYPE_GENERIC)
            return hdr + comp
        size = self.buffer_size
        hdr = self._buffer_header(size, offset, size + offset, buf.last_ts, buf.sequence,
                                  self._context(buf.cpu), offset, flags, BUFFER_TYPE_GENERIC)
        return hdr + body + b"\xff" * (size - offset)

    def _build(self, compress=False, buffer_order=None):
        self._finalize()
        if buffer_order is None:
            order = list(range(len(self._flushed)))
        else:
            order = [int(i) for i in buffer_order]
            for i in order:
                if not 0 <= i < len(self._flushed):
                    raise ValueError("buffer_order index %d out of range" % i)
        hbytes, payload = self._header_buffer_bytes(1 + len(order), compress)
        self._header_info["payload"] = payload
        self._header_info["timestamp"] = self.t0
        self._header_info["record"] = self._logfile_header_record(payload)
        self._header_info["size"] = len(self._header_info["record"])
        bufs = [(0, hbytes, self._header)]
        for i in order:
            b = self._flushed[i]
            bufs.append((b.cpu, self._event_buffer_bytes(b, compress), b))
        self._layout = {"compress": compress, "order": order, "bufs": bufs}
        self._dirty = False
        return bufs

    def write(self, path=None, compress=False, buffer_order=None):
        """Build the file and return its bytes (also written to ``path`` if given).
        ``buffer_order`` lists indexes (in flush order) of the event buffers to write, in
        file order; omitting or repeating buffers is allowed (BuffersWritten follows).
        Sets ``self.buffers`` to [(cpu, bytes)] in file order (header buffer first)."""
        bufs = self._build(compress, buffer_order)
        self.buffers = [(cpu, data) for cpu, data, _ in bufs]
        data = b"".join(d for _, d in self.buffers)
        if path is not None:
            with open(path, "wb") as f:
                f.write(data)
        return data

    def assemble(self, path=None):
        """Join ``self.buffers`` as they are now (e.g. after a test corrupted one) and
        return the bytes (also written to ``path`` if given)."""
        data = b"".join(bytes(d) for _, d in self.buffers)
        if path is not None:
            with open(path, "wb") as f:
                f.write(data)
        return data

    @property
    def flushed_buffer_count(self):
        """Number of event buffers flushed so far (indexes for buffer_order)."""
        return len(self._flushed)

    def expected_events(self, order="time"):
        """Dicts of every record a reader must report, completed with ``buffer_index``
        (position of the buffer in the file, header buffer = 0), ``buffer_offset``
        (record offset inside its buffer), ``file_offset`` (None in compressed buffers),
        ``filetime``, ``time_ns`` and ``datetime`` (UTC, microseconds truncated).

        order="time": the logfile-header record first, then a k-way merge of all buffers
        by (timestamp, buffer file position, position in buffer) — the same as a stable
        sort when timestamps never decrease inside a buffer. order="file": file order.
        Uses the layout of the last write(); before any write(), that of write(None)."""
        if order not in ("time", "file"):
            raise ValueError("order is 'time' or 'file'")
        lay = self._layout
        if lay is None or self._dirty:
            if lay is not None and lay["order"] != list(range(len(lay["order"]))):
                raise ValueError("records were added after write(buffer_order=...): "
                                 "call write() again")
            self._build(lay["compress"] if lay else False, None)
        lay = self._layout
        per_buffer = []
        file_pos = 0
        for bi, (_cpu, data, buf) in enumerate(lay["bufs"]):
            compressed = lay["compress"] and not buf.is_header
            evs = []
            for off, info in buf.records:
                if info is None:
                    continue
                e = dict(info)
                e["ext"] = list(info["ext"])
                e["buffer_index"] = bi
                e["buffer_offset"] = off
                e["file_offset"] = None if compressed else file_pos + off
                e["filetime"] = self.filetime(e["timestamp"])
                tn = self.time_ns(e["timestamp"])
                e["time_ns"] = tn
                e["datetime"] = (None if tn is None else
                                 _UNIX_EPOCH_DT + datetime.timedelta(microseconds=tn // 1000))
                evs.append(e)
            per_buffer.append(evs)
            file_pos += len(data)
        if order == "file":
            return [e for evs in per_buffer for e in evs]
        header_list = per_buffer[0]
        first = header_list[0]
        streams = [header_list[1:]] + per_buffer[1:]
        out = [first]
        heap = []
        for bi, evs in enumerate(streams):
            if evs:
                heap.append((evs[0]["timestamp"], bi, 0))
        heapq.heapify(heap)
        while heap:
            _, bi, k = heapq.heappop(heap)
            evs = streams[bi]
            out.append(evs[k])
            if k + 1 < len(evs):
                heapq.heappush(heap, (evs[k + 1]["timestamp"], bi, k + 1))
        return out

    def header_fields(self):
        """What a reader's Trace.header must report (raw numbers; the datetimes are the
        *_filetime values converted). Valid after write()."""
        lay = self._layout
        n = len(lay["bufs"]) if lay else 1 + len(self._flushed)
        major, minor, build = self.os_version
        return {
            "logger_name": self.logger_name, "log_file_name": self.log_file_name,
            "pointer_size": self.pointer_size, "cpu_count": self.cpu_count,
            "cpu_speed_mhz": self.cpu_speed_mhz, "perf_freq": self.perf_freq,
            "clock_type": self.clock_type, "timer_resolution": self.timer_resolution,
            "buffer_size": self.buffer_size, "buffers_written": n,
            "events_lost": self.events_lost, "buffers_lost": self.buffers_lost,
            "os_version": "%d.%d.%d" % (major, minor, build),
            "timezone_bias_minutes": self.timezone_bias,
            "log_file_mode": self.log_file_mode, "start_filetime": self.start_filetime,
            "end_filetime": self._end_filetime(), "boot_filetime": self.boot_filetime,
        }
