#!/usr/bin/env bash
# The source distribution check: `python -m build --sdist` on the tree given
# (a clean clone in CI), then, in a fresh venv, `pip install` of that sdist alone
# (so the build uses nothing but what the sdist holds), and the synthetic reader
# and decoder tests from the unpacked sdist against the installed package, with
# the real corpus beside the unpacked tree when there is one.
#
# usage: bash .ci/sdist-check.sh [REPO]   (REPO defaults to the tree this script is in)
set -euo pipefail
REPO="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d /tmp/etw-sdist.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "[sdist] building the sdist of $REPO"
"$PY" -m pip install -q build
# build from a copy: `build` writes an egg-info beside the sources
mkdir "$WORK/src"
git -C "$REPO" ls-files -z | (cd "$REPO" && xargs -0 cp --parents -t "$WORK/src")
"$PY" -m build --sdist -o "$WORK/dist" "$WORK/src" > "$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log"; echo "[sdist] FAILED: python -m build --sdist"; exit 1; }
sdist="$(ls "$WORK"/dist/*.tar.gz)"
echo "[sdist] $(basename "$sdist"): $(du -k "$sdist" | cut -f1) KiB"

# Every C source and header tracked in git must be in the sdist.
tar -tzf "$sdist" | sed 's|^[^/]*/||' | sort > "$WORK/in-sdist.txt"
git -C "$REPO" ls-files 'etwmodule/*.c' 'etwmodule/*.h' 'python/etw/*' | sort > "$WORK/needed.txt"
missing="$(comm -23 "$WORK/needed.txt" "$WORK/in-sdist.txt")"
if [ -n "$missing" ]; then
    echo "[sdist] FAILED: tracked sources missing from the sdist:"; echo "$missing"; exit 1
fi

echo "[sdist] installing it into a fresh venv"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q "$sdist" pytest > "$WORK/pip.log" 2>&1 ||
    { cat "$WORK/pip.log"; echo "[sdist] FAILED: pip install of the sdist"; exit 1; }

mkdir "$WORK/unpacked"
tar -xzf "$sdist" -C "$WORK/unpacked"
tree="$(ls -d "$WORK"/unpacked/*/)"
if [ -d "$REPO/../shared" ]; then ln -s "$(cd "$REPO/../shared" && pwd)" "$WORK/unpacked/shared"; fi
# Tests import the installed package, never the sources beside them.
rm -rf "$tree/python"
cd "$tree"
"$WORK/venv/bin/python" - <<'EOF'
import etw, os, sys
assert "site-packages" in etw.__file__, etw.__file__
with etw.open(etw.sample_path()) as t:
    n = sum(1 for _ in t)
assert n == t.stats["events"] == 5064, (n, t.stats)
print("[sdist] installed:", os.path.dirname(etw.__file__), "- sample trace:", n, "events")
EOF
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_reader_synthetic.py \
    tests/test_decode.py tests/test_corpus_reader.py
echo "[sdist] OK"
