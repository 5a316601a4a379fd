#!/usr/bin/env bash
# mingw-check.sh - Windows build check without Windows: cross-compiles every
# portable core file and the Win32 layer with mingw-w64 (warnings are errors),
# builds the test program etwmodule/win/wintest and runs it under Wine when
# Wine can be had. Exits non-zero on any warning or failure.
#
# Idempotent; needs root (or sudo) only to install missing Debian packages.
# Environment knobs (all optional):
#   ETW_CORPUS        folder of the .etl corpus (default: <repo>/../shared/etl-corpus)
#   ETW_WINEPREFIX    Wine prefix to use (default: ~/.cache/etw-wine)
#   ETW_MINGW_NO_WINE=1   build only, do not install or run Wine
#   ETW_MINGW_KEEP=DIR    build into DIR and keep it (default: a temp dir, removed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CC=x86_64-w64-mingw32-gcc
CFLAGS=(-std=c11 -O2 -Wall -Wextra -Wpedantic -Wshadow -Werror)
LIBS=(-static -ladvapi32 -ltdh -lshell32)
CORPUS="${ETW_CORPUS:-$ROOT/../shared/etl-corpus}"
WINE_TIMEOUT=300

log() { printf '[mingw-check] %s\n' "$*"; }
hr() { printf '[mingw-check] ---- %s ----\n' "$*"; }
t_start=$(date +%s)

FAILURES=()   # human-readable list of what failed
fail() { FAILURES+=("$1"); log "FAIL: $1"; }

