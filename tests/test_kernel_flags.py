"""NT Kernel Logger flags, kernel class GUIDs, stack-walk CLASSIC_EVENT_IDs and the Windows 11
system providers. Expected values are typed from mingw-w64 evntrace.h, etl-format.md 2.9 and
the Windows SDK evntrace.h, not computed by the code under test."""

import uuid

import pytest

from etw import kernel as k
from etw.kernel import KernelFlag, kernel_flags


def test_kernel_flag_values_match_evntrace_h():
    assert {m.name: int(m) for m in KernelFlag} == {
        "PROCESS": 0x00000001, "THREAD": 0x00000002, "IMAGE_LOAD": 0x00000004,
        "PROCESS_COUNTERS": 0x00000008, "CSWITCH": 0x00000010, "DPC": 0x00000020,
        "INTERRUPT": 0x00000040, "SYSTEMCALL": 0x00000080, "DISK_IO": 0x00000100,
        "DISK_FILE_IO": 0x00000200, "DISK_IO_INIT": 0x00000400, "DISPATCHER": 0x00000800,
        "MEMORY_PAGE_FAULTS": 0x00001000, "MEMORY_HARD_FAULTS": 0x00002000,
        "VIRTUAL_ALLOC": 0x00004000, "VAMAP": 0x00008000, "NETWORK_TCPIP": 0x00010000,
        "REGISTRY": 0x00020000, "DBGPRINT": 0x00040000, "JOB": 0x00080000,
        "ALPC": 0x00100000, "SPLIT_IO": 0x00200000, "DEBUG_EVENTS": 0x00400000,
        "DRIVER": 0x00800000, "PROFILE": 0x01000000, "FILE_IO": 0x02000000,
        "FILE_IO_INIT": 0x04000000, "NO_SYSCONFIG": 0x10000000, "ENABLE_RESERVE": 0x20000000,
        "FORWARD_WMI": 0x40000000, "EXTENSION": 0x80000000,
    }


def test_group_names_any_case():
    assert kernel_flags() == 0
    assert kernel_flags("Process") == 0x1
    assert kernel_flags("PROCESS", "imageload", " Thread ") == 0x7
    assert kernel_flags("DiskFileIo") == 0x02000200
    assert kernel_flags("FileIoVAmap") == 0x8000
    assert kernel_flags("UdpIp") == kernel_flags("TcpIp") == 0x10000
    assert kernel_flags("NoSysConfig") == 0x10000000
    assert kernel_flags("Syscall") == 0x80
    assert isinstance(kernel_flags("Process"), KernelFlag)


@pytest.mark.parametrize("alias, value", [
    ("process", 0x1), ("thread", 0x2), ("img", 0x4), ("proccntr", 0x8), ("cswitch", 0x10),
    ("dpc", 0x20), ("isr", 0x40), ("syscall", 0x80), ("disk", 0x100),
    ("file", 0x02000200), ("diskinit", 0x400), ("dispatcher", 0x800), ("pf", 0x1000),
    ("hf", 0x2000), ("virtalloc", 0x4000), ("net", 0x10000), ("registry", 0x20000),
    ("alpc", 0x100000), ("splitio", 0x200000), ("driver", 0x800000), ("profile", 0x1000000),
    ("fileiocompletion", 0x02000000), ("ISR", 0x40), ("Img", 0x4),
])
def test_logman_aliases(alias, value):
    assert kernel_flags(alias) == value


def test_fileio_clash_resolved_to_group():
    # logman's "fileio" is FILE_IO_INIT, but names ignore case and the group FileIo is
    # FILE_IO; the group wins (documented), FILE_IO_INIT is spelt FileIoInit.
    assert kernel_flags("fileio") == kernel_flags("FileIo") == 0x02000000
    assert kernel_flags("FileIoInit") == kernel_flags("file_io_init") == 0x04000000


def test_kernel_flag_member_names():
    assert kernel_flags("NETWORK_TCPIP", "memory_hard_faults", "Job") == 0x92000
    assert kernel_flags("debug_events") == 0x400000


def test_class_guids_map_to_all_their_flags():
    perfinfo = "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"
    assert kernel_flags(perfinfo) == 0x20 | 0x40 | 0x01000000 | 0x80
    assert kernel_flags("{3D6FA8D4-FE05-11D0-9DDA-00C04FD7BA7C}") == 0x100 | 0x400 | 0x800000
    assert kernel_flags(uuid.UUID("90cbdc39-4a3e-11d1-84f4-0000f80464e3")) == 0x06008200
    assert kernel_flags("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c") == 0x2 | 0x10 | 0x800
    assert kernel_flags("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c") == 0x9
    assert kernel_flags("bf3a50c5-a9c9-4988-a005-2df0b7c80f80") == 0x10000
    with pytest.raises(ValueError):  # enabling the config class must not mean NO_SYSCONFIG
        kernel_flags("01853a65-418f-4f36-aefc-dc0f1d2fd235")


