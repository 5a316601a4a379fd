/* schema_kernel.c - built-in schemas for the classic kernel (MOF) event
 * classes, for traces that carry no injected schema for them. Field names,
 * order and types follow the kernel MOF classes as Windows' TDH reports them
 * (the Vista MOF of the NT Kernel Logger, "MSNT_SystemTrace", and the
 * Microsoft "*_TypeGroup*" class pages for later versions), with the newer
 * versions' layouts from etl-format.md 3c; task names are the classes'
 * DisplayName and opcode names their EventTypeName, as TDH and WPA show
 * them. MOF types map to TDH in-types as TDH maps them: "pointer" ->
 * POINTER, extension("SizeT") -> SIZET, extension("Sid") -> WBEMSID,
 * extension("IPAddrV4") -> UINT32/IPV4, extension("IPAddrV6") -> 16-byte
 * BINARY/IPV6, extension("Port") -> UINT16/PORT, format("x") -> HEXINT32
 * out-type, char16[n] -> UNICODESTRING of fixed length n, string with
 * format("w") -> UTF-16, without -> ANSI. Pointer sizes always come from
 * the record, so one table serves 32- and 64-bit events.
 * A version not listed uses the closest known one (highest <= it, else the
 * lowest): Windows only ever appends fields, and extra bytes stay leftover. */
#include "schema.h"

#include <string.h>

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* ---- property shorthands ------------------------------------------------ */
#define F(nm, in, out) {.name = (nm), .in_type = (in), .out_type = (out), .count = 1}
#define U8(n) F(n, ETW_IN_UINT8, ETW_OUT_NULL)
#define I8(n) F(n, ETW_IN_INT8, ETW_OUT_NULL)
#define U16(n) F(n, ETW_IN_UINT16, ETW_OUT_NULL)
#define I16(n) F(n, ETW_IN_INT16, ETW_OUT_NULL)
#define U32(n) F(n, ETW_IN_UINT32, ETW_OUT_NULL)
#define X32(n) F(n, ETW_IN_UINT32, ETW_OUT_HEXINT32)
#define I32(n) F(n, ETW_IN_INT32, ETW_OUT_NULL)
#define U64(n) F(n, ETW_IN_UINT64, ETW_OUT_NULL)
#define X64(n) F(n, ETW_IN_UINT64, ETW_OUT_HEXINT64)
#define I64(n) F(n, ETW_IN_INT64, ETW_OUT_NULL)
#define PTR(n) F(n, ETW_IN_POINTER, ETW_OUT_HEXINT64)
#define SZT(n) F(n, ETW_IN_SIZET, ETW_OUT_NULL)
#define WSTR(n) F(n, ETW_IN_UNICODESTRING, ETW_OUT_NULL)
#define ASTR(n) F(n, ETW_IN_ANSISTRING, ETW_OUT_NULL)
#define SID(n) F(n, ETW_IN_WBEMSID, ETW_OUT_NULL)
#define GUIDF(n) F(n, ETW_IN_GUID, ETW_OUT_NULL)
#define IPV4(n) F(n, ETW_IN_UINT32, ETW_OUT_IPV4)
#define PORT(n) F(n, ETW_IN_UINT16, ETW_OUT_PORT)
#define IPV6(n)                                                                        \
    {.name = (n), .in_type = ETW_IN_BINARY, .out_type = ETW_OUT_IPV6, .count = 1,      \
     .length = 16, .flags = ETW_PROP_FIXED_LENGTH}
#define WCHARS(n, len)                                                                 \
    {.name = (n), .in_type = ETW_IN_UNICODESTRING, .count = 1, .length = (len),        \
     .flags = ETW_PROP_FIXED_LENGTH}
#define BYTES(n, len, out)                                                             \
    {.name = (n), .in_type = ETW_IN_BINARY, .out_type = (out), .count = 1,             \
     .length = (len), .flags = ETW_PROP_FIXED_LENGTH}
#define WSTR_OPT(n)                                                                    \
    {.name = (n), .in_type = ETW_IN_UNICODESTRING, .count = 1, .flags = ETW_PROP_OPTIONAL}
/* Array of count elements, count = value of top-level property ci (WmiSizeIs). */
#define ARR_N(n, in, ci)                                                               \
    {.name = (n), .in_type = (in), .count = (ci),                                      \
     .flags = ETW_PROP_PARAM_COUNT | ETW_PROP_ARRAY}
#define PTRS_REST(n)                                                                   \
    {.name = (n), .in_type = ETW_IN_POINTER, .out_type = ETW_OUT_HEXINT64,             \
     .flags = ETW_PROP_REST_COUNT | ETW_PROP_ARRAY}

/* ---- class GUIDs (etl-format.md 2.9, 2.8) -------------------------------- */
#define G_EVENTTRACE {0x68fdd900, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}}
#define G_DISKIO {0x3d6fa8d4, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}
#define G_PAGEFAULT {0x3d6fa8d3, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}
#define G_PROCESS {0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}
#define G_FILEIO {0x90cbdc39, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}}
#define G_THREAD {0x3d6fa8d1, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}}
#define G_TCPIP {0x9a280ac0, 0xc8e0, 0x11d1, {0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2}}
#define G_UDPIP {0xbf3a50c5, 0xa9c9, 0x4988, {0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80}}
#define G_REGISTRY {0xae53722e, 0xc863, 0x11d2, {0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1}}
#define G_PERFINFO {0xce1dbfb4, 0x137e, 0x4da6, {0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc}}
#define G_IMAGE {0x2cb15d1d, 0x5fc1, 0x11d2, {0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18}}
#define G_STACKWALK {0xdef2fe46, 0x7bd6, 0x4b80, {0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3}}
#define G_ALPC {0x45d8cccd, 0x539f, 0x4b72, {0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a}}
#define G_SYSCONFIG {0x01853a65, 0x418f, 0x4f36, {0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35}}
#define G_LOSTEVENT {0x6a399ae0, 0x4bc6, 0x4de9, {0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e}}

/* Classic classes KernelTraceControl (xperf / WPR merge) writes. */
#define G_IMAGEID {0xb3e675d7, 0x2554, 0x4f18, {0x83, 0x0b, 0x27, 0x62, 0x73, 0x25, 0x60, 0xde}}
#define G_SYSCONFIGEX {0x9b79ee91, 0xb5fd, 0x41c0, {0xa2, 0x43, 0x42, 0x48, 0xe2, 0x66, 0xe9, 0xd0}}

#define PROVIDER "MSNT_SystemTrace"
#define PROVIDER_KTC "KernelTraceControl"

/* One schema: class, opcode, first version it applies to, names, props. */
#define KS(cls, task, op, ver, opname, pa)                                          \
    {.provider_id = cls, .event_guid = cls, .opcode = (op), .version = (ver),          \
     .source = ETW_SRC_KERNEL, .key_kind = ETW_KEY_CLASSIC, .decoding_source = 1,      \
     .prop_count = (uint16_t)N_(pa), .top_count = (uint16_t)N_(pa), .props = (pa),     \
     .provider_name = PROVIDER, .task_name = (task),                                   \
     .opcode_name = (opname)}
/* Same for a class of another provider (KernelTraceControl). */
#define KSP(prov, cls, task, op, ver, opname, pa)                                      \
    {.provider_id = cls, .event_guid = cls, .opcode = (op), .version = (ver),          \
     .source = ETW_SRC_KERNEL, .key_kind = ETW_KEY_CLASSIC, .decoding_source = 1,      \
     .prop_count = (uint16_t)N_(pa), .top_count = (uint16_t)N_(pa), .props = (pa),     \
     .provider_name = (prov), .task_name = (task), .opcode_name = (opname)}
/* A schema without properties (the event has no payload). */
#define KS0(cls, task, op, ver, opname)                                                \
    {.provider_id = cls, .event_guid = cls, .opcode = (op), .version = (ver),          \
     .source = ETW_SRC_KERNEL, .key_kind = ETW_KEY_CLASSIC, .decoding_source = 1,      \
     .provider_name = PROVIDER, .task_name = (task), .opcode_name = (opname)}