# ---- 1. tools: mingw-w64 always, Wine when the archive has it ---------------
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
fi
APT_UPDATED=0
# apt_candidate PKG: prints the installable version of PKG, or nothing.
apt_candidate() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '^(none)$' || true
}
# apt_install PKG...: installs the packages, refreshing the lists once if needed.
apt_install() {
    local p missing=0
    for p in "$@"; do [ -n "$(apt_candidate "$p")" ] || missing=1; done
    if [ "$missing" = 1 ] && [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

hr "tools"
if ! command -v "$CC" >/dev/null 2>&1; then
    apt_install gcc-mingw-w64-x86-64
fi
command -v "$CC" >/dev/null 2>&1 || { log "FAIL: $CC not available"; exit 1; }
log "compiler: $("$CC" --version | head -n1) ($(command -v "$CC"))"

# find_wine: prints the Wine loader to use (Debian's wine64 package puts it
# in /usr/lib/wine without a /usr/bin entry), or nothing.
find_wine() {
    local c
    for c in wine64 wine /usr/lib/wine/wine64 /usr/lib/wine/wine; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return; fi
    done
}
WINE=""
if [ "${ETW_MINGW_NO_WINE:-0}" != 1 ]; then
    WINE="$(find_wine)"
    if [ -z "$WINE" ]; then
        if [ -z "$(apt_candidate wine64)" ] && [ "$APT_UPDATED" = 0 ]; then
            "${SUDO[@]}" apt-get update -qq && APT_UPDATED=1
        fi
        if [ -n "$(apt_candidate wine64)" ]; then
            apt_install wine64 || log "NOTE: installing wine64 failed"
        else
            log "NOTE: no wine64 package in this archive"
        fi
        WINE="$(find_wine)"
    fi
    if [ -n "$WINE" ]; then
        log "wine: $("$WINE" --version 2>/dev/null || echo '?') ($WINE)"
    else
        log "NOTE: Wine unavailable: wintest will be built but NOT run"
    fi
else
    log "ETW_MINGW_NO_WINE=1: Wine not used"
fi

# ---- 2. cross-compile every core and win file ------------------------------
if [ -n "${ETW_MINGW_KEEP:-}" ]; then
    BUILD="$ETW_MINGW_KEEP"; mkdir -p "$BUILD"
else
    BUILD="$(mktemp -d /tmp/etw-mingw.XXXXXX)"
    trap 'rm -rf "$BUILD"' EXIT
fi
mkdir -p "$BUILD/obj"

hr "cross-compile ($CC ${CFLAGS[*]} -c)"
CORE_OBJS=()     # objects of core files that compiled
CORE_FAILED=0
WIN_OBJS=()
compiled=0; skipped=0
for src in "$ROOT"/etwmodule/core/*.c "$ROOT"/etwmodule/win/*.c; do
    [ -e "$src" ] || continue
    rel="${src#"$ROOT"/}"
    base="$(basename "$src" .c)"
    dir="$(basename "$(dirname "$src")")"
    # Not for Windows: the CPython binding (built by setup.py, not here) and
    # the POSIX twin of platform_win.c.
    if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]Python\.h[>"]' "$src"; then
        log "skip $rel (needs Python.h)"; skipped=$((skipped + 1)); continue
    fi
    case "$base" in *_posix)
        log "skip $rel (POSIX-only twin of win/platform_win.c)"; skipped=$((skipped + 1)); continue;;
    esac
    obj="$BUILD/obj/${dir}_${base}.o"
    if "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj" >"$BUILD/cc.log" 2>&1 && [ ! -s "$BUILD/cc.log" ]; then
        log "ok   $rel"
        compiled=$((compiled + 1))
        if [ "$dir" = core ]; then CORE_OBJS+=("$obj"); else WIN_OBJS+=("$obj"); fi
    else
        fail "compile $rel"
        sed -n '1,40p' "$BUILD/cc.log" | sed 's/^/    /'
        [ "$dir" = core ] && CORE_FAILED=1
        rm -f "$obj"
    fi
done
log "compiled $compiled file(s), skipped $skipped"

# ---- 2b. syntax-check the Windows-only CPython binding ----------------------
# etwmodule/py/live_py.c is built by setup.py on win32 only. No Windows CPython
# headers are available here, so it is checked with -fsyntax-only against a
# copy of the host's Python headers (pyconfig.h minus what mingw lacks). This
# catches syntax, declaration and API-use errors, not LLP64 size assumptions.
hr "syntax-check etwmodule/py/live_py.c (host Python headers)"
PYINC="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("INCLUDEPY") or "")' 2>/dev/null || true)"
if [ -f "$ROOT/etwmodule/py/live_py.c" ] && [ -n "$PYINC" ] && [ -f "$PYINC/Python.h" ]; then
    rm -rf "$BUILD/pyinc"
    cp -r "$PYINC" "$BUILD/pyinc"
    sed -i '/#define HAVE_SYS_SELECT_H 1/d' "$BUILD/pyinc/pyconfig.h"
    if "$CC" "${CFLAGS[@]}" -fsyntax-only -DETW_HAVE_LIVE=1 -I"$BUILD/pyinc" \
        -I"$ROOT/etwmodule/core" "$ROOT/etwmodule/py/live_py.c" >"$BUILD/cc.log" 2>&1 \
        && [ ! -s "$BUILD/cc.log" ]; then
        log "ok   etwmodule/py/live_py.c (syntax only)"
    else
        fail "syntax-check etwmodule/py/live_py.c"
        sed -n '1,40p' "$BUILD/cc.log" | sed 's/^/    /'
    fi
else
    log "NOTE: live_py.c or host Python headers absent: binding not checked"
fi

# ---- 3. build the Windows test program -------------------------------------
hr "build wintest"
WINTEST="$BUILD/wintest.exe"
WT_DEFS=()
CORE_LINK=()   # what the core contributes to the link (after the test objects)
WT_OBJS=()
if [ -e "$ROOT/etwmodule/core/reader.h" ] && [ -e "$ROOT/etwmodule/core/reader.c" ]; then
    if [ "$CORE_FAILED" = 0 ]; then
        # A static archive: the linker takes only the core objects the reader
        # needs, so unfinished parts of the core elsewhere do not matter.
        rm -f "$BUILD/libetwcore.a"
        "${CC%gcc}ar" rcs "$BUILD/libetwcore.a" "${CORE_OBJS[@]}"
        WT_DEFS=(-DETW_WINTEST_READER)
        CORE_LINK=("$BUILD/libetwcore.a")
        log "reader part: ON (core/reader.c present; linking libetwcore.a of ${#CORE_OBJS[@]} core objects)"
    else
        log "reader part: OFF (core files failed to compile, see above)"
    fi
else
    log "reader part: OFF (core/reader.h or core/reader.c not present yet)"
fi
if [ "${#CORE_LINK[@]}" = 0 ]; then
    # Without the reader only the error helper of the core is needed.
    for o in "${CORE_OBJS[@]}"; do
        case "$o" in */core_error.o) CORE_LINK=("$o");; esac
    done
    if [ "${#CORE_LINK[@]}" = 0 ]; then
        fail "core/error.c did not compile (wintest needs etw_error_set)"
    fi
fi
built=0
if [ -e "$BUILD/obj/win_platform_win.o" ] && [ "${#CORE_LINK[@]}" != 0 ]; then
    wt_ok=1
    for src in "$ROOT"/etwmodule/win/wintest/*.c; do
        obj="$BUILD/obj/wintest_$(basename "$src" .c).o"
        if "$CC" "${CFLAGS[@]}" "${WT_DEFS[@]}" -c "$src" -o "$obj" >"$BUILD/cc.log" 2>&1 \
            && [ ! -s "$BUILD/cc.log" ]; then
            WT_OBJS+=("$obj")
        else
            fail "compile ${src#"$ROOT"/}"
            sed -n '1,40p' "$BUILD/cc.log" | sed 's/^/    /'
            wt_ok=0
        fi
    done
    if [ "$wt_ok" = 1 ]; then
        # The other win/ objects (live backend) go in an archive after the
        # test objects: only what wintest references is linked.
        WIN_LIB=()
        rm -f "$BUILD/libetwwin.a"
        for o in "${WIN_OBJS[@]}"; do
            case "$o" in */win_platform_win.o) ;; *) WIN_LIB+=("$o");; esac
        done
        if [ "${#WIN_LIB[@]}" != 0 ]; then
            "${CC%gcc}ar" rcs "$BUILD/libetwwin.a" "${WIN_LIB[@]}"
            WIN_LIB=("$BUILD/libetwwin.a")
        fi
        if "$CC" -o "$WINTEST" "${WT_OBJS[@]}" "${WIN_LIB[@]}" "$BUILD/obj/win_platform_win.o" "${CORE_LINK[@]}" \
            "${LIBS[@]}" \
            >"$BUILD/ld.log" 2>&1 && [ ! -s "$BUILD/ld.log" ]; then
            log "linked $(basename "$WINTEST") ($(stat -c %s "$WINTEST") bytes; ${LIBS[*]})"
            built=1
        else
            fail "link wintest.exe"
            sed -n '1,40p' "$BUILD/ld.log" | sed 's/^/    /'
        fi
    fi
