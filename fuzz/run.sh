#!/usr/bin/env bash
# run.sh - builds every libFuzzer harness in fuzz/ (fuzz_*.c) against the
# portable C core with AddressSanitizer + UndefinedBehaviorSanitizer, replays
# the committed regression inputs, generates the seed corpora
# (fuzz/make_seeds.py) and fuzzes each harness for N seconds.
#
#   fuzz/run.sh [SECONDS]      default 60 s per harness (CI: 30, and 60 for the
#                              reader and columns harnesses, the slowest per input)
#   fuzz/run.sh --replay       build, replay regressions and seeds once, no fuzzing
#
# Prints the executions per harness; exits non-zero when a harness crashes,
# hangs, leaks past the limits or breaks an invariant (the input is saved
# under $OUT/artifacts/<harness>/), or when the build fails. Self-contained:
# installs clang from the distribution when it is missing (root or sudo -n).
#
# Environment (optional):
#   ETW_FUZZ_OUT         build/work folder (default: fuzz/build, git-ignored)
#   ETW_CORPUS           real .etl corpus for seeds (default: <repo>/../shared/etl-corpus)
#   ETW_FUZZ_HARNESSES   space-separated subset, e.g. "reader lz77"
#   ETW_FUZZ_ARGS        extra libFuzzer arguments for every harness
#   ETW_FUZZ_TIME_<name> seconds for one harness instead of SECONDS, e.g.
#                        ETW_FUZZ_TIME_reader=120
#   CC                   a clang with libFuzzer (default: clang)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="${ETW_FUZZ_OUT:-$HERE/build}"
CORE="$ROOT/etwmodule/core"
SECONDS_EACH=60
REPLAY_ONLY=0
case "${1:-}" in
    --replay) REPLAY_ONLY=1 ;;
    "") ;;
    *[!0-9]*) echo "usage: $0 [SECONDS | --replay]" >&2; exit 2 ;;
    *) SECONDS_EACH="$1" ;;
esac

log() { printf '[fuzz] %s\n' "$*"; }

# ---- 1. a clang whose -fsanitize=fuzzer links ----------------------------
CC="${CC:-clang}"
probe_clang() {
    local dir
    command -v "$CC" >/dev/null 2>&1 || return 1
    dir="$(mktemp -d)"
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$dir/p.c"
    "$CC" -fsanitize=fuzzer,address,undefined "$dir/p.c" -o "$dir/p" >/dev/null 2>&1
    local ok=$?
    rm -rf "$dir"
    return $ok
}
if ! probe_clang; then
    log "no working '$CC -fsanitize=fuzzer': installing clang"
    SUDO=()
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends clang >/dev/null
    CC=clang
    probe_clang || { log "clang with libFuzzer is not usable"; exit 1; }
fi
log "$("$CC" --version | head -n1)"

# ---- 2. build: the core once, then each harness ---------------------------
PY="$(command -v python3 || command -v python)"
# The core sources the extension builds (setup.py's CORE list) plus the POSIX
# platform layer; harnesses link only what they use (static archive).
mapfile -t CORE_SRC < <("$PY" - "$ROOT/setup.py" <<'PYEOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CORE" for t in node.targets):
        for elt in node.value.elts:
            print(elt.value)
PYEOF
)
[ "${#CORE_SRC[@]}" -gt 0 ] || { log "cannot read the CORE list from setup.py"; exit 1; }
CORE_SRC+=(platform_posix.c)

SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CFLAGS=(-std=c11 -g -O1 -Wall -Wextra -Wpedantic -Wshadow "${SAN[@]}")
mkdir -p "$OUT/obj" "$OUT/bin"
rm -f "$OUT/obj/"*.o "$OUT/libetwcore.a"
for src in "${CORE_SRC[@]}"; do
    "$CC" "${CFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$CORE/$src" -o "$OUT/obj/${src%.c}.o"
done
ar rcs "$OUT/libetwcore.a" "$OUT/obj/"*.o