/* ======================= EventTrace (group 0) ============================ */
static const etw_prop et_header[] = {
    U32("BufferSize"), U32("Version"), U32("ProviderVersion"), U32("NumberOfProcessors"),
    U64("EndTime"), U32("TimerResolution"), U32("MaxFileSize"), X32("LogFileMode"),
    U32("BuffersWritten"), U32("StartBuffers"), U32("PointerSize"), U32("EventsLost"),
    U32("CPUSpeed"), PTR("LoggerName"), PTR("LogFileName"),
    BYTES("TimeZoneInformation", 176, ETW_OUT_NOPRINT), U64("BootTime"), U64("PerfFreq"),
    U64("StartTime"), X32("ReservedFlags"), U32("BuffersLost"), WSTR("SessionNameString"),
    WSTR("LogFileNameString")};
static const etw_prop et_extension[] = {
    X32("GroupMask1"), X32("GroupMask2"), X32("GroupMask3"), X32("GroupMask4"),
    X32("GroupMask5"), X32("GroupMask6"), X32("GroupMask7"), X32("GroupMask8"),
    X32("KernelEventVersion")};
/* Observed shapes (corpus): DbgID_RSDS = GUID + age + PDB path; BuildInfo =
 * the build lab string. */
static const etw_prop et_rsds[] = {GUIDF("GuidSig"), U32("Age"), ASTR("PdbFileName")};
static const etw_prop et_buildinfo[] = {ASTR("BuildLab")};
/* Header_PartitionInfoExtension_TypeGroup (opcode 80). The MOF also has a
 * "V2" class with two UTF-16 strings instead of the GUIDs, but the version 2
 * events of the corpus are 48 bytes with EventVersion 0: the GUID layout. */
static const etw_prop et_partinfo[] = {U16("EventVersion"), U16("Reserved"), U32("PartitionType"),
                                       I64("QpcOffsetFromRoot"), GUIDF("PartitionId"),
                                       GUIDF("ParentId")};
/* Header_LastDroppedTimes_TypeGroup (opcode 82): TimeStampCount QPC times. */
static const etw_prop et_lastdropped[] = {U32("TimeStampCount"), U32("Padding"),
                                          ARR_N("TimeStamp", ETW_IN_UINT64, 0)};

/* ========================== Process (group 3) ============================ */
static const etw_prop proc_v0[] = {PTR("ProcessId"), PTR("ParentId"), SID("UserSID"),
                                   ASTR("ImageFileName")};
static const etw_prop proc_v1[] = {PTR("PageDirectoryBase"), X32("ProcessId"), X32("ParentId"),
                                   U32("SessionId"), I32("ExitStatus"), SID("UserSID"),
                                   ASTR("ImageFileName")};
static const etw_prop proc_v2[] = {PTR("UniqueProcessKey"), X32("ProcessId"), X32("ParentId"),
                                   U32("SessionId"), I32("ExitStatus"), SID("UserSID"),
                                   ASTR("ImageFileName"), WSTR("CommandLine")};
static const etw_prop proc_v3[] = {PTR("UniqueProcessKey"), X32("ProcessId"), X32("ParentId"),
                                   U32("SessionId"), I32("ExitStatus"),
                                   PTR("DirectoryTableBase"), SID("UserSID"),
                                   ASTR("ImageFileName"), WSTR("CommandLine")};
static const etw_prop proc_v4[] = {PTR("UniqueProcessKey"), X32("ProcessId"), X32("ParentId"),
                                   U32("SessionId"), I32("ExitStatus"),
                                   PTR("DirectoryTableBase"), X32("Flags"), SID("UserSID"),
                                   ASTR("ImageFileName"), WSTR("CommandLine"),
                                   WSTR("PackageFullName"), WSTR("ApplicationId")};
static const etw_prop proc_v5_defunct[] = {
    PTR("UniqueProcessKey"), X32("ProcessId"), X32("ParentId"), U32("SessionId"),
    I32("ExitStatus"), PTR("DirectoryTableBase"), X32("Flags"), SID("UserSID"),
    ASTR("ImageFileName"), WSTR("CommandLine"), WSTR("PackageFullName"), WSTR("ApplicationId"),
    F("ExitTime", ETW_IN_FILETIME, ETW_OUT_NULL)};
static const etw_prop proc_terminate[] = {X32("ProcessId")};
static const etw_prop proc_perfctr[] = {
    X32("ProcessId"), U32("PageFaultCount"), U32("HandleCount"), U32("Reserved"),
    SZT("PeakVirtualSize"), SZT("PeakWorkingSetSize"), SZT("PeakPagefileUsage"),
    SZT("QuotaPeakPagedPoolUsage"), SZT("QuotaPeakNonPagedPoolUsage"), SZT("VirtualSize"),
    SZT("WorkingSetSize"), SZT("PagefileUsage"), SZT("QuotaPagedPoolUsage"),
    SZT("QuotaNonPagedPoolUsage"), SZT("PrivatePageCount")};

/* ========================== Thread (group 5) ============================= */
static const etw_prop thr_v0[] = {X32("TThreadId"), X32("ProcessId")};
static const etw_prop thr_v1_start[] = {X32("ProcessId"), X32("TThreadId"), PTR("StackBase"),
                                        PTR("StackLimit"), PTR("UserStackBase"),
                                        PTR("UserStackLimit"), PTR("StartAddr"),
                                        PTR("Win32StartAddr"), I8("WaitMode")};
static const etw_prop thr_v1_end[] = {X32("ProcessId"), X32("TThreadId")};
static const etw_prop thr_v2[] = {X32("ProcessId"), X32("TThreadId"), PTR("StackBase"),
                                  PTR("StackLimit"), PTR("UserStackBase"), PTR("UserStackLimit"),
                                  PTR("StartAddr"), PTR("Win32StartAddr"), PTR("TebBase"),
                                  X32("SubProcessTag")};
/* Thread_V3_TypeGroup1; Windows 10 appends ThreadName (absent on older builds). */
static const etw_prop thr_v3[] = {X32("ProcessId"), X32("TThreadId"), PTR("StackBase"),
                                  PTR("StackLimit"), PTR("UserStackBase"), PTR("UserStackLimit"),
                                  PTR("Affinity"), PTR("Win32StartAddr"), PTR("TebBase"),
                                  X32("SubProcessTag"), U8("BasePriority"), U8("PagePriority"),
                                  U8("IoPriority"), U8("ThreadFlags"), WSTR_OPT("ThreadName")};
static const etw_prop thr_cswitch_v1[] = {
    X32("NewThreadId"), X32("OldThreadId"), I8("NewThreadPriority"), I8("OldThreadPriority"),
    I8("NewThreadQuantum"), I8("OldThreadQuantum"), I8("OldThreadWaitReason"),
    I8("OldThreadWaitMode"), I8("OldThreadState"), I8("OldThreadWaitIdealProcessor"),
    X32("NewThreadWaitTime")};
static const etw_prop thr_cswitch[] = {
    X32("NewThreadId"), X32("OldThreadId"), I8("NewThreadPriority"), I8("OldThreadPriority"),
    U8("PreviousCState"), I8("SpareByte"), I8("OldThreadWaitReason"), I8("OldThreadWaitMode"),
    I8("OldThreadState"), I8("OldThreadWaitIdealProcessor"), X32("NewThreadWaitTime"),
    U32("Reserved")};
static const etw_prop thr_worker[] = {X32("TThreadId"), U64("StartTime"), PTR("ThreadRoutine")};
static const etw_prop thr_ready[] = {X32("TThreadId"), I8("AdjustReason"), I8("AdjustIncrement"),
                                     I8("Flag"), I8("Reserved")};
static const etw_prop thr_setname[] = {X32("ProcessId"), X32("TThreadId"), WSTR("ThreadName")};

/* ========================== Image (group 0x14, and 3/10) ================= */
static const etw_prop img_v0[] = {PTR("BaseAddress"), U32("ModuleSize"), WSTR("ImageFileName")};
static const etw_prop img_v1[] = {PTR("ImageBase"), PTR("ImageSize"), U32("ProcessId"),
                                  WSTR("FileName")};
static const etw_prop img_v2[] = {PTR("ImageBase"), PTR("ImageSize"), U32("ProcessId"),
                                  U32("ImageChecksum"), U32("TimeDateStamp"), U32("Reserved0"),
                                  PTR("DefaultBase"), U32("Reserved1"), U32("Reserved2"),
                                  U32("Reserved3"), U32("Reserved4"), WSTR("FileName")};
static const etw_prop img_v3[] = {PTR("ImageBase"), PTR("ImageSize"), U32("ProcessId"),
                                  U32("ImageChecksum"), U32("TimeDateStamp"),
                                  U8("SignatureLevel"), U8("SignatureType"), U16("Reserved0"),
                                  PTR("DefaultBase"), U32("Reserved1"), U32("Reserved2"),
                                  U32("Reserved3"), U32("Reserved4"), WSTR("FileName")};