elif [ ! -e "$BUILD/obj/win_platform_win.o" ]; then
    fail "win/platform_win.c did not compile: wintest not built"
fi

# ---- 4. run it under Wine ---------------------------------------------------
hr "run wintest"
if [ "$built" = 1 ] && [ -n "$WINE" ]; then
    # ETL, buffers in the chain, records in all buffers (delivered + opaque);
    # counts from etl-corpus/SOURCES.md.
    ARGS=()
    add_etl() {
        if [ -f "$CORPUS/$1" ]; then
            ARGS+=("Z:${CORPUS//\//\\}\\$1" "$2" "$3")
        else
            log "NOTE: $CORPUS/$1 absent: not checked"
        fi
    }
    if [ -d "$CORPUS" ]; then
        CORPUS="$(cd "$CORPUS" && pwd)"
        add_etl tx_HTTP_Server.etl 36 2042
        add_etl perfview_SelfDescribingSingleEvent.etl 3 23
        add_etl perfview_net.4.5.2.x64.etl 360 179474
    else
        log "NOTE: corpus $CORPUS absent: .etl checks skipped"
    fi
    export WINEPREFIX="${ETW_WINEPREFIX:-${HOME:-/root}/.cache/etw-wine}"
    mkdir -p "$(dirname "$WINEPREFIX")"
    # -all: no Wine debug chatter; no Mono/Gecko install prompts on first use.
    export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    [ -d "$WINEPREFIX" ] || log "creating Wine prefix $WINEPREFIX (first run only)"
    log "$WINE wintest.exe ${ARGS[*]}"
    t0=$(date +%s)
    set +e
    (cd "$BUILD" && timeout -k 10 "$WINE_TIMEOUT" "$WINE" "$WINTEST" "${ARGS[@]}" </dev/null) \
        | tee "$BUILD/wintest.out"
    rc=${PIPESTATUS[0]}
    set -e
    log "wintest exit code $rc ($(( $(date +%s) - t0 )) s)"
    [ "$rc" = 124 ] && log "wintest timed out after ${WINE_TIMEOUT}s"
    [ "$rc" = 0 ] || fail "wintest.exe under Wine (exit $rc)"
    # A process Wine aborts (e.g. an unimplemented function was called) can
    # still exit 0: require the summary line wintest prints last.
    summary="$(tr -d '\r' <"$BUILD/wintest.out" | grep -E '^wintest: [0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)"
    if [ -z "$summary" ]; then
        fail "wintest.exe printed no summary line (crashed or aborted under Wine?)"
    elif [ "${summary%, 0 failed}" = "$summary" ]; then
        fail "wintest.exe: $summary"
    else
        log "checks: ${summary#wintest: }"
    fi
    # Stop the wineserver this run started, so nothing is left running.
    ws="$(command -v wineserver || echo /usr/lib/wine/wineserver)"
    if [ -x "$ws" ]; then
        "$ws" -k >/dev/null 2>&1 || true
        timeout 30 "$ws" -w >/dev/null 2>&1 || true
    fi
elif [ "$built" = 1 ]; then
    log "NOT RUN: Wine unavailable (build-only check)"
else
    log "NOT RUN: wintest was not built"
fi

# ---- summary ------------------------------------------------------------------
hr "summary ($(( $(date +%s) - t_start )) s)"
if [ "${#FAILURES[@]}" != 0 ]; then
    for f in "${FAILURES[@]}"; do log "FAILED: $f"; done
    log "mingw-check: FAILED (${#FAILURES[@]} problem(s))"
    exit 1
fi
log "mingw-check: OK"
