"""The NT Kernel Logger's vocabulary: EnableFlags, kernel event classes, Windows 11 system
providers and their keywords, and the CLASSIC_EVENT_ID list that selects stack walks.

Sources: EVENT_TRACE_FLAG_*, EventTraceGuid, SystemTraceControlGuid and CLASSIC_EVENT_ID are
in mingw-w64 evntrace.h. The class GUIDs by group are etl-format.md 2.9; most of them were
also found in a copy of the WDK's DEFINE_GUID list and in win32metadata. The System*Provider
GUIDs and SYSTEM_*_KW_* keywords come from the Windows SDK evntrace.h (10.0.20348+; mingw-w64
lacks them), matching Microsoft's "System providers" page; goetw has Syscall and Timer wrong.
"""

import enum
import uuid
from typing import Dict, NamedTuple, Tuple, Union

from .providers import parse_guid

KERNEL_LOGGER_NAME = "NT Kernel Logger"
SYSTEM_TRACE_CONTROL_GUID = uuid.UUID("9e814aad-3204-11d2-9a82-006008a86939")
EVENT_TRACE_GUID = uuid.UUID("68fdd900-4a3e-11d1-84f4-0000f80464e3")

# TRACE_INFO_CLASS value for TraceSetInformation/TraceQueryInformation (mingw-w64 evntrace.h).
TRACE_STACK_TRACING_INFO = 3
MAX_STACK_TRACING_EVENTS = 256  # TraceQueryInformation documentation: "limited to 256"


class KernelFlag(enum.IntFlag):
    """EVENT_TRACE_PROPERTIES.EnableFlags for the NT Kernel Logger (EVENT_TRACE_FLAG_*)."""

    PROCESS = 0x00000001
    THREAD = 0x00000002
    IMAGE_LOAD = 0x00000004
    PROCESS_COUNTERS = 0x00000008
    CSWITCH = 0x00000010
    DPC = 0x00000020
    INTERRUPT = 0x00000040
    SYSTEMCALL = 0x00000080
    DISK_IO = 0x00000100
    DISK_FILE_IO = 0x00000200
    DISK_IO_INIT = 0x00000400
    DISPATCHER = 0x00000800
    MEMORY_PAGE_FAULTS = 0x00001000
    MEMORY_HARD_FAULTS = 0x00002000
    VIRTUAL_ALLOC = 0x00004000
    VAMAP = 0x00008000
    NETWORK_TCPIP = 0x00010000
    REGISTRY = 0x00020000
    DBGPRINT = 0x00040000
    JOB = 0x00080000
    ALPC = 0x00100000
    SPLIT_IO = 0x00200000
    DEBUG_EVENTS = 0x00400000
    DRIVER = 0x00800000
    PROFILE = 0x01000000
    FILE_IO = 0x02000000
    FILE_IO_INIT = 0x04000000
    NO_SYSCONFIG = 0x10000000
    ENABLE_RESERVE = 0x20000000
    FORWARD_WMI = 0x40000000
    EXTENSION = 0x80000000


class KernelClass(NamedTuple):
    """A kernel event class: the Group byte of SYSTEM/PERFINFO headers, its name and GUID."""

    group: int
    name: str
    guid: uuid.UUID


def _classes(*rows):
    return {g: KernelClass(g, n, uuid.UUID(s)) for g, n, s in rows}