static const etw_prop img_kernelbase[] = {PTR("ImageBase")};
/* HypercallPage (opcode 34): the hypervisor's hypercall page address. */
static const etw_prop img_hypercall[] = {PTR("HypercallPageVa")};

/* ========================== DiskIo (group 1) ============================= */
static const etw_prop disk_rw_v2[] = {U32("DiskNumber"), X32("IrpFlags"), U32("TransferSize"),
                                      U32("Reserved"), U64("ByteOffset"), PTR("FileObject"),
                                      PTR("Irp"), U64("HighResResponseTime")};
static const etw_prop disk_rw_v3[] = {U32("DiskNumber"), X32("IrpFlags"), U32("TransferSize"),
                                      U32("Reserved"), U64("ByteOffset"), PTR("FileObject"),
                                      PTR("Irp"), U64("HighResResponseTime"),
                                      U32("IssuingThreadId")};
static const etw_prop disk_init_v2[] = {PTR("Irp")};
static const etw_prop disk_init_v3[] = {PTR("Irp"), U32("IssuingThreadId")};
static const etw_prop disk_flush_v2[] = {U32("DiskNumber"), X32("IrpFlags"),
                                         U64("HighResResponseTime"), PTR("Irp")};
static const etw_prop disk_flush_v3[] = {U32("DiskNumber"), X32("IrpFlags"),
                                         U64("HighResResponseTime"), PTR("Irp"),
                                         U32("IssuingThreadId")};

/* ========================== FileIo (group 4) ============================= */
static const etw_prop fio_name[] = {PTR("FileObject"), WSTR("FileName")};
static const etw_prop fio_create_v2[] = {PTR("IrpPtr"), PTR("TTID"), PTR("FileObject"),
                                         U32("CreateOptions"), U32("FileAttributes"),
                                         U32("ShareAccess"), WSTR("OpenPath")};
static const etw_prop fio_create_v3[] = {PTR("IrpPtr"), PTR("FileObject"), U32("TTID"),
                                         U32("CreateOptions"), U32("FileAttributes"),
                                         U32("ShareAccess"), WSTR("OpenPath")};
static const etw_prop fio_simple_v2[] = {PTR("IrpPtr"), PTR("TTID"), PTR("FileObject"),
                                         PTR("FileKey")};
static const etw_prop fio_simple_v3[] = {PTR("IrpPtr"), PTR("FileObject"), PTR("FileKey"),
                                         U32("TTID")};
static const etw_prop fio_rw_v2[] = {U64("Offset"), PTR("IrpPtr"), PTR("TTID"), PTR("FileObject"),
                                     PTR("FileKey"), U32("IoSize"), U32("IoFlags")};
static const etw_prop fio_rw_v3[] = {U64("Offset"), PTR("IrpPtr"), PTR("FileObject"),
                                     PTR("FileKey"), U32("TTID"), U32("IoSize"), U32("IoFlags")};
static const etw_prop fio_info_v2[] = {PTR("IrpPtr"), PTR("TTID"), PTR("FileObject"),
                                       PTR("FileKey"), PTR("ExtraInfo"), U32("InfoClass")};
static const etw_prop fio_info_v3[] = {PTR("IrpPtr"), PTR("FileObject"), PTR("FileKey"),
                                       PTR("ExtraInfo"), U32("TTID"), U32("InfoClass")};
static const etw_prop fio_dir_v2[] = {PTR("IrpPtr"), PTR("TTID"), PTR("FileObject"),
                                      PTR("FileKey"), U32("Length"), U32("InfoClass"),
                                      U32("FileIndex"), WSTR("FileName")};
static const etw_prop fio_dir_v3[] = {PTR("IrpPtr"), PTR("FileObject"), PTR("FileKey"),
                                      U32("TTID"), U32("Length"), U32("InfoClass"),
                                      U32("FileIndex"), WSTR("FileName")};
static const etw_prop fio_opend[] = {PTR("IrpPtr"), PTR("ExtraInfo"), U32("NtStatus")};

/* ========================== TcpIp (6) / UdpIp (8), version 2 ============= */
static const etw_prop tcp_send4[] = {U32("PID"), U32("size"), IPV4("daddr"), IPV4("saddr"),
                                     PORT("dport"), PORT("sport"), U32("startime"),
                                     U32("endtime"), U32("seqnum"), PTR("connid")};
static const etw_prop tcp_gen4[] = {U32("PID"), U32("size"), IPV4("daddr"), IPV4("saddr"),
                                    PORT("dport"), PORT("sport"), U32("seqnum"), PTR("connid")};
static const etw_prop tcp_conn4[] = {U32("PID"), U32("size"), IPV4("daddr"), IPV4("saddr"),
                                     PORT("dport"), PORT("sport"), U16("mss"), U16("sackopt"),
                                     U16("tsopt"), U16("wsopt"), U32("rcvwin"),
                                     I16("rcvwinscale"), I16("sndwinscale"), U32("seqnum"),
                                     PTR("connid")};
static const etw_prop tcp_send6[] = {U32("PID"), U32("size"), IPV6("daddr"), IPV6("saddr"),
                                     PORT("dport"), PORT("sport"), U32("startime"),
                                     U32("endtime"), U32("seqnum"), PTR("connid")};
static const etw_prop tcp_gen6[] = {U32("PID"), U32("size"), IPV6("daddr"), IPV6("saddr"),
                                    PORT("dport"), PORT("sport"), U32("seqnum"), PTR("connid")};
static const etw_prop tcp_conn6[] = {U32("PID"), U32("size"), IPV6("daddr"), IPV6("saddr"),
                                     PORT("dport"), PORT("sport"), U16("mss"), U16("sackopt"),
                                     U16("tsopt"), U16("wsopt"), U32("rcvwin"),
                                     I16("rcvwinscale"), I16("sndwinscale"), U32("seqnum"),
                                     PTR("connid")};
static const etw_prop tcp_fail[] = {U16("Proto"), U16("FailureCode")};

/* ========================== Registry (group 9) =========================== */
static const etw_prop reg_v0[] = {PTR("Status"), PTR("KeyHandle"), I64("ElapsedTime"),
                                  WSTR("KeyName")};
static const etw_prop reg_v1[] = {PTR("Status"), PTR("KeyHandle"), I64("ElapsedTime"),
                                  U32("Index"), WSTR("KeyName")};
static const etw_prop reg_v2[] = {I64("InitialTime"), U32("Status"), U32("Index"),
                                  PTR("KeyHandle"), WSTR("KeyName")};

/* ========================== PageFault (group 2) ========================== */
static const etw_prop pf_group1[] = {PTR("VirtualAddress"), PTR("ProgramCounter")};
static const etw_prop pf_hard[] = {U64("InitialTime"), X64("ReadOffset"), PTR("VirtualAddress"),
                                   PTR("FileObject"), X32("TThreadId"), U32("ByteCount")};
static const etw_prop pf_imgbacked[] = {PTR("FileObject"), X32("DeviceChar"), F("FileChar", ETW_IN_UINT16, ETW_OUT_HEXINT16),
                                        F("LoadFlags", ETW_IN_UINT16, ETW_OUT_HEXINT16)};

/* ========================== PerfInfo (group 0x0F) ======================== */
static const etw_prop pi_sample[] = {PTR("InstructionPointer"), U32("ThreadId"), U32("Count")};
static const etw_prop pi_interval_v2[] = {U32("Source"), U32("NewInterval"), U32("OldInterval")};
static const etw_prop pi_interval_v3[] = {U32("Source"), U32("NewInterval"), U32("OldInterval"),
                                          WSTR("SourceName")};
static const etw_prop pi_sysenter[] = {PTR("SysCallAddress")};
static const etw_prop pi_sysexit[] = {X32("SysCallNtStatus")};
static const etw_prop pi_isr_v1[] = {U64("InitialTime"), PTR("Routine"), U32("ReturnValue")};
static const etw_prop pi_isr[] = {U64("InitialTime"), PTR("Routine"), U8("ReturnValue"),
                                  U8("Vector"), U16("Reserved")};
static const etw_prop pi_dpc[] = {U64("InitialTime"), PTR("Routine")};
/* Mark_V0 (opcode 34): an ANSI message. The MOF appends a char16 Padding
 * that the events of the corpus do not carry. */
