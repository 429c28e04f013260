#!/usr/bin/env bash
# Smoke test of the bundle in dist/layerwise (build it first, see layerwise.spec).
# Runs the headless commands, exports a template as Python, starts the window offscreen on a
# template, then trains a tiny project in the bundled window, generates from it, plays it
# (into a private PulseAudio null sink when PulseAudio is installed) and exports the piece.
set -euo pipefail
BUNDLE="${1:-dist/layerwise/layerwise}"
WORK="$(mktemp -d)"
PULSE_PID=""
cleanup() {
    if [ -n "$PULSE_PID" ]; then kill "$PULSE_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
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
# Train, generate, play and export in the bundled window (the training runs in the bundle's
# own child process).
SOUND=(--no-sound)
if command -v pulseaudio >/dev/null && command -v pactl >/dev/null; then
    mkdir -p "$WORK/pulse"
    pulseaudio --daemonize=no -n --exit-idle-time=-1 --disallow-exit --use-pid-file=no \
        -L "module-native-protocol-unix auth-anonymous=1 socket=$WORK/pulse/native" \
        -L "module-null-sink sink_name=smoke rate=44100" >"$WORK/pulse/log" 2>&1 &
    PULSE_PID=$!
    export PULSE_SERVER="unix:$WORK/pulse/native"
    for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
    pactl set-default-sink smoke && SOUND=()
fi
timeout 900 "$BUNDLE" self-test --out "$WORK/self-test" "${SOUND[@]}" | tee "$WORK/self-test.out"
grep -q '^train: run ' "$WORK/self-test.out"
grep -q '^generate: ' "$WORK/self-test.out"
test -s "$WORK/self-test/piece.mid" && test -s "$WORK/self-test/piece.wav"
# The run the window trained, exported as ONNX (tf2onnx in the bundle) and evaluated.
RUN="$(sed -n 's/^train: run \(.*\), [0-9]* blocks trained.*/\1/p' "$WORK/self-test.out")"
"$BUNDLE" export "$RUN" --format onnx --out "$WORK/model.onnx"
test -s "$WORK/model.onnx"
"$BUNDLE" evaluate "$RUN" --json >"$WORK/evaluation.json"
grep -q '"wrong_notes_per_window"' "$WORK/evaluation.json"
echo "bundle smoke test passed"