# etl-format.md 2.9. (Image load, HookId 0x030A, is logged in group 3 but is an Image event.)
KERNEL_CLASSES: Dict[int, KernelClass] = _classes(
    (0x00, "EventTrace", "68fdd900-4a3e-11d1-84f4-0000f80464e3"),
    (0x01, "DiskIo", "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"),
    (0x02, "PageFault", "3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c"),
    (0x03, "Process", "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"),
    (0x04, "FileIo", "90cbdc39-4a3e-11d1-84f4-0000f80464e3"),
    (0x05, "Thread", "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"),
    (0x06, "TcpIp", "9a280ac0-c8e0-11d1-84e2-00c04fb998a2"),
    (0x07, "Job", "3282fc76-feed-498e-8aa7-e70f459d430e"),
    (0x08, "UdpIp", "bf3a50c5-a9c9-4988-a005-2df0b7c80f80"),
    (0x09, "Registry", "ae53722e-c863-11d2-8659-00c04fa321a1"),
    (0x0A, "DbgPrint", "13976d09-a327-438c-950b-7f03192815c7"),
    (0x0B, "EventTraceConfig", "01853a65-418f-4f36-aefc-dc0f1d2fd235"),
    (0x0C, "Spare1", "99134383-5248-43fc-834b-529454e75df3"),
    (0x0D, "Wnf", "42695762-ea50-497a-9068-5cbbb35e0b95"),
    (0x0E, "Pool", "0268a8b6-74fd-4302-9dd0-6e8f1795c0cf"),
    (0x0F, "PerfInfo", "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"),
    (0x10, "Heap", "222962ab-6180-4b88-a825-346b75f2a24a"),
    (0x11, "Object", "89497f50-effe-4440-8cf2-ce6b1cdcaca7"),
    (0x12, "Power", "e43445e0-0903-48c3-b878-ff0fccebdd04"),
    (0x13, "ModBound", "a9152f00-3f58-4bee-92a1-70c7d079d5dd"),
    (0x14, "Image", "2cb15d1d-5fc1-11d2-abe1-00a0c911f518"),
    (0x15, "Dpc", "b2d14872-7c5b-463d-8419-ee9bf7d23e04"),
    (0x16, "Cc", "7687a439-f752-45b8-b741-321aec0f8df9"),
    (0x17, "CritSec", "3ac66736-cc59-4cff-8115-8df50e39816b"),
    (0x18, "StackWalk", "def2fe46-7bd6-4b80-bd94-f57fe20d0ce3"),
    (0x19, "Ums", "9aec974b-5b8e-4118-9b92-3186d8002ce5"),
    (0x1A, "ALPC", "45d8cccd-539f-4b72-a8b7-5c683142609a"),
    (0x1B, "SplitIo", "d837ca92-12b9-44a5-ad6a-3a65b3578aa8"),
    (0x1C, "ThreadPool", "c861d0e2-a2c1-4d36-9f9c-970bab943a12"),
    (0x1D, "Hypervisor", "7f2a405c-69b5-4bf9-a1f5-30e8f1afab5e"),
    (0x1E, "HypervisorX", "2ce9a149-effe-42f0-a635-a1d39e26c8f2"),
)

_CLASS = {c.name: c.guid for c in KERNEL_CLASSES.values()}
F = KernelFlag

# Kernel group names (goetw's table, SEED.md): name -> (flags, class GUID of its events).
_GROUPS: Dict[str, Tuple[KernelFlag, uuid.UUID]] = {
    "ALPC": (F.ALPC, _CLASS["ALPC"]),
    "DbgPrint": (F.DBGPRINT, _CLASS["DbgPrint"]),
    "DiskIo": (F.DISK_IO, _CLASS["DiskIo"]),
    "DiskIoInit": (F.DISK_IO_INIT, _CLASS["DiskIo"]),
    "Driver": (F.DRIVER, _CLASS["DiskIo"]),
    "FileIo": (F.FILE_IO, _CLASS["FileIo"]),
    "DiskFileIo": (F.DISK_FILE_IO | F.FILE_IO, _CLASS["FileIo"]),
    "FileIoInit": (F.FILE_IO_INIT, _CLASS["FileIo"]),
    "FileIoVAmap": (F.VAMAP, _CLASS["FileIo"]),
    "ImageLoad": (F.IMAGE_LOAD, _CLASS["Image"]),
    "MemoryPageFault": (F.MEMORY_PAGE_FAULTS, _CLASS["PageFault"]),
    "MemoryHardFault": (F.MEMORY_HARD_FAULTS, _CLASS["PageFault"]),
    "VirtualAlloc": (F.VIRTUAL_ALLOC, _CLASS["PageFault"]),
    "DPC": (F.DPC, _CLASS["PerfInfo"]),
    "Interrupt": (F.INTERRUPT, _CLASS["PerfInfo"]),
    "Profile": (F.PROFILE, _CLASS["PerfInfo"]),
    "Syscall": (F.SYSTEMCALL, _CLASS["PerfInfo"]),
    "Process": (F.PROCESS, _CLASS["Process"]),
    "ProcessCounters": (F.PROCESS_COUNTERS, _CLASS["Process"]),
    "Registry": (F.REGISTRY, _CLASS["Registry"]),
    "SplitIo": (F.SPLIT_IO, _CLASS["SplitIo"]),
    "TcpIp": (F.NETWORK_TCPIP, _CLASS["TcpIp"]),
    "Thread": (F.THREAD, _CLASS["Thread"]),
    "CSwitch": (F.CSWITCH, _CLASS["Thread"]),
    "Dispatcher": (F.DISPATCHER, _CLASS["Thread"]),
    "UdpIp": (F.NETWORK_TCPIP, _CLASS["UdpIp"]),
    "NoSysConfig": (F.NO_SYSCONFIG, _CLASS["EventTraceConfig"]),
}