static const etw_prop pi_mark[] = {ASTR("Message")};

/* ========================== StackWalk (group 0x18) ======================= */
/* The MOF lists Stack1..Stack32; real stacks are longer, so the frames are one
 * array filling the rest of the payload. */
static const etw_prop sw_stack[] = {U64("EventTimeStamp"), X32("StackProcess"),
                                    U32("StackThread"), PTRS_REST("Stack")};
static const etw_prop sw_keydef[] = {PTR("StackKey"), PTRS_REST("Stack")};
static const etw_prop sw_keyref[] = {U64("EventTimeStamp"), X32("StackProcess"),
                                     U32("StackThread"), PTR("StackKey")};

/* ========================== ALPC (group 0x1A) ============================ */
static const etw_prop alpc_msg[] = {U32("MessageID")};
static const etw_prop alpc_waitnew[] = {U32("IsServerPort"), ASTR("PortName")};
static const etw_prop alpc_unwait[] = {U32("Status")};

/* ========================== SystemConfig (group 0x0B) ===================== */
static const etw_prop sc_cpu_v2[] = {U32("MHz"), U32("NumberOfProcessors"), U32("MemSize"),
                                     U32("PageSize"), U32("AllocationGranularity"),
                                     WCHARS("ComputerName", 256), WCHARS("DomainName", 134),
                                     PTR("HyperThreadingFlag")};
/* Version 3 appends 20 bytes (828 = 808 + 20 on 64-bit, corpus). */
static const etw_prop sc_cpu_v3[] = {U32("MHz"), U32("NumberOfProcessors"), U32("MemSize"),
                                     U32("PageSize"), U32("AllocationGranularity"),
                                     WCHARS("ComputerName", 256), WCHARS("DomainName", 134),
                                     PTR("HyperThreadingFlag"), PTR("HighestUserAddress"),
                                     U16("ProcessorArchitecture"), U16("ProcessorLevel"),
                                     U16("ProcessorRevision"), U8("PaeEnabled"), U8("NxEnabled"),
                                     U32("MemorySpeed")};
static const etw_prop sc_phydisk[] = {
    U32("DiskNumber"), U32("BytesPerSector"), U32("SectorsPerTrack"), U32("TracksPerCylinder"),
    U64("Cylinders"), U32("SCSIPort"), U32("SCSIPath"), U32("SCSITarget"), U32("SCSILun"),
    WCHARS("Manufacturer", 256), U32("PartitionCount"), U8("WriteCacheEnabled"), U8("Pad"),
    WCHARS("BootDriveLetter", 3), WCHARS("Spare", 2)};
static const etw_prop sc_logdisk[] = {
    U64("StartOffset"), U64("PartitionSize"), U32("DiskNumber"), U32("Size"), U32("DriveType"),
    WCHARS("DriveLetterString", 4), U32("Pad1"), U32("PartitionNumber"),
    U32("SectorsPerCluster"), U32("BytesPerSector"), U32("Pad2"), I64("NumberOfFreeClusters"),
    I64("TotalNumberOfClusters"), WCHARS("FileSystem", 16), U32("VolumeExt"), U32("Pad3")};
static const etw_prop sc_nic[] = {X64("PhysicalAddr"), U32("PhysicalAddrLen"), U32("Ipv4Index"),
                                  U32("Ipv6Index"), WSTR("NICDescription"), WSTR("IpAddresses"),
                                  WSTR("DnsServerAddresses")};
static const etw_prop sc_video[] = {
    U32("MemorySize"), U32("XResolution"), U32("YResolution"), U32("BitsPerPixel"),
    U32("VRefresh"), WCHARS("ChipType", 256), WCHARS("DACType", 256),
    WCHARS("AdapterString", 256), WCHARS("BiosString", 256), WCHARS("DeviceId", 256),
    X32("StateFlags")};
static const etw_prop sc_services[] = {X32("ProcessId"), X32("ServiceState"),
                                       X32("SubProcessTag"), WSTR("ServiceName"),
                                       WSTR("DisplayName"), WSTR("ProcessName")};
/* SystemConfig_V3_Services: version 2 plus two group names. */
static const etw_prop sc_services_v3[] = {X32("ProcessId"), X32("ServiceState"),
                                          X32("SubProcessTag"), WSTR("ServiceName"),
                                          WSTR("DisplayName"), WSTR("ProcessName"),
                                          WSTR("LoadOrderGroup"), WSTR("SvchostGroup")};
static const etw_prop sc_power[] = {U8("S1"), U8("S2"), U8("S3"), U8("S4"),
                                    U8("S5"), U8("Pad1"), U8("Pad2"), U8("Pad3")};
static const etw_prop sc_network[] = {U32("TcbTablePartitions"), U32("MaxHashTableSize"),
                                      U32("MaxUserPort"), U32("TcpTimedWaitDelay")};
static const etw_prop sc_irq[] = {X64("IRQAffinity"), U32("IRQNum"),
                                  U32("DeviceDescriptionLen"), WSTR("DeviceDescription")};
static const etw_prop sc_irq_v3[] = {X64("IRQAffinity"), U16("IRQGroup"), U16("Reserved"),
                                     U32("IRQNum"), U32("DeviceDescriptionLen"),
                                     WSTR("DeviceDescription")};
static const etw_prop sc_pnp[] = {U32("IDLength"), U32("DescriptionLength"),
                                  U32("FriendlyNameLength"), WSTR("DeviceID"),
                                  WSTR("DeviceDescription"), WSTR("FriendlyName")};
/* SystemConfig_V3_PnP: version 2 plus the PDO name. */
static const etw_prop sc_pnp_v3[] = {U32("IDLength"), U32("DescriptionLength"),
                                     U32("FriendlyNameLength"), WSTR("DeviceID"),
                                     WSTR("DeviceDescription"), WSTR("FriendlyName"),
                                     WSTR("PdoName")};
/* SystemConfig_V4_PnP: the filter lists are UpperFiltersCount and
 * LowerFiltersCount UTF-16Z strings. */
static const etw_prop sc_pnp_v4[] = {GUIDF("ClassGuid"), U32("UpperFiltersCount"),
                                     U32("LowerFiltersCount"), WSTR("DeviceID"),
                                     WSTR("DeviceDescription"), WSTR("FriendlyName"),
                                     WSTR("PdoName"), WSTR("ServiceName"),
                                     ARR_N("UpperFilters", ETW_IN_UNICODESTRING, 1),
                                     ARR_N("LowerFilters", ETW_IN_UNICODESTRING, 2)};
/* SystemConfig_PnP (version 5): adds DevStatus and DevProblem. */
static const etw_prop sc_pnp_v5[] = {GUIDF("ClassGuid"), U32("UpperFiltersCount"),
                                     U32("LowerFiltersCount"), X32("DevStatus"),
                                     U32("DevProblem"), WSTR("DeviceID"),
                                     WSTR("DeviceDescription"), WSTR("FriendlyName"),
                                     WSTR("PdoName"), WSTR("ServiceName"),
                                     ARR_N("UpperFilters", ETW_IN_UNICODESTRING, 1),
                                     ARR_N("LowerFilters", ETW_IN_UNICODESTRING, 2)};
static const etw_prop sc_idechannel[] = {U32("TargetId"), X32("DeviceType"),
                                         X32("DeviceTimingMode"), U32("LocationInformationLen"),
                                         WSTR("LocationInformation")};
/* SystemConfig_V2_OpticalMedia (18): the last two strings are ANSI. */
static const etw_prop sc_optical[] = {
    U16("DiskNumber"), U16("BusType"), U16("DeviceType"), U16("MediaType"),
    U64("StartingOffset"), U64("Size"), U64("NumberOfFreeBlocks"), U64("TotalNumberOfBlocks"),
    U64("NextWritableAddress"), U32("NumberOfSessions"), U32("NumberOfTracks"),
    U32("BytesPerSector"), U16("DiscStatus"), U16("LastSessionStatus"), WSTR("DriveLetter"),
    WSTR("FileSystemName"), ASTR("DeviceName"), ASTR("ManufacturerName")};
static const etw_prop sc_dpi[] = {U32("MachineDPI"), U32("UserDPI")};              /* 28 */
static const etw_prop sc_ciinfo[] = {U32("CodeIntegrityInfo")};                     /* 29 */
static const etw_prop sc_machineid[] = {GUIDF("MachineId")};                        /* 30 */
static const etw_prop sc_devfamily[] = {X64("UAPInfo"), U32("DeviceFamily"),        /* 33 */
                                        U32("DeviceForm")};