HARNESSES=()
if [ -n "${ETW_FUZZ_HARNESSES:-}" ]; then
    read -r -a HARNESSES <<<"$ETW_FUZZ_HARNESSES"
else
    for f in "$HERE"/fuzz_*.c; do
        n="$(basename "$f" .c)"
        HARNESSES+=("${n#fuzz_}")
    done
fi
for h in "${HARNESSES[@]}"; do
    "$CC" "${CFLAGS[@]}" -Werror -fsanitize=fuzzer -I"$CORE" -I"$HERE" \
        "$HERE/fuzz_$h.c" "$OUT/libetwcore.a" -lpthread -o "$OUT/bin/fuzz_$h"
done
log "built: ${HARNESSES[*]}"

# ---- 3. seeds --------------------------------------------------------------
"$PY" "$HERE/make_seeds.py" --out "$OUT/seeds" ${ETW_CORPUS:+--corpus "$ETW_CORPUS"} "${HARNESSES[@]}"

# ---- 4. replay regressions + seeds, then fuzz ------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
COMMON=(-timeout=25 -rss_limit_mb=3072 -print_final_stats=1)
declare -A EXECS STATUS
FAILED=0
for h in "${HARNESSES[@]}"; do
    bin="$OUT/bin/fuzz_$h"
    seeds="$OUT/seeds/$h"
    work="$OUT/corpus/$h"
    art="$OUT/artifacts/$h"
    mkdir -p "$seeds" "$work" "$art"
    dict=()
    [ -f "$HERE/$h.dict" ] && dict=(-dict="$HERE/$h.dict")
    extra=()
    case "$h" in
        reader) dict=(-dict="$HERE/etl.dict"); extra=(-max_len=131072) ;;
        record) dict=(-dict="$HERE/etl.dict"); extra=(-max_len=65536) ;;
    esac
    logf="$OUT/$h.log"
    # Regression inputs (every crash found so far) and the seeds, once each.
    inputs=("$seeds")
    [ -d "$HERE/regressions/$h" ] && inputs+=("$HERE/regressions/$h")
    if ! "$bin" "${COMMON[@]}" -runs=0 "${inputs[@]}" >"$logf.replay" 2>&1; then
        log "$h: CRASH while replaying regressions/seeds (see $logf.replay)"
        tail -n 30 "$logf.replay" >&2
        STATUS[$h]="replay-crash"
        FAILED=1
        continue
    fi
    if [ "$REPLAY_ONLY" = 1 ]; then
        STATUS[$h]="replayed"
        EXECS[$h]="$(ls "${inputs[@]}" | wc -l)"
        continue
    fi
    secs_var="ETW_FUZZ_TIME_$h"
    secs="${!secs_var:-$SECONDS_EACH}"
    case "$secs" in ''|*[!0-9]*) log "$secs_var must be a number of seconds"; exit 2 ;; esac
    # shellcheck disable=SC2086
    if "$bin" "${COMMON[@]}" "${dict[@]}" "${extra[@]}" -max_total_time="$secs" \
        -artifact_prefix="$art/" ${ETW_FUZZ_ARGS:-} "$work" "${inputs[@]}" >"$logf" 2>&1; then
        STATUS[$h]="ok"
    else
        STATUS[$h]="CRASH"
        FAILED=1
        log "$h: CRASH (artifacts in $art, log $logf)"
        grep -E "ERROR|invariant failed|runtime error|SUMMARY|Test unit written" "$logf" | head -n 20 >&2 || true
    fi
    EXECS[$h]="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -n1)"
done

printf '\n%-10s %-14s %-8s %s\n' harness result seconds executions
for h in "${HARNESSES[@]}"; do
    secs_var="ETW_FUZZ_TIME_$h"
    printf '%-10s %-14s %-8s %s\n' "$h" "${STATUS[$h]:-?}" \
        "$([ "$REPLAY_ONLY" = 1 ] && echo - || echo "${!secs_var:-$SECONDS_EACH}")" \
        "${EXECS[$h]:-0}"
done
exit "$FAILED"