# logman's names for the same flags (goetw's table). "fileio" is logman's FILE_IO_INIT, but
# names here ignore case and "FileIo" (the group) means FILE_IO, so the group wins: write
# "FileIoInit" for FILE_IO_INIT. Every other alias agrees with the group of the same name.
_LOGMAN = {
    "process": F.PROCESS, "thread": F.THREAD, "img": F.IMAGE_LOAD,
    "proccntr": F.PROCESS_COUNTERS, "cswitch": F.CSWITCH, "dpc": F.DPC, "isr": F.INTERRUPT,
    "syscall": F.SYSTEMCALL, "disk": F.DISK_IO, "file": F.DISK_FILE_IO | F.FILE_IO,
    "diskinit": F.DISK_IO_INIT, "dispatcher": F.DISPATCHER, "pf": F.MEMORY_PAGE_FAULTS,
    "hf": F.MEMORY_HARD_FAULTS, "virtalloc": F.VIRTUAL_ALLOC, "net": F.NETWORK_TCPIP,
    "registry": F.REGISTRY, "alpc": F.ALPC, "splitio": F.SPLIT_IO, "driver": F.DRIVER,
    "profile": F.PROFILE, "fileiocompletion": F.FILE_IO, "fileio": F.FILE_IO_INIT,
}


def _build_lookup():
    table = {}
    for name, (flags, _) in _GROUPS.items():
        table[name.lower()] = flags
    for member in KernelFlag:
        table.setdefault(member.name.lower(), member)
    for alias, flags in _LOGMAN.items():
        table.setdefault(alias, flags)
    by_guid = {}
    for name, (flags, guid) in _GROUPS.items():
        if name != "NoSysConfig":  # enabling the config class must not suppress config
            by_guid[guid] = by_guid.get(guid, KernelFlag(0)) | flags
    return table, by_guid


_BY_NAME, _BY_GUID = _build_lookup()

# Every group's flags except Profile (needs a privilege) and NoSysConfig, as goetw's All().
ALL = KernelFlag(0)
for _name, (_flags, _guid) in _GROUPS.items():
    if _name not in ("Profile", "NoSysConfig"):
        ALL |= _flags


def kernel_flags(*names: Union[str, int, uuid.UUID]) -> KernelFlag:
    """OR together the EnableFlags for kernel group names, logman aliases or KernelFlag
    member names (any case), kernel class GUIDs (the OR of every group logging that class),
    or plain ints. Raises ValueError for an unknown name or GUID.

    >>> kernel_flags("process", "ImageLoad", "net") == 0x10005
    True
    """
    out = KernelFlag(0)
    for item in names:
        if isinstance(item, int) and not isinstance(item, bool):
            if not 0 <= item <= 0xFFFFFFFF:
                _bad(item)
            out |= KernelFlag(item)
            continue
        if isinstance(item, str) and item.strip().lower() in _BY_NAME:
            out |= _BY_NAME[item.strip().lower()]
            continue
        try:
            out |= _BY_GUID[parse_guid(item)]
        except (ValueError, KeyError, AttributeError, TypeError):
            _bad(item)
    return out


def _bad(item):
    raise ValueError(f"unknown kernel flag name or class GUID: {item!r} (known names: "
                     f"{', '.join(kernel_flag_names())}; logman aliases; KernelFlag names)")


def kernel_flag_names() -> Tuple[str, ...]:
    """The kernel group names accepted by kernel_flags(), in goetw's order."""
    return tuple(_GROUPS)