static const etw_prop sc_flightids[] = {WSTR("UpdateId"), WSTR("FlightIdList")};    /* 34 */
/* SystemConfig_V2_Processors (35): three fixed char16 arrays. The MOF lists
 * VendorIdentifier (16) before ProcessorIdentifier (128), but the bytes have
 * it last (corpus: "Intel64 Family 6 Model 79 Stepping 1" at 140,
 * "GenuineIntel" at 396 of 428). */
static const etw_prop sc_processor[] = {U32("ProcessorIndex"), X32("FeatureSet"),
                                        U32("ProcessorSpeed"), WCHARS("ProcessorName", 64),
                                        WCHARS("ProcessorIdentifier", 128),
                                        WCHARS("VendorIdentifier", 16)};
static const etw_prop sc_virt[] = {U8("VbsEnabled"), U8("HvciEnabled"),              /* 36 */
                                   U8("HyperVisorEnabled"), U8("Reserved")};
static const etw_prop sc_boot[] = {X64("BootFlags"), U32("FirmwareType"),            /* 37 */
                                   U8("SecureBootEnabled"), U8("SecureBootCapable"),
                                   U8("Reserved1"), U8("Reserved2")};
/* SMBIOS strings (four UTF-16Z; 112 bytes in the corpus). */
static const etw_prop sc_platform[] = {WSTR("SystemManufacturer"), WSTR("SystemProductName"),
                                       WSTR("BiosDate"), WSTR("BiosVersion")};

/* ============ KernelTraceControl ImageID (b3e675d7-...) =================== */
/* Written by the merge (xperf / WPR) for every image, to find its symbols.
 * Layouts from PerfView's SymbolTraceEventParser (field offsets), checked on
 * the corpus: every event's payload used up exactly. */
static const etw_prop ktc_imageid[] = {PTR("ImageBase"), PTR("ImageSize"), U32("ProcessId"),
                                       U32("TimeDateStamp"), WSTR("OriginalFileName")};
static const etw_prop ktc_none[] = {PTR("ImageBase"), U32("ProcessId")};
/* DbgID_RSDS / DbgID_ILRSDS: CodeView RSDS record (PDB GUID, age, UTF-8 path). */
static const etw_prop ktc_rsds[] = {PTR("ImageBase"), U32("ProcessId"), GUIDF("GuidSig"),
                                    U32("Age"), F("PdbFileName", ETW_IN_ANSISTRING, ETW_OUT_UTF8)};
static const etw_prop ktc_ppdb[] = {PTR("ImageBase"), U32("ProcessId"), U32("TimeDateStamp"),
                                    U16("MajorVersion"), U16("MinorVersion")};
static const etw_prop ktc_determ[] = {PTR("ImageBase"), U32("ProcessId")};
/* FileVersion: the image's VERSIONINFO strings. */
static const etw_prop ktc_filever[] = {
    U32("ImageSize"), U32("TimeDateStamp"), WSTR("OrigFileName"), WSTR("FileDescription"),
    WSTR("FileVersion"), WSTR("BinFileVersion"), WSTR("VerLanguage"), WSTR("ProductName"),
    WSTR("CompanyName"), WSTR("ProductVersion"), WSTR("FileId"), WSTR("ProgramId")};

/* ============ KernelTraceControl SysConfig (9b79ee91-...) ================== */
/* PerfView shows this class as the kernel's "SysConfig" task. */
static const etw_prop sce_buildinfo[] = {F("InstallDate", ETW_IN_FILETIME, ETW_OUT_NULL),
                                         WSTR("BuildLab"), WSTR("ProductName")};
static const etw_prop sce_syspaths[] = {WSTR("SystemDirectory"), WSTR("SystemWindowsDirectory")};
static const etw_prop sce_unknownvol[] = {WSTR("NtPath")};
static const etw_prop sce_volmap[] = {WSTR("NtPath"), WSTR("DosPath")};

