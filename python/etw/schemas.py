"""Schema sources for manifest-based events: ``etw.Schemas``.

A trace that was not merged carries no schema for its manifest-based
providers.  ``Schemas`` collects them from wherever they are and hands them to
a trace on demand::

    import etw
    from etw.schemas import Schemas

    s = Schemas(["HttpService.man",            # instrumentation manifest
                 "C:/drivers/mydriver.sys",    # PE with a WEVT_TEMPLATE resource
                 "manifests/",                 # directory, searched lazily by GUID
                 "trace.etwpack"])             # a schema pack (see export())
    for ev in etw.open("trace.etl", schemas=s):
        ...

Accepted sources (a path, bytes, or a list of them):

* instrumentation manifests (``.man``/``.xml``; providers under
  ``<instrumentationManifest>`` or, in Windows component manifests, under
  ``<assembly>``) - see :mod:`etw._manifest` for what is read and how;
* PE images (``.dll``/``.exe``/``.sys``/``.mui``) holding a ``WEVT_TEMPLATE``
  resource (its ``MESSAGETABLE`` gives the message texts), read with a
  portable PE parser (:mod:`etw._pe`) and the C template parser;
* raw compiled templates (mc.exe's ``*TEMP.BIN``, starting with ``CRIM``);
* schema packs written by :meth:`Schemas.export` (named ``*.etwpack`` by
  convention; recognised by their ``ETWSPACK`` magic whatever the name, also
  in directories);
* TMF files / directories for WPP (kept for :attr:`Schemas.tmf`);
* directories of all of these (by extension: ``.man``/``.xml``, the PE
  ones, ``.bin``, ``.etwpack``, ``.tmf``; packs by their magic): only indexed
  (which provider GUIDs each file describes) when a provider is first asked
  for, and only the files describing it are parsed.

Everything becomes TRACE_EVENT_INFO / EVENT_MAP_INFO blobs (:mod:`etw._tei`),
the format the C registry reads.  Priority: a trace's own schemas
(TraceLogging metadata, injected EventMetadata, .NET EventSource manifests in
the trace) win over these, which win over the built-in kernel tables; among
these, the first source describing an event wins (sources in the order
given).  The C registry ranks each schema and map by its source, so a trace's
schema that arrives after a user's one was registered for the same event
replaces it from then on (events already decoded keep theirs).  An in-band
manifest that comes late in a trace is used by the events after it, and by
the events before it that are looked up once the reader, which runs ahead of
them (up to ~20000 records), has passed it; earlier events use the user's
schema or have none.  ``Schemas.add_inband(path)`` reads a trace's in-band
manifests beforehand (one extra pass over the file) when every event must use
them.

Schema pack format (``export``/``add_pack``), little-endian::

    offset  size  field
    0       8     magic  b"ETWSPACK"
    8       4     format version (1)
    12      4     number of entries N
    16      4     CRC-32 (zlib.crc32) of every byte after the 24-byte header
    20      4     reserved (0)
    24      ...   N entries: u8 kind (1 = TRACE_EVENT_INFO blob,
                  2 = provider GUID + EVENT_MAP_INFO blob), u8 source
                  (0 unknown, 1 manifest, 2 compiled template, 3 in-band
                  EventSource manifest, 4 other pack / TDH), u16 reserved (0),
                  u32 byte length L, then L bytes of blob

The trace-side entry points are :meth:`Schemas._provide` (called by the
binding once per provider whose events miss a schema) and the module-level
:func:`provide`, which also handles ``schemas=None`` and plain lists/paths.
"""

from __future__ import annotations

import gc
import os
import re
import struct
import uuid
import weakref
import zlib
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from ._manifest import ManifestError, ProviderManifest, looks_like_manifest, parse_manifest
from ._pe import PeError, PeResources, is_pe, read_resources, read_resources_file
from ._tei import EventMap, EventSchema, pack_emi_record, pack_tei, parse_emi_record, parse_tei

__all__ = [
    "Schemas",
    "provide",
    "format_message",
    "reassemble_inband",
    "PACK_MAGIC",
    "SOURCE_NAMES",
]

PACK_MAGIC = b"ETWSPACK"
PACK_VERSION = 1
_PACK_HEADER = struct.Struct("<8sIIII")
_PACK_ENTRY = struct.Struct("<BBHI")
_KIND_CODES = {"tei": 1, "emi": 2}
_KIND_NAMES = {1: "tei", 2: "emi"}

#: Where a blob came from (pack "source" byte and Schemas.source_of()).
SOURCE_NAMES = {0: "unknown", 1: "manifest", 2: "wevt", 3: "inband", 4: "pack"}
_SOURCE_CODES = {v: k for k, v in SOURCE_NAMES.items()}

_MANIFEST_EXT = {".man", ".xml"}
_PE_EXT = {".dll", ".exe", ".sys", ".mui", ".ocx", ".cpl", ".drv"}
_CRIM_EXT = {".bin"}
_PACK_EXT = {".etwpack"}
_TMF_EXT = {".tmf"}