def kernel_class(group_or_name: Union[int, str]) -> KernelClass:
    """The kernel event class for a Group byte (0x00-0x1E) or a class name (any case)."""
    if type(group_or_name) is int and group_or_name in KERNEL_CLASSES:
        return KERNEL_CLASSES[group_or_name]
    if isinstance(group_or_name, str):
        for c in KERNEL_CLASSES.values():
            if c.name.lower() == group_or_name.strip().lower():
                return c
    raise ValueError(f"unknown kernel event class {group_or_name!r}")


# ---------------------------------------------------------------- stack walk selection

def _is_guid_text(text: str) -> bool:
    try:
        parse_guid(text)
        return True
    except ValueError:
        return False


def classic_event_id(event_class: Union[str, uuid.UUID], opcode: int) -> bytes:
    """One CLASSIC_EVENT_ID (24 bytes: EventGuid, Type u8, Reserved[7]) naming a kernel
    event for stack walking. `event_class` is a KERNEL_CLASSES name ("Process", "Thread",
    "Image", "PerfInfo"…, any case) or a GUID; `opcode` is the event type, 0..255 (e.g.
    ("Thread", 36) is CSwitch, ("Image", 10) image load).
    """
    if isinstance(event_class, str) and not _is_guid_text(event_class):
        guid = kernel_class(event_class).guid
    else:
        guid = parse_guid(event_class)
    if not isinstance(opcode, int) or isinstance(opcode, bool) or not 0 <= opcode <= 0xFF:
        raise ValueError(f"opcode {opcode!r} is not an integer in 0..255")
    return guid.bytes_le + bytes((opcode,)) + bytes(7)


def stack_walk_events(*events: Tuple[Union[str, uuid.UUID], int]) -> bytes:
    """The TraceSetInformation(TraceStackTracingInfo) buffer: CLASSIC_EVENT_IDs for each
    (class, opcode) pair, e.g. stack_walk_events(("Process", 1), ("Thread", 36)).
    Raises ValueError for more than 256 events (the documented limit)."""
    if len(events) > MAX_STACK_TRACING_EVENTS:
        raise ValueError(f"at most {MAX_STACK_TRACING_EVENTS} stack-walk events; "
                         f"got {len(events)}")
    return b"".join(classic_event_id(c, op) for c, op in events)


# ---------------------------------------------------------------- Windows 11 system providers

class SystemProvider(NamedTuple):
    """A Windows 11 system provider (for system-logger sessions): GUID and keywords."""

    name: str
    guid: uuid.UUID
    keywords: Dict[str, int]