/* The table, grouped by class (class_index below points into it). */
static const etw_schema k_schemas[] = {
    /* EventTrace */
    KS(G_EVENTTRACE, "EventTrace", 0, 0, "Header", et_header),
    KS(G_EVENTTRACE, "EventTrace", 5, 0, "Extension", et_extension),
    KS(G_EVENTTRACE, "EventTrace", 32, 0, "EndExtension", et_extension),
    KS0(G_EVENTTRACE, "EventTrace", 8, 0, "RDComplete"),
    KS(G_EVENTTRACE, "EventTrace", 64, 0, "DbgID_RSDS", et_rsds),
    KS(G_EVENTTRACE, "EventTrace", 66, 0, "BuildInfo", et_buildinfo),
    KS(G_EVENTTRACE, "EventTrace", 80, 0, "PartitionInfoExtension", et_partinfo),
    KS(G_EVENTTRACE, "EventTrace", 82, 0, "LastDroppedTimes", et_lastdropped),
    /* Process */
    KS(G_PROCESS, "Process", 1, 0, "Start", proc_v0),
    KS(G_PROCESS, "Process", 2, 0, "End", proc_v0),
    KS(G_PROCESS, "Process", 3, 0, "DCStart", proc_v0),
    KS(G_PROCESS, "Process", 4, 0, "DCEnd", proc_v0),
    KS(G_PROCESS, "Process", 1, 1, "Start", proc_v1),
    KS(G_PROCESS, "Process", 2, 1, "End", proc_v1),
    KS(G_PROCESS, "Process", 3, 1, "DCStart", proc_v1),
    KS(G_PROCESS, "Process", 4, 1, "DCEnd", proc_v1),
    KS(G_PROCESS, "Process", 1, 2, "Start", proc_v2),
    KS(G_PROCESS, "Process", 2, 2, "End", proc_v2),
    KS(G_PROCESS, "Process", 3, 2, "DCStart", proc_v2),
    KS(G_PROCESS, "Process", 4, 2, "DCEnd", proc_v2),
    KS(G_PROCESS, "Process", 39, 2, "Defunct", proc_v2),
    KS(G_PROCESS, "Process", 1, 3, "Start", proc_v3),
    KS(G_PROCESS, "Process", 2, 3, "End", proc_v3),
    KS(G_PROCESS, "Process", 3, 3, "DCStart", proc_v3),
    KS(G_PROCESS, "Process", 4, 3, "DCEnd", proc_v3),
    KS(G_PROCESS, "Process", 39, 3, "Defunct", proc_v3),
    KS(G_PROCESS, "Process", 1, 4, "Start", proc_v4),
    KS(G_PROCESS, "Process", 2, 4, "End", proc_v4),
    KS(G_PROCESS, "Process", 3, 4, "DCStart", proc_v4),
    KS(G_PROCESS, "Process", 4, 4, "DCEnd", proc_v4),
    KS(G_PROCESS, "Process", 39, 4, "Defunct", proc_v4),
    KS(G_PROCESS, "Process", 39, 5, "Defunct", proc_v5_defunct),
    KS(G_PROCESS, "Process", 11, 0, "Terminate", proc_terminate),
    KS(G_PROCESS, "Process", 32, 0, "PerfCtr", proc_perfctr),
    KS(G_PROCESS, "Process", 33, 0, "PerfCtrRundown", proc_perfctr),
    /* Thread */
    KS(G_THREAD, "Thread", 1, 0, "Start", thr_v0),
    KS(G_THREAD, "Thread", 2, 0, "End", thr_v0),
    KS(G_THREAD, "Thread", 3, 0, "DCStart", thr_v0),
    KS(G_THREAD, "Thread", 4, 0, "DCEnd", thr_v0),
    KS(G_THREAD, "Thread", 1, 1, "Start", thr_v1_start),
    KS(G_THREAD, "Thread", 2, 1, "End", thr_v1_end),
    KS(G_THREAD, "Thread", 3, 1, "DCStart", thr_v1_start),
    KS(G_THREAD, "Thread", 4, 1, "DCEnd", thr_v1_end),
    KS(G_THREAD, "Thread", 1, 2, "Start", thr_v2),
    KS(G_THREAD, "Thread", 2, 2, "End", thr_v2),
    KS(G_THREAD, "Thread", 3, 2, "DCStart", thr_v2),
    KS(G_THREAD, "Thread", 4, 2, "DCEnd", thr_v2),
    KS(G_THREAD, "Thread", 1, 3, "Start", thr_v3),
    KS(G_THREAD, "Thread", 2, 3, "End", thr_v3),
    KS(G_THREAD, "Thread", 3, 3, "DCStart", thr_v3),
    KS(G_THREAD, "Thread", 4, 3, "DCEnd", thr_v3),
    KS(G_THREAD, "Thread", 36, 1, "CSwitch", thr_cswitch_v1),
    KS(G_THREAD, "Thread", 36, 2, "CSwitch", thr_cswitch),
    KS0(G_THREAD, "Thread", 37, 2, "CompCS"),
    KS(G_THREAD, "Thread", 50, 2, "ReadyThread", thr_ready),
    KS(G_THREAD, "Thread", 57, 1, "WorkerThread", thr_worker),
    KS(G_THREAD, "Thread", 72, 2, "SetName", thr_setname),
    /* Image */
    KS(G_IMAGE, "Image", 10, 0, "Load", img_v0),
    KS(G_IMAGE, "Image", 10, 1, "Load", img_v1),
    KS(G_IMAGE, "Image", 10, 2, "Load", img_v2),
    KS(G_IMAGE, "Image", 2, 2, "UnLoad", img_v2),
    KS(G_IMAGE, "Image", 3, 2, "DCStart", img_v2),
    KS(G_IMAGE, "Image", 4, 2, "DCEnd", img_v2),
    KS(G_IMAGE, "Image", 10, 3, "Load", img_v3),
    KS(G_IMAGE, "Image", 2, 3, "UnLoad", img_v3),
    KS(G_IMAGE, "Image", 3, 3, "DCStart", img_v3),
    KS(G_IMAGE, "Image", 4, 3, "DCEnd", img_v3),
    KS(G_IMAGE, "Image", 33, 2, "KernelBase", img_kernelbase),
    KS(G_IMAGE, "Image", 34, 2, "HypercallPage", img_hypercall),
    /* DiskIo */
    KS(G_DISKIO, "DiskIo", 10, 2, "Read", disk_rw_v2),
    KS(G_DISKIO, "DiskIo", 11, 2, "Write", disk_rw_v2),
    KS(G_DISKIO, "DiskIo", 12, 2, "ReadInit", disk_init_v2),
    KS(G_DISKIO, "DiskIo", 13, 2, "WriteInit", disk_init_v2),
    KS(G_DISKIO, "DiskIo", 14, 2, "FlushBuffers", disk_flush_v2),
    KS(G_DISKIO, "DiskIo", 15, 2, "FlushInit", disk_init_v2),
    KS(G_DISKIO, "DiskIo", 10, 3, "Read", disk_rw_v3),
    KS(G_DISKIO, "DiskIo", 11, 3, "Write", disk_rw_v3),
    KS(G_DISKIO, "DiskIo", 12, 3, "ReadInit", disk_init_v3),
    KS(G_DISKIO, "DiskIo", 13, 3, "WriteInit", disk_init_v3),
    KS(G_DISKIO, "DiskIo", 14, 3, "FlushBuffers", disk_flush_v3),
    KS(G_DISKIO, "DiskIo", 15, 3, "FlushInit", disk_init_v3),
    /* FileIo */
    KS(G_FILEIO, "FileIo", 0, 0, "Name", fio_name),
    KS(G_FILEIO, "FileIo", 32, 1, "FileCreate", fio_name),
    KS(G_FILEIO, "FileIo", 35, 2, "FileDelete", fio_name),
    KS(G_FILEIO, "FileIo", 36, 2, "FileRundown", fio_name),
    KS(G_FILEIO, "FileIo", 64, 2, "Create", fio_create_v2),
    KS(G_FILEIO, "FileIo", 65, 2, "Cleanup", fio_simple_v2),
    KS(G_FILEIO, "FileIo", 66, 2, "Close", fio_simple_v2),
    KS(G_FILEIO, "FileIo", 73, 2, "Flush", fio_simple_v2),
    KS(G_FILEIO, "FileIo", 67, 2, "Read", fio_rw_v2),
    KS(G_FILEIO, "FileIo", 68, 2, "Write", fio_rw_v2),
    KS(G_FILEIO, "FileIo", 69, 2, "SetInfo", fio_info_v2),
    KS(G_FILEIO, "FileIo", 70, 2, "Delete", fio_info_v2),
    KS(G_FILEIO, "FileIo", 71, 2, "Rename", fio_info_v2),
    KS(G_FILEIO, "FileIo", 74, 2, "QueryInfo", fio_info_v2),
    KS(G_FILEIO, "FileIo", 75, 2, "FSControl", fio_info_v2),
    KS(G_FILEIO, "FileIo", 72, 2, "DirEnum", fio_dir_v2),
    KS(G_FILEIO, "FileIo", 77, 2, "DirNotify", fio_dir_v2),
    KS(G_FILEIO, "FileIo", 76, 2, "OperationEnd", fio_opend),
    KS(G_FILEIO, "FileIo", 64, 3, "Create", fio_create_v3),
    KS(G_FILEIO, "FileIo", 65, 3, "Cleanup", fio_simple_v3),
    KS(G_FILEIO, "FileIo", 66, 3, "Close", fio_simple_v3),
    KS(G_FILEIO, "FileIo", 73, 3, "Flush", fio_simple_v3),
    KS(G_FILEIO, "FileIo", 67, 3, "Read", fio_rw_v3),
    KS(G_FILEIO, "FileIo", 68, 3, "Write", fio_rw_v3),
    KS(G_FILEIO, "FileIo", 69, 3, "SetInfo", fio_info_v3),
    KS(G_FILEIO, "FileIo", 70, 3, "Delete", fio_info_v3),
    KS(G_FILEIO, "FileIo", 71, 3, "Rename", fio_info_v3),
    KS(G_FILEIO, "FileIo", 74, 3, "QueryInfo", fio_info_v3),
    KS(G_FILEIO, "FileIo", 75, 3, "FSControl", fio_info_v3),
    KS(G_FILEIO, "FileIo", 72, 3, "DirEnum", fio_dir_v3),
    KS(G_FILEIO, "FileIo", 77, 3, "DirNotify", fio_dir_v3),
    /* TcpIp (version 2 layouts; v0/v1 predate Vista) */
    KS(G_TCPIP, "TcpIp", 10, 2, "SendIPV4", tcp_send4),
    KS(G_TCPIP, "TcpIp", 11, 2, "RecvIPV4", tcp_gen4),
    KS(G_TCPIP, "TcpIp", 12, 2, "ConnectIPV4", tcp_conn4),
    KS(G_TCPIP, "TcpIp", 13, 2, "DisconnectIPV4", tcp_gen4),
    KS(G_TCPIP, "TcpIp", 14, 2, "RetransmitIPV4", tcp_gen4),
    KS(G_TCPIP, "TcpIp", 15, 2, "AcceptIPV4", tcp_conn4),
    KS(G_TCPIP, "TcpIp", 16, 2, "ReconnectIPV4", tcp_gen4),
    KS(G_TCPIP, "TcpIp", 17, 2, "Fail", tcp_fail),
    KS(G_TCPIP, "TcpIp", 18, 2, "TCPCopyIPV4", tcp_gen4),
    KS(G_TCPIP, "TcpIp", 26, 2, "SendIPV6", tcp_send6),
    KS(G_TCPIP, "TcpIp", 27, 2, "RecvIPV6", tcp_gen6),
    KS(G_TCPIP, "TcpIp", 28, 2, "ConnectIPV6", tcp_conn6),
    KS(G_TCPIP, "TcpIp", 29, 2, "DisconnectIPV6", tcp_gen6),
    KS(G_TCPIP, "TcpIp", 30, 2, "RetransmitIPV6", tcp_gen6),
    KS(G_TCPIP, "TcpIp", 31, 2, "AcceptIPV6", tcp_conn6),
    KS(G_TCPIP, "TcpIp", 32, 2, "ReconnectIPV6", tcp_gen6),
    KS(G_TCPIP, "TcpIp", 34, 2, "TCPCopyIPV6", tcp_gen6),
    /* UdpIp (version 2) */
    KS(G_UDPIP, "UdpIp", 10, 2, "SendIPV4", tcp_gen4),
    KS(G_UDPIP, "UdpIp", 11, 2, "RecvIPV4", tcp_gen4),
    KS(G_UDPIP, "UdpIp", 17, 2, "Fail", tcp_fail),
    KS(G_UDPIP, "UdpIp", 26, 2, "SendIPV6", tcp_gen6),
    KS(G_UDPIP, "UdpIp", 27, 2, "RecvIPV6", tcp_gen6),
    /* Registry */
#define REG(ver, pa)                                                                \
    KS(G_REGISTRY, "Registry", 10, ver, "Create", pa),                                \
        KS(G_REGISTRY, "Registry", 11, ver, "Open", pa),                              \
        KS(G_REGISTRY, "Registry", 12, ver, "Delete", pa),                            \
        KS(G_REGISTRY, "Registry", 13, ver, "Query", pa),                             \
        KS(G_REGISTRY, "Registry", 14, ver, "SetValue", pa),                          \
        KS(G_REGISTRY, "Registry", 15, ver, "DeleteValue", pa),                       \
        KS(G_REGISTRY, "Registry", 16, ver, "QueryValue", pa),                        \
        KS(G_REGISTRY, "Registry", 17, ver, "EnumerateKey", pa),                      \
        KS(G_REGISTRY, "Registry", 18, ver, "EnumerateValueKey", pa),                 \
        KS(G_REGISTRY, "Registry", 19, ver, "QueryMultipleValue", pa),                \
        KS(G_REGISTRY, "Registry", 20, ver, "SetInformation", pa),                    \
        KS(G_REGISTRY, "Registry", 21, ver, "Flush", pa)
    REG(0, reg_v0),
    REG(1, reg_v1),
    KS(G_REGISTRY, "Registry", 22, 1, "RunDown", reg_v1),
    REG(2, reg_v2),
    KS(G_REGISTRY, "Registry", 22, 2, "KCBCreate", reg_v2),
    KS(G_REGISTRY, "Registry", 23, 2, "KCBDelete", reg_v2),
    KS(G_REGISTRY, "Registry", 24, 2, "KCBRundownBegin", reg_v2),
    KS(G_REGISTRY, "Registry", 25, 2, "KCBRundownEnd", reg_v2),
    KS(G_REGISTRY, "Registry", 26, 2, "Virtualize", reg_v2),
    KS(G_REGISTRY, "Registry", 27, 2, "Close", reg_v2),
    KS(G_REGISTRY, "Registry", 28, 2, "SetSecurity", reg_v2),
    KS(G_REGISTRY, "Registry", 29, 2, "QuerySecurity", reg_v2),
#undef REG
    /* PageFault */
    KS(G_PAGEFAULT, "PageFault", 10, 0, "TransitionFault", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 11, 0, "DemandZeroFault", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 12, 0, "CopyOnWrite", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 13, 0, "GuardPageFault", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 14, 0, "HardPageFault", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 15, 0, "AccessViolation", pf_group1),
    KS(G_PAGEFAULT, "PageFault", 32, 0, "HardFault", pf_hard),
    KS(G_PAGEFAULT, "PageFault", 105, 0, "ImageLoadBacked", pf_imgbacked),
    /* PerfInfo */
    KS(G_PERFINFO, "PerfInfo", 34, 0, "Mark", pi_mark),
    KS(G_PERFINFO, "PerfInfo", 46, 0, "SampleProf", pi_sample),
    KS(G_PERFINFO, "PerfInfo", 51, 0, "SysClEnter", pi_sysenter),
    KS(G_PERFINFO, "PerfInfo", 52, 0, "SysClExit", pi_sysexit),
    KS0(G_PERFINFO, "PerfInfo", 58, 0, "DebuggerEnabled"),
    KS(G_PERFINFO, "PerfInfo", 66, 2, "ThreadedDPC", pi_dpc),
    KS(G_PERFINFO, "PerfInfo", 67, 1, "ISR", pi_isr_v1),
    KS(G_PERFINFO, "PerfInfo", 67, 2, "ISR", pi_isr),
    KS(G_PERFINFO, "PerfInfo", 68, 0, "DPC", pi_dpc),
    KS(G_PERFINFO, "PerfInfo", 69, 0, "TimerDPC", pi_dpc),
    KS(G_PERFINFO, "PerfInfo", 72, 2, "SetInterval", pi_interval_v2),
    KS(G_PERFINFO, "PerfInfo", 73, 2, "CollectionStart", pi_interval_v2),
    KS(G_PERFINFO, "PerfInfo", 74, 2, "CollectionEnd", pi_interval_v2),
    KS(G_PERFINFO, "PerfInfo", 72, 3, "SetInterval", pi_interval_v3),
    KS(G_PERFINFO, "PerfInfo", 73, 3, "CollectionStart", pi_interval_v3),
    KS(G_PERFINFO, "PerfInfo", 74, 3, "CollectionEnd", pi_interval_v3),
    /* StackWalk */
    KS(G_STACKWALK, "StackWalk", 32, 0, "Stack", sw_stack),
    KS(G_STACKWALK, "StackWalk", 35, 0, "KeyDelete", sw_keydef),
    KS(G_STACKWALK, "StackWalk", 36, 0, "KeyRundown", sw_keydef),
    KS(G_STACKWALK, "StackWalk", 37, 0, "StackKeyKernel", sw_keyref),
    KS(G_STACKWALK, "StackWalk", 38, 0, "StackKeyUser", sw_keyref),
    /* ALPC */
    KS(G_ALPC, "ALPC", 33, 0, "ALPC-Send-Message", alpc_msg),
    KS(G_ALPC, "ALPC", 34, 0, "ALPC-Receive-Message", alpc_msg),
    KS(G_ALPC, "ALPC", 35, 0, "ALPC-Wait-For-Reply", alpc_msg),
    KS(G_ALPC, "ALPC", 36, 0, "ALPC-Wait-For-New-Message", alpc_waitnew),
    KS(G_ALPC, "ALPC", 37, 0, "ALPC-Unwait", alpc_unwait),
    /* SystemConfig (version 3+ layouts from the SystemConfig_V3/V4 MOF classes) */
    KS(G_SYSCONFIG, "SystemConfig", 10, 2, "CPU", sc_cpu_v2),
    KS(G_SYSCONFIG, "SystemConfig", 10, 3, "CPU", sc_cpu_v3),
    KS(G_SYSCONFIG, "SystemConfig", 11, 2, "PhyDisk", sc_phydisk),
    KS(G_SYSCONFIG, "SystemConfig", 12, 2, "LogDisk", sc_logdisk),
    KS(G_SYSCONFIG, "SystemConfig", 13, 2, "NIC", sc_nic),
    KS(G_SYSCONFIG, "SystemConfig", 14, 2, "Video", sc_video),
    KS(G_SYSCONFIG, "SystemConfig", 15, 2, "Services", sc_services),
    KS(G_SYSCONFIG, "SystemConfig", 15, 3, "Services", sc_services_v3),
    KS(G_SYSCONFIG, "SystemConfig", 16, 2, "Power", sc_power),
    KS(G_SYSCONFIG, "SystemConfig", 17, 2, "Network", sc_network),
    KS(G_SYSCONFIG, "SystemConfig", 21, 2, "IRQ", sc_irq),
    KS(G_SYSCONFIG, "SystemConfig", 21, 3, "IRQ", sc_irq_v3),
    KS(G_SYSCONFIG, "SystemConfig", 22, 2, "PnP", sc_pnp),
    KS(G_SYSCONFIG, "SystemConfig", 22, 3, "PnP", sc_pnp_v3),
    KS(G_SYSCONFIG, "SystemConfig", 22, 4, "PnP", sc_pnp_v4),
    KS(G_SYSCONFIG, "SystemConfig", 22, 5, "PnP", sc_pnp_v5),
    KS(G_SYSCONFIG, "SystemConfig", 23, 2, "IDEChannel", sc_idechannel),
    KS(G_SYSCONFIG, "SystemConfig", 18, 2, "OpticalMedia", sc_optical),
    KS(G_SYSCONFIG, "SystemConfig", 25, 2, "Platform", sc_platform),
    KS(G_SYSCONFIG, "SystemConfig", 28, 2, "DPI", sc_dpi),
    KS(G_SYSCONFIG, "SystemConfig", 29, 2, "CIInfo", sc_ciinfo),
    KS(G_SYSCONFIG, "SystemConfig", 30, 2, "MachineId", sc_machineid),
    KS(G_SYSCONFIG, "SystemConfig", 33, 2, "DeviceFamily", sc_devfamily),
    KS(G_SYSCONFIG, "SystemConfig", 34, 2, "FlightId", sc_flightids),
    KS(G_SYSCONFIG, "SystemConfig", 35, 2, "Processor", sc_processor),
    KS(G_SYSCONFIG, "SystemConfig", 36, 2, "Virtualization", sc_virt),
    KS(G_SYSCONFIG, "SystemConfig", 37, 2, "Boot", sc_boot),
    /* Lost events (etl-format.md 2.8) */
    KS0(G_LOSTEVENT, "LostEvent", 32, 0, "RTLostEvent"),
    KS0(G_LOSTEVENT, "LostEvent", 33, 0, "RTLostBuffer"),
    KS0(G_LOSTEVENT, "LostEvent", 34, 0, "RTLostFile"),
    /* KernelTraceControl ImageID. Opcode 0 has no opcode name (PerfView and
     * WPA show it as "ImageID"). */
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0, 0, NULL, ktc_imageid),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x20, 0, "None", ktc_none),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x24, 0, "DbgID_RSDS", ktc_rsds),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x25, 0, "DbgID_ILRSDS", ktc_rsds),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x26, 0, "DbgPPDB", ktc_ppdb),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x28, 0, "DbgID_Deterministic", ktc_determ),
    KSP(PROVIDER_KTC, G_IMAGEID, "ImageID", 0x40, 0, "FileVersion", ktc_filever),
    /* KernelTraceControl SysConfig */
    KS(G_SYSCONFIGEX, "SysConfig", 32, 0, "BuildInfo", sce_buildinfo),
    KS(G_SYSCONFIGEX, "SysConfig", 33, 0, "SystemPaths", sce_syspaths),
    KS(G_SYSCONFIGEX, "SysConfig", 34, 0, "UnknownVolume", sce_unknownvol),
    KS(G_SYSCONFIGEX, "SysConfig", 35, 0, "VolumeMapping", sce_volmap),
};