_GUID_ATTR = re.compile(
    r"<(?:\w+:)?provider\b[^>]*?\bguid\s*=\s*[\"']\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?[\"']", re.S)

PathArg = Union[str, bytes, "os.PathLike[str]"]


def _etw_module():
    from . import _etw
    return _etw


def _wevt_to_blobs(crim: bytes, msgtable: Optional[bytes]) -> List[Tuple[str, bytes]]:
    fn = getattr(_etw_module(), "_wevt_to_blobs", None)
    if fn is None:
        raise RuntimeError("this build of etw._etw has no _wevt_to_blobs (compiled templates "
                           "need it)")
    return fn(crim, msgtable)


def _blob_provider(kind: str, blob: bytes) -> uuid.UUID:
    """Provider GUID a blob is filed under (class GUID for MOF TEI blobs)."""
    if kind == "tei":
        if len(blob) >= 52 and struct.unpack_from("<I", blob, 48)[0] == 1:
            return uuid.UUID(bytes_le=bytes(blob[16:32]))
        return uuid.UUID(bytes_le=bytes(blob[0:16]))
    return uuid.UUID(bytes_le=bytes(blob[0:16]))


def _blob_key(kind: str, blob: bytes) -> tuple:
    """Registry key of a blob: the first one wins within a Schemas, as in the C
    registry among sources of the same rank."""
    if kind == "tei":
        dsrc = struct.unpack_from("<I", blob, 48)[0]
        if dsrc == 1:
            return ("classic", bytes(blob[16:32]), blob[37], blob[34])
        return ("manifest", bytes(blob[0:16]), struct.unpack_from("<H", blob, 32)[0], blob[34])
    m = parse_emi_record(blob)
    return ("map", bytes(blob[0:16]), m.name)


def _crim_providers(crim: bytes) -> List[uuid.UUID]:
    if len(crim) < 16 or crim[:4] != b"CRIM":
        return []
    n = struct.unpack_from("<I", crim, 12)[0]
    out = []
    for i in range(n):
        o = 16 + 20 * i
        if o + 16 > len(crim):
            break
        out.append(uuid.UUID(bytes_le=bytes(crim[o:o + 16])))
    return out