# Windows SDK evntrace.h: each provider's SYSTEM_<NAME>_KW_* keywords are consecutive bits from
# 0x1 in this order (checked one by one against the header's #defines).
_SYSTEM_TABLE = (
    ("Alpc", "fcb9baaf-e529-4980-92e9-ced1a6aadfdf", "GENERAL"),
    ("Config", "fef3a8b6-318d-4b67-a96a-3b0f6b8f18fe",
     "SYSTEM GRAPHICS STORAGE NETWORK SERVICES PNP OPTICAL"),
    ("Cpu", "c6c5265f-eae8-4650-aae4-9d48603d8510",
     "CONFIG CACHE_FLUSH SPEC_CONTROL DOMAIN_CHANGE"),
    ("Hypervisor", "bafa072a-918a-4bed-b622-bc152097098f",
     "PROFILE CALLOUTS VTL_CHANGE"),
    ("Interrupt", "d4bbee17-b545-4888-858b-744169015b25",
     "GENERAL CLOCK_INTERRUPT DPC DPC_QUEUE WDF_DPC WDF_INTERRUPT IPI"),
    ("Io", "3d5c43e3-0f1c-4202-b817-174c0070dc79",
     "DISK DISK_INIT FILENAME SPLIT FILE OPTICAL OPTICAL_INIT DRIVERS CC NETWORK FILE_INIT "
     "TIMER"),
    ("IoFilter", "fbd09363-9e22-4661-b8bf-e7a34b535b8c",
     "GENERAL INIT FASTIO FAILURE"),
    ("Lock", "721ddfd3-dacc-4e1e-b26a-a2cb31d4705a",
     "SPINLOCK SPINLOCK_COUNTERS SYNC_OBJECTS"),
    ("Memory", "82958ca9-b6cd-47f8-a3a8-03ae85a4bc24",
     "GENERAL HARD_FAULTS ALL_FAULTS POOL MEMINFO PFSECTION MEMINFO_WS HEAP WS CONTMEM_GEN "
     "VIRTUAL_ALLOC FOOTPRINT SESSION REFSET VAMAP NONTRADEABLE"),
    ("Object", "febd7460-3d1d-47eb-af49-c9eeb1e146f2", "GENERAL HANDLE"),
    ("Power", "c134884a-32d5-4488-80e5-14ed7abb8269",
     "GENERAL HIBER_RUNDOWN PROCESSOR_IDLE IDLE_SELECTION PPM_EXIT_LATENCY"),
    ("Process", "151f55dc-467d-471f-83b5-5f889d46ff66",
     "GENERAL INSWAP FREEZE PERF_COUNTER WAKE_COUNTER WAKE_DROP WAKE_EVENT DEBUG_EVENTS "
     "DBGPRINT JOB WORKER_THREAD THREAD LOADER"),
    ("Profile", "bfeb0324-1cee-496f-a409-2ac2b48a6322", "GENERAL PMC_PROFILE"),
    ("Registry", "16156bd9-fab4-4cfa-a232-89d1099058e3",
     "GENERAL HIVE NOTIFICATION"),
    ("Scheduler", "599a2a76-4d91-4910-9ac7-7d33f2e97a6c",
     "XSCHEDULER DISPATCHER KERNEL_QUEUE SHOULD_YIELD ANTI_STARVATION LOAD_BALANCER "
     "AFFINITY PRIORITY IDEAL_PROCESSOR CONTEXT_SWITCH COMPACT_CSWITCH SCHEDULE_THREAD "
     "READY_QUEUE CPU_PARTITION THREAD_FEEDBACK_READ WORKLOAD_CLASS_UPDATE AUTOBOOST"),
    ("Syscall", "434286f7-6f1b-45bb-b37e-95f623046c7c", "GENERAL"),
    ("Timer", "4f061568-e215-499f-ab2e-eda0ae890a5b", "GENERAL CLOCK_TIMER"),
)

SYSTEM_PROVIDERS: Dict[str, SystemProvider] = {}
for _name, _guid, _kws in _SYSTEM_TABLE:
    _keywords = {k: 1 << i for i, k in enumerate(_kws.split())}
    SYSTEM_PROVIDERS[_name] = SystemProvider(_name, uuid.UUID(_guid), _keywords)
    # Also the SDK's names as module constants, e.g. SYSTEM_PROCESS_KW_GENERAL.
    globals().update({f"SYSTEM_{_name.upper()}_KW_{k}": v for k, v in _keywords.items()})

LAST_BRANCH_RECORD_PROVIDER_GUID = uuid.UUID("99134383-5248-43fc-834b-529454e75df3")


def system_provider(name: str) -> SystemProvider:
    """A system provider by name, any case: 'Process', 'SystemProcessProvider' or
    'SystemProcessProviderGuid'. Raises ValueError if unknown."""
    key = name.strip().lower()
    for suffix in ("providerguid", "provider"):
        if key.startswith("system") and key.endswith(suffix):
            key = key[len("system"):-len(suffix)]
            break
    for p in SYSTEM_PROVIDERS.values():
        if p.name.lower() == key:
            return p
    raise ValueError(f"unknown system provider {name!r} (known: {', '.join(SYSTEM_PROVIDERS)})")


def system_keywords(provider: str, *keywords: str) -> int:
    """OR of a system provider's keywords, named 'GENERAL' or 'SYSTEM_PROCESS_KW_GENERAL'
    (any case). Raises ValueError for an unknown provider or keyword."""
    p = system_provider(provider)
    prefix = f"system_{p.name.lower()}_kw_"
    known = {k.lower(): v for k, v in p.keywords.items()}
    mask = 0
    for kw in keywords:
        key = kw.strip().lower()
        key = key[len(prefix):] if key.startswith(prefix) else key
        if key not in known:
            raise ValueError(f"{p.name} has no keyword {kw!r} (known: {', '.join(p.keywords)})")
        mask |= known[key]
    return mask


del F, _name, _guid, _flags, _kws, _keywords