/* Classes: GUID + task name + [first, first + count) in k_schemas, filled
 * in by a scan at first use (the table is grouped by class). */
typedef struct kclass {
    etw_guid guid;
    const char *task;
} kclass;

static const kclass k_classes[] = {
    {G_EVENTTRACE, "EventTrace"}, {G_PROCESS, "Process"},   {G_THREAD, "Thread"},
    {G_IMAGE, "Image"},           {G_DISKIO, "DiskIo"},     {G_FILEIO, "FileIo"},
    {G_TCPIP, "TcpIp"},           {G_UDPIP, "UdpIp"},       {G_REGISTRY, "Registry"},
    {G_PAGEFAULT, "PageFault"},   {G_PERFINFO, "PerfInfo"}, {G_STACKWALK, "StackWalk"},
    {G_ALPC, "ALPC"},             {G_LOSTEVENT, "LostEvent"},   {G_SYSCONFIG, "SystemConfig"},
    /* Classes with names only (no payload tables yet). */
    {{0x3282fc76, 0xfeed, 0x498e, {0x8a, 0xa7, 0xe7, 0x0f, 0x45, 0x9d, 0x43, 0x0e}}, "Job"},
    {{0x13976d09, 0xa327, 0x438c, {0x95, 0x0b, 0x7f, 0x03, 0x19, 0x28, 0x15, 0xc7}}, "DbgPrint"},
    {{0x0268a8b6, 0x74fd, 0x4302, {0x9d, 0xd0, 0x6e, 0x8f, 0x17, 0x95, 0xc0, 0xcf}}, "Pool"},
    {{0x222962ab, 0x6180, 0x4b88, {0xa8, 0x25, 0x34, 0x6b, 0x75, 0xf2, 0xa2, 0x4a}}, "Heap"},
    {{0x89497f50, 0xeffe, 0x4440, {0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7}}, "Object"},
    {{0xe43445e0, 0x0903, 0x48c3, {0xb8, 0x78, 0xff, 0x0f, 0xcc, 0xeb, 0xdd, 0x04}}, "Power"},
    {{0xb2d14872, 0x7c5b, 0x463d, {0x84, 0x19, 0xee, 0x9b, 0xf7, 0xd2, 0x3e, 0x04}}, "Dpc"},
    {{0x7687a439, 0xf752, 0x45b8, {0xb7, 0x41, 0x32, 0x1a, 0xec, 0x0f, 0x8d, 0xf9}}, "Cc"},
    {{0x3ac66736, 0xcc59, 0x4cff, {0x81, 0x15, 0x8d, 0xf5, 0x0e, 0x39, 0x81, 0x6b}}, "CritSec"},
    {{0xd837ca92, 0x12b9, 0x44a5, {0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8}}, "SplitIo"},
    {{0xc861d0e2, 0xa2c1, 0x4d36, {0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12}},
     "ThreadPool"},
    /* KernelTraceControl classes. Not its MetaData class (bbccf6c1-..., opcodes
     * 32 EventInfo, 33 EventMapInfo, taken in by the registry as schemas): a
     * class listed here without schema gets "MSNT_SystemTrace" as provider
     * name from the binding, which would be wrong for it. */
    {G_IMAGEID, "ImageID"}, {G_SYSCONFIGEX, "SysConfig"},
};

