#!/usr/bin/env bash
# Smoke test of the bundle in dist/layerwise (build it first, see layerwise.spec).
# Runs the headless commands, exports a template as Python, then starts the window offscreen
# on a template and checks that it shows and exits cleanly.
set -euo pipefail
BUNDLE="${1:-dist/layerwise/layerwise}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
export KERAS_HOME="$WORK/keras" TF_CPP_MIN_LOG_LEVEL=2

"$BUNDLE" --version
"$BUNDLE" templates | grep -q '^deephear'
"$BUNDLE" new --template dbn-digits "$WORK/dbn.json"
"$BUNDLE" validate "$WORK/dbn.json"
"$BUNDLE" info "$WORK/dbn.json" | grep -q 'total parameters'
"$BUNDLE" export "$WORK/dbn.json" --format python --out "$WORK/dbn.py"
grep -q 'def build_model' "$WORK/dbn.py"
"$BUNDLE" export "$WORK/dbn.json" --format keras --out "$WORK/dbn.keras"
if "$BUNDLE" validate "$WORK/missing.json" 2>"$WORK/err"; then
    echo "validate of a missing file succeeded" >&2; exit 1
fi
grep -q 'no such file' "$WORK/err"

# The window, offscreen: it shows, prints window_shown_s=..., and exits 0.
LAYERWISE_EXIT_AFTER_SHOW=1 timeout 120 "$BUNDLE" "$WORK/dbn.json" >"$WORK/gui.out" 2>&1 || {
    cat "$WORK/gui.out" >&2; echo "the window did not start" >&2; exit 1; }
grep -q 'window_shown_s=' "$WORK/gui.out" || { cat "$WORK/gui.out" >&2; exit 1; }
echo "bundle smoke test passed"
