"""Build of the etw._etw extension (the C core + CPython binding).

Environment switches (used by CI and developers):
  ETW_WERROR=1    treat compiler warnings as errors
  ETW_SANITIZE=1  build with AddressSanitizer + UndefinedBehaviorSanitizer
  ETW_DEBUG=1     -O0 -g
"""
import os
import sys

from setuptools import Extension, setup

CORE = [
    "error.c",
    "record.c",
    "logfile.c",
    "lz77.c",
    "reader.c",
    "batch.c",
    "ring.c",
    "pipeline.c",
    "scan.c",
    "schema.c",
    "schema_tl.c",
    "schema_tei.c",
    "schema_kernel.c",
    "decode.c",
    "schema_wevt.c",
    "schema_export.c",
    "inband.c",
    "columns.c",
    "fallback.c",
]
PY = ["module.c", "event.c", "trace.c", "props.c", "tojson.c", "wevt_py.c", "columns_py.c",
      "fallback_py.c", "propcols.c"]

sources = [os.path.join("etwmodule", "core", f) for f in CORE]
sources += [os.path.join("etwmodule", "py", f) for f in PY]

extra_compile_args = []
extra_link_args = []
libraries = []
define_macros = []

if sys.platform == "win32":
    sources.append(os.path.join("etwmodule", "win", "platform_win.c"))
    # The live backend (etw.live): ETW controller/consumer wrappers and their binding.
    # module.c calls etwpy_live_add() when ETW_HAVE_LIVE is defined.
    sources += [os.path.join("etwmodule", "win", f) for f in ("session.c", "consumer.c")]
    sources.append(os.path.join("etwmodule", "py", "live_py.c"))
    define_macros.append(("ETW_HAVE_LIVE", "1"))
    libraries += ["advapi32", "tdh", "ole32"]
    if os.environ.get("ETW_WERROR") == "1":
        extra_compile_args += ["/WX"]
    extra_compile_args += ["/W4", "/std:c11"]
else:
    sources.append(os.path.join("etwmodule", "core", "platform_posix.c"))
    extra_compile_args += [
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Wshadow",
        "-Wstrict-prototypes",
        "-Wmissing-prototypes",
        "-Wpointer-arith",
        "-Wformat=2",
        "-fvisibility=hidden",
    ]
    libraries += ["pthread"]
    if os.environ.get("ETW_WERROR") == "1":
        extra_compile_args.append("-Werror")
    if os.environ.get("ETW_DEBUG") == "1":
        extra_compile_args += ["-O0", "-g"]
    else:
        extra_compile_args += ["-O2"]
    if os.environ.get("ETW_SANITIZE") == "1":
        # -fno-wrapv: Python's own flags carry -fwrapv, which hides signed
        # overflow from UBSan.
        san = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
               "-fno-sanitize-recover=undefined", "-fno-wrapv"]
        extra_compile_args += san + ["-g"]
        extra_link_args += san

setup(
    ext_modules=[
        Extension(
            "etw._etw",
            sources=sources,
            include_dirs=[os.path.join("etwmodule", "core")],
            define_macros=define_macros,
            extra_compile_args=extra_compile_args,
            extra_link_args=extra_link_args,
            libraries=libraries,
        )
    ],
)