/* Opcode names for events that have no schema in the tables (SystemConfig
 * names after mingw-w64 evntrace.h EVENT_TRACE_TYPE_CONFIG_*, etl-format.md 2.9). */
typedef struct kname {
    uint8_t cls;  /* index in k_classes */
    uint8_t opcode;
    const char *name;
} kname;

static const kname k_names[] = {
    {0, 48, "RundownBegin"},
    {0, 49, "RundownEnd"}, {0, 65, "DbgID_NB10"}, {0, 67, "BinaryPath"},
    {5, 37, "MapFile"}, {5, 38, "UnmapFile"},
    {5, 39, "MapFileDCStart"}, {5, 40, "MapFileDCStop"},
    {10, 47, "PMCSample"}, {10, 50, "ISR-MSI"},
    {14, 19, "PhysicalDiskEx"}, {14, 24, "NumaNode"}, {14, 26, "ProcessorGroup"},
    {14, 27, "ProcessorNumber"}, {14, 31, "Defrag"}, {14, 32, "MobilePlatform"},
};

/* Range of a class in k_schemas (the table is grouped by class). */
typedef struct krange {
    uint16_t first, count;
} krange;

static int class_index(const etw_guid *g) {
    size_t i;
    for (i = 0; i < N_(k_classes); i++)
        if (k_classes[i].guid.data1 == g->data1 && etw_guid_eq(&k_classes[i].guid, g))
            return (int)i;
    return -1;
}

/* Schemas of class ci: a scan of the grouped table (a u32 compare per entry,
 * no shared state); the registry caches lookups per (class, opcode, version). */
static void class_range(int ci, krange *r) {
    size_t i;
    const etw_guid *g = &k_classes[ci].guid;
    r->first = 0;
    r->count = 0;
    for (i = 0; i < N_(k_schemas); i++) {
        if (k_schemas[i].provider_id.data1 == g->data1 &&
            etw_guid_eq(&k_schemas[i].provider_id, g)) {
            if (!r->count)
                r->first = (uint16_t)i;
            r->count++;
        } else if (r->count) {
            break;
        }
    }
}

const etw_schema *etw_kernel_schema(const etw_guid *class_guid, uint8_t opcode, uint8_t version) {
    const etw_schema *best = NULL, *lowest = NULL;
    krange r;
    size_t i;
    int ci;
    if (!class_guid)
        return NULL;
    ci = class_index(class_guid);
    if (ci < 0)
        return NULL;
    class_range(ci, &r);
    for (i = r.first; i < (size_t)r.first + r.count; i++) {
        const etw_schema *s = &k_schemas[i];
        if (s->opcode != opcode)
            continue;
        if (s->version <= version && (!best || s->version > best->version))
            best = s;
        if (!lowest || s->version < lowest->version)
            lowest = s;
    }
    return best ? best : lowest;
}

const char *etw_kernel_task_name(const etw_guid *class_guid) {
    int ci = class_guid ? class_index(class_guid) : -1;
    return ci < 0 ? NULL : k_classes[ci].task;
}

const char *etw_kernel_opcode_name(const etw_guid *class_guid, uint8_t opcode) {
    const etw_schema *s = etw_kernel_schema(class_guid, opcode, 0xFF);
    size_t i;
    int ci;
    if (s)
        return s->opcode_name;
    ci = class_guid ? class_index(class_guid) : -1;
    if (ci < 0)
        return NULL;
    for (i = 0; i < N_(k_names); i++)
        if (k_names[i].cls == ci && k_names[i].opcode == opcode)
            return k_names[i].name;
    return NULL;
}