def test_ints_and_errors():
    assert kernel_flags(0x4, "process") == 0x5
    assert kernel_flags(KernelFlag.PROFILE) == 0x01000000
    for bad in ("nope", "", 2 ** 32, -1, True, 1.0, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(ValueError):
            kernel_flags(bad)


def test_all_and_names():
    assert k.ALL == 0x06B7FFFF
    assert not k.ALL & (KernelFlag.PROFILE | KernelFlag.NO_SYSCONFIG)
    assert k.kernel_flag_names() == (
        "ALPC", "DbgPrint", "DiskIo", "DiskIoInit", "Driver", "FileIo", "DiskFileIo",
        "FileIoInit", "FileIoVAmap", "ImageLoad", "MemoryPageFault", "MemoryHardFault",
        "VirtualAlloc", "DPC", "Interrupt", "Profile", "Syscall", "Process",
        "ProcessCounters", "Registry", "SplitIo", "TcpIp", "Thread", "CSwitch", "Dispatcher",
        "UdpIp", "NoSysConfig")
    assert kernel_flags(*k.kernel_flag_names()) == 0x06B7FFFF | 0x01000000 | 0x10000000


def test_constants():
    assert k.KERNEL_LOGGER_NAME == "NT Kernel Logger"
    assert k.SYSTEM_TRACE_CONTROL_GUID == uuid.UUID("9e814aad-3204-11d2-9a82-006008a86939")
    assert k.EVENT_TRACE_GUID == uuid.UUID("68fdd900-4a3e-11d1-84f4-0000f80464e3")
    assert k.TRACE_STACK_TRACING_INFO == 3


def test_kernel_classes():
    assert sorted(k.KERNEL_CLASSES) == list(range(0x1F))
    expect = {
        0x00: ("EventTrace", "68fdd900-4a3e-11d1-84f4-0000f80464e3"),
        0x01: ("DiskIo", "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"),
        0x02: ("PageFault", "3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c"),
        0x03: ("Process", "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"),
        0x04: ("FileIo", "90cbdc39-4a3e-11d1-84f4-0000f80464e3"),
        0x05: ("Thread", "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"),
        0x0B: ("EventTraceConfig", "01853a65-418f-4f36-aefc-dc0f1d2fd235"),
        0x0F: ("PerfInfo", "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"),
        0x14: ("Image", "2cb15d1d-5fc1-11d2-abe1-00a0c911f518"),
        0x18: ("StackWalk", "def2fe46-7bd6-4b80-bd94-f57fe20d0ce3"),
        0x1A: ("ALPC", "45d8cccd-539f-4b72-a8b7-5c683142609a"),
        0x1E: ("HypervisorX", "2ce9a149-effe-42f0-a635-a1d39e26c8f2"),
    }
    for group, (name, guid) in expect.items():
        assert k.KERNEL_CLASSES[group] == (group, name, uuid.UUID(guid))
    assert k.kernel_class("perfinfo").group == 0x0F
    assert k.kernel_class(0x14).name == "Image"
    for bad in (0x1F, -1, "Nope"):
        with pytest.raises(ValueError):
            k.kernel_class(bad)


def test_classic_event_id_bytes():
    # GUID 3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c in Windows layout, then Type, Reserved[7]
    assert k.classic_event_id("Process", 1) == bytes.fromhex(
        "d0a86f3d" "05fe" "d011" "9dda00c04fd7ba7c" "01" "00000000000000")
    assert k.classic_event_id("{2CB15D1D-5FC1-11D2-ABE1-00A0C911F518}", 10) == bytes.fromhex(
        "1d5db12c" "c15f" "d211" "abe100a0c911f518" "0a" "00000000000000")
    assert k.classic_event_id(uuid.UUID("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"), 36) == \
        bytes.fromhex("d1a86f3d05fed0119dda00c04fd7ba7c" "24" "00000000000000")


def test_stack_walk_events():
    buf = k.stack_walk_events(("process", 1), ("Thread", 36))
    assert len(buf) == 48
    assert buf == bytes.fromhex(
        "d0a86f3d05fed0119dda00c04fd7ba7c" "01" "00000000000000"
        "d1a86f3d05fed0119dda00c04fd7ba7c" "24" "00000000000000")
    assert k.stack_walk_events() == b""
    assert len(k.stack_walk_events(*[("Thread", 36)] * 256)) == 256 * 24
    with pytest.raises(ValueError, match="256"):
        k.stack_walk_events(*[("Thread", 36)] * 257)
    for bad in (("Process", 256), ("Process", -1), ("NoSuchClass", 1), ("Process", True)):
        with pytest.raises(ValueError):
            k.classic_event_id(*bad)


def test_system_provider_guids():
    expect = {
        "Alpc": "fcb9baaf-e529-4980-92e9-ced1a6aadfdf",
        "Config": "fef3a8b6-318d-4b67-a96a-3b0f6b8f18fe",
        "Cpu": "c6c5265f-eae8-4650-aae4-9d48603d8510",
        "Hypervisor": "bafa072a-918a-4bed-b622-bc152097098f",
        "Interrupt": "d4bbee17-b545-4888-858b-744169015b25",
        "Io": "3d5c43e3-0f1c-4202-b817-174c0070dc79",
        "IoFilter": "fbd09363-9e22-4661-b8bf-e7a34b535b8c",
        "Lock": "721ddfd3-dacc-4e1e-b26a-a2cb31d4705a",
        "Memory": "82958ca9-b6cd-47f8-a3a8-03ae85a4bc24",
        "Object": "febd7460-3d1d-47eb-af49-c9eeb1e146f2",
        "Power": "c134884a-32d5-4488-80e5-14ed7abb8269",
        "Process": "151f55dc-467d-471f-83b5-5f889d46ff66",
        "Profile": "bfeb0324-1cee-496f-a409-2ac2b48a6322",
        "Registry": "16156bd9-fab4-4cfa-a232-89d1099058e3",
        "Scheduler": "599a2a76-4d91-4910-9ac7-7d33f2e97a6c",
        "Syscall": "434286f7-6f1b-45bb-b37e-95f623046c7c",  # goetw: e4310a25-… (wrong)
        "Timer": "4f061568-e215-499f-ab2e-eda0ae890a5b",    # goetw: 6a399ae0-… (wrong)
    }
    assert {n: str(p.guid) for n, p in k.SYSTEM_PROVIDERS.items()} == expect
    assert k.system_provider("SystemTimerProviderGuid").name == "Timer"
    assert k.system_provider("systemsyscallprovider").guid == uuid.UUID(expect["Syscall"])
    assert k.system_provider(" iofilter ").name == "IoFilter"
    with pytest.raises(ValueError):
        k.system_provider("Network")


def test_system_keywords():
    # a sample of the SDK's #defines, one per provider and the highest bits
    assert k.SYSTEM_ALPC_KW_GENERAL == 0x1
    assert k.SYSTEM_CONFIG_KW_OPTICAL == 0x40
    assert k.SYSTEM_CPU_KW_DOMAIN_CHANGE == 0x8
    assert k.SYSTEM_HYPERVISOR_KW_VTL_CHANGE == 0x4
    assert k.SYSTEM_INTERRUPT_KW_IPI == 0x40
    assert k.SYSTEM_IO_KW_TIMER == 0x800
    assert k.SYSTEM_IO_KW_FILENAME == 0x4
    assert k.SYSTEM_IOFILTER_KW_FAILURE == 0x8
    assert k.SYSTEM_LOCK_KW_SYNC_OBJECTS == 0x4
    assert k.SYSTEM_MEMORY_KW_VAMAP == 0x4000
    assert k.SYSTEM_MEMORY_KW_NONTRADEABLE == 0x8000
    assert k.SYSTEM_OBJECT_KW_HANDLE == 0x2
    assert k.SYSTEM_POWER_KW_PPM_EXIT_LATENCY == 0x10
    assert k.SYSTEM_PROCESS_KW_LOADER == 0x1000
    assert k.SYSTEM_PROCESS_KW_THREAD == 0x800
    assert k.SYSTEM_PROFILE_KW_PMC_PROFILE == 0x2
    assert k.SYSTEM_REGISTRY_KW_NOTIFICATION == 0x4
    assert k.SYSTEM_SCHEDULER_KW_CONTEXT_SWITCH == 0x200
    assert k.SYSTEM_SCHEDULER_KW_AUTOBOOST == 0x10000
    assert k.SYSTEM_SYSCALL_KW_GENERAL == 0x1
    assert k.SYSTEM_TIMER_KW_CLOCK_TIMER == 0x2
    assert sum(len(p.keywords) for p in k.SYSTEM_PROVIDERS.values()) == 102
    assert k.system_keywords("Memory", "vamap", "SYSTEM_MEMORY_KW_HEAP") == 0x4080
    assert k.system_keywords("SystemProcessProviderGuid", "GENERAL", "LOADER") == 0x1001
    with pytest.raises(ValueError):
        k.system_keywords("Memory", "SYSTEM_PROCESS_KW_GENERAL")
    with pytest.raises(ValueError):
        k.system_keywords("Memory", "NOPE")