def _read_text_head(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return data[2:].decode("utf-16-le", "ignore")
    return data.decode("utf-8", "ignore")


def _sniff(data: bytes, ext: str) -> Optional[str]:
    head = data[:4096]
    if head[:8] == PACK_MAGIC:
        return "pack"
    if head[:4] == b"CRIM":
        return "crim"
    if is_pe(head):
        return "pe"
    if ext in _TMF_EXT:
        return "tmf"
    if looks_like_manifest(head):
        return "manifest"
    if ext in _MANIFEST_EXT and _read_text_head(head).lstrip("\ufeff \t\r\n").startswith("<"):
        return "manifest"  # XML whose instrumentation section starts further on
    return None


def _has_pack_magic(path: str) -> bool:
    """Whether a file starts with the schema pack magic (packs are recognised by
    their content in directories, whatever their name)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(PACK_MAGIC)) == PACK_MAGIC
    except OSError:
        return False


def _read_source_file(path: str) -> Tuple[Optional[str], bytes]:
    """(kind, bytes) of a source file: the whole file, except for a PE image
    (kind "pe", its first 4 KiB only: its resources are read with
    read_resources_file, so a large binary is not read whole). Raises OSError."""
    with open(path, "rb") as f:
        head = f.read(4096)
        kind = _sniff(head, os.path.splitext(path)[1].lower())
        if kind == "pe" or len(head) < 4096:
            return kind, head
        return kind, head + f.read()


class _FileEntry:
    __slots__ = ("path", "kind", "guids", "loaded", "from_dir")

    def __init__(self, path: str, kind: Optional[str], from_dir: bool):
        self.path = path
        self.kind = kind
        self.guids: Optional[Set[uuid.UUID]] = None
        self.loaded = False
        self.from_dir = from_dir


class Schemas:
    """A reusable collection of schema sources (see the module documentation).

    ``Schemas(sources=None, *, recursive=False)``: sources is a path, bytes,
    manifest XML text, or an iterable of them (or another Schemas); directories are walked
    recursively when ``recursive`` is true.  Files given by path are read at
    once (errors raise); files found in directories are read when a provider
    they describe is asked for (errors go to :attr:`warnings`).
    """

    def __init__(self, sources: object = None, *, recursive: bool = False):
        self.recursive = recursive
        #: Problems met while loading sources lazily (text).
        self.warnings: List[str] = []
        # provider -> {key: (kind, blob, source)} in insertion order
        self._by_provider: Dict[uuid.UUID, Dict[tuple, Tuple[str, bytes, str]]] = {}
        # provider -> parsed (schemas, maps), dropped when the provider gets a blob
        self._parsed: Dict[uuid.UUID, Tuple[List[EventSchema], List[EventMap]]] = {}
        self._files: List[_FileEntry] = []
        self._known_paths: Set[str] = set()
        self._tmf_paths: List[str] = []
        self._tmf = None
        self._manifests: List[ProviderManifest] = []
        if sources is not None:
            self.add(sources)

    # ------------------------------------------------------------ adding

    def add(self, source: object) -> "Schemas":
        """Add one source or an iterable of sources; returns self."""
        if isinstance(source, Schemas):
            for prov, entries in source._all_entries():
                for kind, blob, src in entries:
                    self._add_blob(kind, blob, src)
            self._tmf_paths.extend(source._tmf_paths)
            return self
        if isinstance(source, ProviderManifest):
            self._add_provider_manifest(source, "manifest")
            return self
        if isinstance(source, (bytes, bytearray, memoryview)):
            self.add_bytes(bytes(source))
            return self
        if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
            self.add_manifest(source, source="<text>")  # manifest XML given as text
            return self
        if isinstance(source, (str, os.PathLike)):
            self._add_path(os.fspath(source))
            return self
        if isinstance(source, Iterable):
            for s in source:
                self.add(s)
            return self
        raise TypeError("cannot use %r as a schema source" % (source,))

    def add_bytes(self, data: bytes, *, source: Optional[str] = None) -> int:
        """Add a source held in memory (manifest text, CRIM blob, PE image or
        schema pack). Returns the number of schemas and maps added."""
        kind = _sniff(data, "")
        if kind == "pack":
            return self.add_pack(data)
        if kind == "crim":
            return self.add_wevt(data, source=source)
        if kind == "pe":
            return self._add_pe_bytes(data, source or "<bytes>")
        if kind == "manifest":
            return self.add_manifest(data, source=source)
        raise ValueError("%s: not a manifest, compiled template, PE image or schema pack"
                         % (source or "<bytes>"))

    def add_manifest(self, data: Union[bytes, str], *, source: Optional[str] = None,
                     origin: str = "manifest") -> int:
        """Add an instrumentation manifest (XML bytes or text). Returns the
        number of schemas and maps added (duplicates of earlier ones excluded)."""
        n = 0
        for pm in parse_manifest(data, source=source):
            n += self._add_provider_manifest(pm, origin)
            self.warnings.extend("%s: %s" % (source or pm.name, w) for w in pm.warnings)
        return n

    def add_wevt(self, crim: bytes, msgtable: Optional[bytes] = None, *,
                 source: Optional[str] = None) -> int:
        """Add a compiled template ("CRIM" blob), optionally with the
        MESSAGETABLE resource that holds its texts."""
        n = 0
        for kind, blob in _wevt_to_blobs(bytes(crim), msgtable):
            n += self._add_blob(kind, blob, "wevt")
        return n

    def add_pe(self, path: PathArg) -> int:
        """Add the WEVT_TEMPLATE resource of a PE file."""
        p = os.fspath(path)
        return self._add_pe_resources(read_resources_file(p), p)

    def add_pack(self, data_or_path: Union[bytes, PathArg]) -> int:
        """Add a schema pack (bytes or path) written by :meth:`export`."""
        if isinstance(data_or_path, (bytes, bytearray, memoryview)):
            data = bytes(data_or_path)
        else:
            with open(os.fspath(data_or_path), "rb") as f:
                data = f.read()
        n = 0
        for kind, blob, src in read_pack(data):
            n += self._add_blob(kind, blob, src)
        return n

    def add_inband(self, trace_or_path: object) -> int:
        """Add the .NET EventSource manifests a trace file carries (events
        with Id 0xFFFE), read in one C pass over the file. Returns the number
        of schemas and maps added."""
        path = getattr(trace_or_path, "path", trace_or_path)
        scan = getattr(_etw_module(), "_inband_scan", None)
        if scan is not None:
            found = scan(path)
        else:
            from . import open as _open
            found = reassemble_inband(_open(path, order="file"))
        n = 0
        for _prov, text in found:
            n += self.add_manifest(text, source="in-band manifest", origin="inband")
        return n

    # ------------------------------------------------------------ internals

    def _add_provider_manifest(self, pm: ProviderManifest, origin: str) -> int:
        self._manifests.append(pm)
        n = 0
        for m in pm.maps:
            n += self._add_blob("emi", pack_emi_record(m), origin)
        for s in pm.schemas():
            n += self._add_blob("tei", pack_tei(s), origin)
        return n

    def _add_blob(self, kind: str, blob: bytes, source: str) -> int:
        # Blobs are kept in the canonical layout (validated, raises ValueError):
        # every string present, nothing the registry does not read.
        if kind == "tei":
            blob = pack_tei(parse_tei(blob))
        elif kind == "emi":
            blob = pack_emi_record(parse_emi_record(blob))
        else:
            raise ValueError("unknown blob kind %r" % (kind,))
        prov = _blob_provider(kind, blob)
        key = _blob_key(kind, blob)
        d = self._by_provider.setdefault(prov, {})
        if key in d:
            return 0
        d[key] = (kind, bytes(blob), source)
        self._parsed.pop(prov, None)
        return 1

    def _add_pe_bytes(self, data: bytes, where: str) -> int:
        return self._add_pe_resources(read_resources(data), where)

    def _add_pe_resources(self, res: PeResources, where: str) -> int:
        crims = res.find("WEVT_TEMPLATE")
        if not crims:
            raise PeError("%s has no WEVT_TEMPLATE resource" % where)
        mts = res.find(11)
        mt = mts[0] if mts else self._mui_message_table(where)
        n = 0
        for crim in crims:
            for kind, blob in _wevt_to_blobs(crim, mt):
                n += self._add_blob(kind, blob, "wevt")
        return n

    @staticmethod
    def _mui_message_table(where: str) -> Optional[bytes]:
        """MESSAGETABLE of a satellite <dir>/<culture>/<name>.mui (en-US first)."""
        if not os.path.isfile(where):
            return None
        d, name = os.path.split(where)
        try:
            cultures = sorted(os.listdir(d), key=lambda c: (c.lower() != "en-us", c))
        except OSError:
            return None
        for c in cultures:
            mui = os.path.join(d, c, name + ".mui")
            if os.path.isfile(mui):
                try:
                    found = read_resources_file(mui).find(11)
                except (OSError, PeError):
                    continue
                if found:
                    return found[0]
        return None

    def _add_path(self, p: str) -> None:
        if os.path.isdir(p):
            if p in self._known_paths:
                return
            self._known_paths.add(p)
            has_tmf = False
            for f in self._walk(p):
                ext = os.path.splitext(f)[1].lower()
                if ext in _TMF_EXT:
                    has_tmf = True
                    continue
                if (ext in _MANIFEST_EXT or ext in _PE_EXT or ext in _CRIM_EXT
                        or ext in _PACK_EXT or _has_pack_magic(f)):
                    if f not in self._known_paths:
                        self._known_paths.add(f)
                        self._files.append(_FileEntry(f, None, True))
            if has_tmf:
                self._tmf_paths.append(p)
                self._tmf = None
            return
        ext = os.path.splitext(p)[1].lower()
        if ext in _TMF_EXT:
            self._tmf_paths.append(p)
            self._tmf = None
            return
        if p in self._known_paths:
            return
        self._known_paths.add(p)
        entry = _FileEntry(p, None, False)
        self._files.append(entry)
        self._load_file(entry)

    def _walk(self, d: str) -> Iterator[str]:
        if self.recursive:
            for root, dirs, files in os.walk(d):
                dirs.sort()
                for f in sorted(files):
                    yield os.path.join(root, f)
        else:
            try:
                names = sorted(os.listdir(d))
            except OSError as e:
                self.warnings.append("%s: %s" % (d, e))
                return
            for f in names:
                full = os.path.join(d, f)
                if os.path.isfile(full):
                    yield full

    def _load_file(self, entry: _FileEntry) -> None:
        """Parses a file into blobs. Errors raise for files given by name and
        become warnings for files found in directories."""
        entry.loaded = True
        try:
            kind, data = _read_source_file(entry.path)
            entry.kind = kind
            if kind == "pe":
                self._add_pe_resources(read_resources_file(entry.path), entry.path)
            elif kind == "pack":
                self.add_pack(data)
            elif kind == "crim":
                self.add_wevt(data, source=entry.path)
            elif kind == "manifest":
                self.add_manifest(data, source=entry.path)
            elif kind == "tmf":
                self._tmf_paths.append(entry.path)
                self._tmf = None
            else:
                raise ValueError("%s: not a manifest, compiled template, PE image or schema pack"
                                 % entry.path)
        except (OSError, ValueError, RuntimeError) as e:
            if not entry.from_dir:
                raise
            self.warnings.append("%s: %s" % (entry.path, e))

    def _index_file(self, entry: _FileEntry) -> None:
        """Which provider GUIDs a directory file describes (cheap scan)."""
        guids: Set[uuid.UUID] = set()
        try:
            kind, data = _read_source_file(entry.path)
            entry.kind = kind
            if kind == "manifest":
                guids = {uuid.UUID(g) for g in _GUID_ATTR.findall(_read_text_head(data))}
            elif kind == "crim":
                guids = set(_crim_providers(data))
            elif kind == "pe":
                for crim in read_resources_file(entry.path).find("WEVT_TEMPLATE"):
                    guids.update(_crim_providers(crim))
            elif kind == "pack":
                guids = {_blob_provider(k, b) for k, b, _s in read_pack(data)}
        except (OSError, ValueError) as e:
            self.warnings.append("%s: %s" % (entry.path, e))
        entry.guids = guids

    def _ensure_provider(self, provider: uuid.UUID) -> None:
        for entry in self._files:
            if entry.loaded:
                continue
            if entry.guids is None:
                self._index_file(entry)
            if provider in entry.guids:
                self._load_file(entry)

    def _ensure_all(self) -> None:
        for entry in self._files:
            if not entry.loaded:
                self._load_file(entry)

    def _all_entries(self) -> Iterator[Tuple[uuid.UUID, List[Tuple[str, bytes, str]]]]:
        self._ensure_all()
        for prov, d in self._by_provider.items():
            yield prov, list(d.values())

    # ------------------------------------------------------------ queries

    @property
    def tmf(self):
        """A :class:`etw.wpp.TmfDatabase` over the TMF files and directories
        given (None when etw.wpp is not available)."""
        if self._tmf is None:
            try:
                from .wpp import TmfDatabase
            except ImportError:
                return None
            self._tmf = TmfDatabase(list(self._tmf_paths), recursive=self.recursive)
        return self._tmf

    def providers(self) -> List[uuid.UUID]:
        """Every provider GUID described (loads every directory file)."""
        self._ensure_all()
        return [p for p, d in self._by_provider.items() if d]

    def blobs(self, provider: Union[uuid.UUID, str]) -> List[Tuple[str, bytes]]:
        """The ("tei"|"emi", blob) pairs describing a provider: maps first."""
        prov = uuid.UUID(str(provider)) if not isinstance(provider, uuid.UUID) else provider
        self._ensure_provider(prov)
        d = self._by_provider.get(prov, {})
        maps = [(k, b) for k, b, _s in d.values() if k == "emi"]
        teis = [(k, b) for k, b, _s in d.values() if k == "tei"]
        return maps + teis

    def _parsed_of(self, provider: Union[uuid.UUID, str]) -> Tuple[List[EventSchema],
                                                                    List[EventMap]]:
        prov = uuid.UUID(str(provider)) if not isinstance(provider, uuid.UUID) else provider
        blobs = self.blobs(prov)  # loads what describes prov (may add blobs)
        hit = self._parsed.get(prov)
        if hit is None:
            hit = ([parse_tei(b) for k, b in blobs if k == "tei"],
                   [parse_emi_record(b) for k, b in blobs if k == "emi"])
            self._parsed[prov] = hit
        return hit

    def schemas(self, provider: Union[uuid.UUID, str]) -> List[EventSchema]:
        """The event schemas of a provider (parsed from the blobs once, until the
        provider gets more)."""
        return list(self._parsed_of(provider)[0])

    def maps(self, provider: Union[uuid.UUID, str]) -> List[EventMap]:
        """The value maps / bitmaps of a provider."""
        return list(self._parsed_of(provider)[1])

    def find(self, provider: Union[uuid.UUID, str], id: int, version: int = 0, *,
             nearest: bool = True) -> Optional[EventSchema]:
        """The schema of (provider, id, version); with ``nearest`` a missing
        version falls back to the highest lower one (as TDH does)."""
        best = None
        for s in self._parsed_of(provider)[0]:
            if s.id != id:
                continue
            if s.version == version:
                return s
            if nearest and s.version < version and (best is None or s.version > best.version):
                best = s
        return best

    def source_of(self, provider: Union[uuid.UUID, str], id: int, version: int) -> Optional[str]:
        """Where the schema of (provider, id, version) came from: "manifest",
        "wevt", "inband", "pack" - or None when not described."""
        prov = uuid.UUID(str(provider)) if not isinstance(provider, uuid.UUID) else provider
        self._ensure_provider(prov)
        e = self._by_provider.get(prov, {}).get(("manifest", prov.bytes_le, id, version))
        return e[2] if e else None

    def __contains__(self, provider: object) -> bool:
        try:
            prov = uuid.UUID(str(provider)) if not isinstance(provider, uuid.UUID) else provider
        except ValueError:
            return False
        self._ensure_provider(prov)
        return bool(self._by_provider.get(prov))

    def __len__(self) -> int:
        self._ensure_all()
        return sum(1 for d in self._by_provider.values() for k in d if k[0] != "map")

    def __repr__(self) -> str:
        loaded = sum(1 for d in self._by_provider.values() for k in d if k[0] != "map")
        lazy = sum(1 for f in self._files if not f.loaded)
        return "<etw.Schemas %d schemas of %d providers%s>" % (
            loaded, sum(1 for d in self._by_provider.values() if d),
            ", %d files not read yet" % lazy if lazy else "")

    # ------------------------------------------------------------ traces

    def _provide(self, trace: object, provider: Union[uuid.UUID, str]) -> int:
        """Called by the binding when events of ``provider`` miss a schema:
        adds the trace's in-band manifests that arrived since the last call
        (all providers: they take precedence), then every schema and map this
        collection has for ``provider``. Returns the number added."""
        prov = uuid.UUID(str(provider)) if not isinstance(provider, uuid.UUID) else provider
        n = _drain_inband(trace)
        for kind, blob in self.blobs(prov):
            n += _registry_add(trace, kind, blob, self.source_of_blob(prov, kind, blob))
        return n

    def source_of_blob(self, provider: uuid.UUID, kind: str, blob: bytes) -> str:
        e = self._by_provider.get(provider, {}).get(_blob_key(kind, blob))
        return e[2] if e else "unknown"

    # ------------------------------------------------------------ export

    def export(self, path: PathArg, trace: object = None, *,
               providers: Optional[Iterable[Union[uuid.UUID, str]]] = None) -> int:
        """Write a schema pack (format in the module documentation).

        With ``trace`` (an etw.Trace or a path), only what that trace needs is
        written: the schemas of the (provider, event id) pairs it contains, in
        every version, with the maps they use, plus the in-band EventSource
        manifests it carries.  ``providers`` restricts to those providers.
        Otherwise every schema known is written.  Returns the number of
        entries written.
        """
        wanted_ids: Optional[Dict[uuid.UUID, Set[int]]] = None
        extra = Schemas()
        if trace is not None:
            from . import scan as _scan
            tpath = getattr(trace, "path", trace)
            counts = _scan(tpath)["counts"]
            wanted_ids = {}
            for (prov, eid, _opcode) in counts:
                wanted_ids.setdefault(prov, set()).add(eid)
            try:
                extra.add_inband(tpath)
            except (OSError, ValueError):
                pass
        if providers is not None:
            keep = {uuid.UUID(str(p)) for p in providers}
        else:
            keep = None
        entries: List[Tuple[str, bytes, str]] = []
        seen: Set[tuple] = set()
        sources = [extra, self]
        for src in sources:
            if wanted_ids is not None:
                provs = [p for p in wanted_ids if keep is None or p in keep]
            elif keep is not None:
                provs = list(keep)
            else:
                provs = src.providers()
            for prov in provs:
                src._ensure_provider(prov)
                d = src._by_provider.get(prov, {})
                chosen = []
                maps_needed: Set[str] = set()
                for key, (kind, blob, origin) in d.items():
                    if kind != "tei":
                        continue
                    if wanted_ids is not None and key[0] == "manifest" and key[2] not in wanted_ids[prov]:
                        continue
                    chosen.append((key, kind, blob, origin))
                    maps_needed.update(p.map_name for p in parse_tei(blob).props if p.map_name)
                for key, (kind, blob, origin) in d.items():
                    if kind == "emi" and (wanted_ids is None or key[2] in maps_needed):
                        if key not in seen:
                            seen.add(key)
                            entries.append((kind, blob, origin))
                for key, kind, blob, origin in chosen:
                    if key not in seen:
                        seen.add(key)
                        entries.append((kind, blob, origin))
        data = write_pack(entries)
        with open(os.fspath(path), "wb") as f:
            f.write(data)
        return len(entries)


# ---------------------------------------------------------------- packs

def write_pack(entries: Sequence[Tuple[str, bytes, str]]) -> bytes:
    """Serialize (kind, blob, source) entries as a schema pack."""
    body = bytearray()
    for kind, blob, source in entries:
        body += _PACK_ENTRY.pack(_KIND_CODES[kind], _SOURCE_CODES.get(source, 0), 0, len(blob))
        body += blob
    head = _PACK_HEADER.pack(PACK_MAGIC, PACK_VERSION, len(entries), zlib.crc32(body) & 0xFFFFFFFF, 0)
    return head + bytes(body)


def read_pack(data: bytes) -> List[Tuple[str, bytes, str]]:
    """Parse a schema pack into (kind, blob, source) entries. Raises ValueError."""
    if len(data) < _PACK_HEADER.size or data[:8] != PACK_MAGIC:
        raise ValueError("not a schema pack (no ETWSPACK header)")
    _magic, version, count, crc, _res = _PACK_HEADER.unpack_from(data, 0)
    if version != PACK_VERSION:
        raise ValueError("schema pack version %d is not supported" % version)
    body = memoryview(data)[_PACK_HEADER.size:]
    if zlib.crc32(body) & 0xFFFFFFFF != crc:
        raise ValueError("schema pack checksum mismatch (damaged file)")
    out = []
    off = 0
    for i in range(count):
        if off + _PACK_ENTRY.size > len(body):
            raise ValueError("schema pack entry %d past the end" % i)
        kind, source, _r, n = _PACK_ENTRY.unpack_from(body, off)
        off += _PACK_ENTRY.size
        if kind not in _KIND_NAMES or off + n > len(body):
            raise ValueError("schema pack entry %d: kind %d, %d bytes" % (i, kind, n))
        out.append((_KIND_NAMES[kind], bytes(body[off:off + n]),
                    "pack" if source == 0 else SOURCE_NAMES.get(source, "pack")))
        off += n
    if off != len(body):
        raise ValueError("schema pack has %d bytes after its last entry" % (len(body) - off))
    return out


# ---------------------------------------------------------------- trace hooks

_registry_sources = True     # whether Trace._registry_add takes a source argument
_inband_done: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_coerced: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _registry_add(trace: object, kind: str, blob: bytes, source: str) -> int:
    global _registry_sources
    if _registry_sources:
        try:
            return 1 if trace._registry_add(kind, blob, source) else 0  # type: ignore[attr-defined]
        except TypeError:
            _registry_sources = False
    return 1 if trace._registry_add(kind, blob) else 0  # type: ignore[attr-defined]


# Packed schemas of in-band manifests already parsed in this process, by the manifest's
# bytes: the same EventSource manifests (the .NET runtime's, an application's) come back
# in every trace a machine records, and in every re-read of one trace. Bounded; the
# oldest entry goes first.
_INBAND_CACHE_MAX = 128
_inband_cache: "Dict[bytes, List[Tuple[str, bytes]]]" = {}


def _inband_blobs(text: bytes) -> List[Tuple[str, bytes]]:
    """[(kind, packed blob)] of one in-band manifest ("emi" maps, then "tei" schemas);
    [] when it does not parse."""
    hit = _inband_cache.get(text)
    if hit is not None:
        return hit
    # Parsing creates many small objects: the cyclic collector would walk every
    # object of the process (pyarrow, pandas, ...) several times for nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        blobs: List[Tuple[str, bytes]] = []
        try:
            pms = parse_manifest(text, source="in-band manifest")
        except ManifestError:
            pms = []
        for pm in pms:
            for m in pm.maps:
                blobs.append(("emi", pack_emi_record(m)))
            for sch in pm.schemas():
                blobs.append(("tei", pack_tei(sch)))
    finally:
        if was_enabled:
            gc.enable()
    if len(_inband_cache) >= _INBAND_CACHE_MAX:
        _inband_cache.pop(next(iter(_inband_cache)))
    _inband_cache[bytes(text)] = blobs
    return blobs


def _drain_inband(trace: object) -> int:
    """Registers the in-band EventSource manifests that completed since the
    last call (Trace._inband_take, when the binding provides it)."""
    take = getattr(trace, "_inband_take", None)
    if take is None:
        return 0
    n = 0
    for _prov, text in take():
        for kind, blob in _inband_blobs(text):
            n += _registry_add(trace, kind, blob, "inband")
    return n


def provide(trace: object, provider: Optional[Union[uuid.UUID, str]]) -> int:
    """The binding's hook for a provider whose events miss a schema, whatever
    ``trace.schemas`` is (None, a Schemas, or anything Schemas() accepts:
    converted once per trace). Registers the trace's in-band manifests first.
    With provider None, only those (the binding calls it when the trace has
    completed a manifest: it outranks the user's schemas already registered).
    Returns the number of schemas and maps added."""
    src = getattr(trace, "schemas", None)
    if src is None or provider is None:
        return _drain_inband(trace)
    if not isinstance(src, Schemas):
        try:
            conv = _coerced.get(trace)
        except TypeError:
            conv = None
        if conv is None:
            conv = Schemas(src)
            try:
                _coerced[trace] = conv
            except TypeError:
                pass
        src = conv
    return src._provide(trace, provider)


def reassemble_inband(events: Iterable[object]) -> List[Tuple[uuid.UUID, bytes]]:
    """Pure-Python reassembly of EventSource manifests from events (anything
    with provider_id, id, opcode and payload): the same rules as the C
    collector (inband.c). Returns [(provider, manifest bytes)] in completion
    order, identical manifests of a provider once."""
    partial: Dict[uuid.UUID, Tuple[int, int, bytearray]] = {}
    kept: Dict[uuid.UUID, bytes] = {}
    out: List[Tuple[uuid.UUID, bytes]] = []
    for ev in events:
        if getattr(ev, "id", None) != 0xFFFE or getattr(ev, "opcode", None) != 0xFE:
            continue
        p = bytes(ev.payload)  # type: ignore[attr-defined]
        if len(p) < 8 or p[3] != 0x5B:
            continue
        total, number = struct.unpack_from("<HH", p, 4)
        prov = ev.provider_id  # type: ignore[attr-defined]
        if total == 0 or number >= total:
            continue
        if number == 0:
            partial[prov] = (total, 0, bytearray())
        st = partial.get(prov)
        if st is None or st[0] != total or st[1] != number:
            partial.pop(prov, None)
            continue
        buf = st[2]
        buf += p[8:]
        if number + 1 == total:
            partial.pop(prov, None)
            data = bytes(buf)
            if kept.get(prov) != data:
                kept[prov] = data
                out.append((prov, data))
        else:
            partial[prov] = (total, number + 1, buf)
    return out


# ---------------------------------------------------------------- messages

_MSG_TOKEN = re.compile(r"%(?:([1-9][0-9]?)(?:!([^!]*)!)?|(.))", re.S)


def format_message(message: Optional[str], values: Sequence[object]) -> Optional[str]:
    """Render an event message (FormatMessage syntax, as manifests and
    MESSAGETABLE resources write them) with the event's values.

    ``%1``..``%99`` insert ``values[n-1]`` (``%n!fmt!`` applies a printf
    conversion: d i u x X o c s S, with flags/width/precision); ``%n`` is a
    line break (CR LF), ``%t`` a tab, ``%r`` a carriage return, ``%b`` and
    ``% `` a space, ``%.`` ``%!`` ``%%`` the character, ``%0`` ends the text.
    An insert with no value stays as written.
    """
    if message is None:
        return None
    out: List[str] = []
    pos = 0
    for m in _MSG_TOKEN.finditer(message):
        out.append(message[pos:m.start()])
        pos = m.end()
        num, fmt, ch = m.groups()
        if num is not None:
            i = int(num) - 1
            if i >= len(values):
                out.append(m.group(0))
                continue
            out.append(_printf(fmt, values[i]))
        elif ch == "0":
            return "".join(out)
        elif ch == "n":
            out.append("\r\n")
        elif ch == "t":
            out.append("\t")
        elif ch == "r":
            out.append("\r")
        elif ch in ("b", " "):
            out.append(" ")
        elif ch in (".", "!", "%"):
            out.append(ch)
        else:
            out.append(m.group(0))
    out.append(message[pos:])
    return "".join(out)


_PRINTF = re.compile(r"^([-+ #0]*)(\d*)(?:\.(\d+))?(?:hh|h|ll|l|I64|I32|I|w|z)?([diuxXocsSp])$")


def _printf(fmt: Optional[str], value: object) -> str:
    if not fmt:
        return _as_text(value)
    m = _PRINTF.match(fmt)
    if not m:
        return _as_text(value)
    flags, width, prec, conv = m.groups()
    try:
        if conv in "diu":
            spec = "%" + flags + width + ("." + prec if prec else "") + "d"
            return spec % int(value)  # type: ignore[arg-type]
        if conv in "xXo":
            spec = "%" + flags + width + ("." + prec if prec else "") + conv
            return spec % (int(value) & 0xFFFFFFFFFFFFFFFF)  # type: ignore[arg-type]
        if conv == "p":
            return "%X" % int(value)  # type: ignore[arg-type]
        if conv == "c":
            return chr(int(value)) if not isinstance(value, str) else value[:1]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _as_text(value)
    spec = "%" + flags.replace("0", "") + width + ("." + prec if prec else "") + "s"
    return spec % _as_text(value)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex().upper()
    return str(value)


# ---- hooks of the binding for WPP events and messages --------------------------------

def _schemas_of(trace: object) -> Optional["Schemas"]:
    """trace.schemas as a Schemas object (converted once per trace), or None."""
    src = getattr(trace, "schemas", None)
    if src is None or isinstance(src, Schemas):
        return src
    try:
        conv = _coerced.get(trace)
    except TypeError:
        conv = None
    if conv is None:
        conv = Schemas(src)
        try:
            _coerced[trace] = conv
        except TypeError:
            pass
    return conv


def _wpp_decode(trace: object, ev: object):
    """The WppMessage of a WPP event from the trace's TMF files, or None."""
    src = _schemas_of(trace)
    db = src.tmf if src is not None else None
    if db is None:
        return None
    return db.decode(ev)


def _wpp_properties(trace: object, ev: object) -> dict:
    """The binding's hook: the arguments of a WPP event by their TMF names."""
    msg = _wpp_decode(trace, ev)
    return dict(msg.args) if msg is not None else {}


def _event_message(trace: object, ev: object) -> Optional[str]:
    """The binding's hook behind ``Event.message``: the formatted WPP message
    (tracefmt's rendering), or the manifest message string with ``%1``...
    filled in from the event's values; None when there is no message."""
    if getattr(ev, "kind", None) == "wpp":
        msg = _wpp_decode(trace, ev)
        return msg.message if msg is not None else None
    template = getattr(ev, "message_template", None)
    if template is None:
        return None
    return format_message(template, _message_values(ev))


_NUMBER_TEXT = re.compile(r"-?(?:0[xX][0-9A-Fa-f]+|[0-9]+)\Z")


def _message_values(ev: object) -> List[object]:
    """The inserts of an event's message: its top-level values, where an
    integer Windows renders as a name (a value map's entry, a bitmap's names
    joined with " | ": ``ev.format``) is that text, as Windows inserts it;
    other numbers stay as they are (decimal, unless the message's ``%n!x!``
    says otherwise)."""
    out: List[object] = []
    for name, value in ev.items():  # type: ignore[attr-defined]
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                text = ev.format(name)  # type: ignore[attr-defined]
            except (KeyError, ValueError, TypeError):
                text = None
            if isinstance(text, str) and not _NUMBER_TEXT.match(text):
                value = text
        out.append(value)
    return out


def _wpp_info(trace: object, ev: object):
    """The binding's hook behind ``Event.wpp``: the decoded WPP message (an
    etw.wpp.WppMessage with message, args, message_number, component, flags,
    level, function, file, line), or None."""
    if getattr(ev, "kind", None) != "wpp":
        return None
    return _wpp_decode(trace, ev)


def _wpp_reason(trace: object, ev: object) -> Optional[str]:
    """The binding's hook behind ``Event.wpp_reason``: why a WPP event has no
    message (no TMF files given, or none for its message GUID/number); None
    when it decodes, or for other events."""
    if getattr(ev, "kind", None) != "wpp":
        return None
    src = _schemas_of(trace)
    db = src.tmf if src is not None else None
    if db is None:
        return "no TMF files: pass the TMF files or their directory with schemas="
    return db.explain(ev)
