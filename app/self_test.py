"""``layerwise self-test``: the installation checked end to end, in the real window.

Opens the window on a small DeepHear project (eight chorales, a quarter of the epochs),
trains it with the window's own Train action, generates four bars in Audition, plays them
through the audio output and writes the piece as MIDI and WAV. One line per step, then
``self-test passed``; a failing step is named with its reason and the exit status is 1.
Useful after installing (is the sound card reachable? does training run here?) and as the
desktop bundle's smoke test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PIECES = 8
EPOCHS_SCALE = 0.25
PLAY_SECONDS = 3.0


class StepFailed(Exception):
    """A step of the self-test did not do what it should; the message says what."""


def register_self_test(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "self-test",
        help="train, generate and play a tiny project in the window to check this installation",
    )
    parser.add_argument("--out", help="folder for the project, run and piece (default: a temp one)")
    parser.add_argument(
        "--no-sound", action="store_true", help="skip playback (a machine with no audio output)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds for the whole test (default 600)"
    )
    parser.set_defaults(func=self_test)


def self_test(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="layerwise-self-test-"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"self-test failed: cannot use the folder {out}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        from app.launch import _application
    except ImportError as exc:
        print(f"layerwise: the desktop app cannot start: {exc}", file=sys.stderr)
        return 1
    app = _application()
    check = SelfTest(app, out, deadline=time.monotonic() + args.timeout)
    try:
        check.run(play=not args.no_sound)
    except (StepFailed, TimeoutError) as exc:
        print(f"self-test failed: {exc}", file=sys.stderr)
        return 1
    finally:
        check.close()
    print(f"self-test passed ({out})")
    return 0


def wait_until(app, predicate, timeout: float, what: str) -> None:
    """Process the window's events until ``predicate()`` holds; TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def pump(app, seconds: float) -> None:
    """Process the window's events for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def unattended_dialogs(errors: list[str]):
    """The window's questions answered as an unattended run wants; errors are collected."""
    from app.dialogs import Dialogs

    class Unattended(Dialogs):
        def error(self, title, text):
            errors.append(f"{title}: {text}")

        def ask_save_changes(self, name):
            return "discard"

        def ask_recover(self, autosave_file, project_path):
            return False

        def ask_stop_training(self):
            return True

    return Unattended(None)


class SelfTest:
    """The steps, against one window; each prints what it did and how long it took."""

    def __init__(self, app, out: Path, deadline: float):
        self.app = app
        self.out = out
        self.deadline = deadline
        self.errors: list[str] = []
        self.window = None
        self.run_dir: str | None = None

    def left(self) -> float:
        return max(1.0, self.deadline - time.monotonic())

    def wait(self, predicate, what: str, timeout: float | None = None) -> None:
        seconds = self.left() if timeout is None else min(timeout, self.left())
        wait_until(self.app, self._or_error(predicate), seconds, what)
        if self.errors:
            raise StepFailed(self.errors[-1])

    def _or_error(self, predicate):
        return lambda: bool(self.errors) or predicate()

    def step(self, name: str, action) -> None:
        started = time.monotonic()
        detail = action()
        print(f"{name}: {detail} ({time.monotonic() - started:.1f} s)", flush=True)

    def run(self, play: bool) -> None:
        self.step("window", self.open_window)
        self.step("train", self.train)
        self.step("generate", self.generate)
        if play:
            self.step("play", self.play)
        self.step("export", self.export)

    def open_window(self) -> str:
        from app.main_window import MainWindow
        from core import project as project_io
        from core import templates

        project = templates.load("deephear")
        project.data["limit"] = PIECES
        project_file = self.out / "self-test.json"
        project_io.save(project, project_file)
        self.window = MainWindow(str(project_file), dialogs=unattended_dialogs(self.errors))
        self.window.show()
        self.wait(lambda: self.window.isVisible() and self.window.dashboard is not None, "window")
        return f"{self.app.platformName()} window on {project_file.name}"

    def train(self) -> str:
        dash = self.window.dashboard
        dash.epochs_scale = EPOCHS_SCALE
        finished: list = []
        dash.runFinished.connect(finished.append)
        if not self.window.start_training():
            raise StepFailed(f"training did not start: {self.window.last_message}")
        self.wait(lambda: bool(finished), "training to finish")
        states = set(dash.block_states.values())
        if states != {"trained"}:
            raise StepFailed(f"blocks ended {sorted(states)}, not trained")
        self.run_dir = finished[0]
        if not (Path(self.run_dir) / "model.keras").is_file():
            raise StepFailed(f"the run {self.run_dir} has no model.keras")
        return f"run {self.run_dir}, {len(dash.block_states)} blocks trained"

    def generate(self) -> str:
        audition = self.window.audition
        self.window.set_mode("listen")
        audition.set_run(self.run_dir)
        self.wait(
            lambda: (
                audition.method_combo.count() > 0
                and audition.method_combo.currentText() != "loading…"
            ),
            "the run's generation methods",
        )
        audition.bars_spin.setValue(4)
        # A network trained for seconds is unsure of every note: lower the threshold until
        # the piece has some, as a user does when the panel says the piece is silent.
        for threshold in (0.5, 0.3, 0.2, 0.1, 0.05):
            audition.threshold_spin.setValue(threshold)
            before = len(audition.pieces)
            audition.generate_button.click()
            self.wait(lambda: len(audition.pieces) > before, "a generated piece")  # noqa: B023
            notes = int((audition.piece.roll > 0).sum())
            if notes >= 8:
                return f"{notes} notes over {audition.piece.steps} steps (threshold {threshold})"
        raise StepFailed("every generated piece was silent")

    def play(self) -> str:
        audition = self.window.audition
        piece = audition.piece
        # From the first note, as a user clicks there on the roll: a sparse piece may open
        # with seconds of silence.
        first_step = int((piece.roll > 0).any(axis=1).argmax())
        start = first_step / piece.steps_per_quarter
        audition.seek(start)
        audition.toggle_play()
        self.wait(lambda: self._playing() or audition.message_label.isVisible(), "playback")
        if not self._playing():
            raise StepFailed(f"playback did not start: {audition.message_label.text()}")
        # The playhead follows the audio callbacks: it moves only if sound is really going out.
        pump(self.app, PLAY_SECONDS)
        self.wait(lambda: audition.roll_view.playhead_position >= start + 1.0, "the playhead", 20.0)
        position = audition.roll_view.playhead_position
        audition.stop()
        return f"played with {audition.renderer_name} from quarter {start:.1f} to {position:.1f}"

    def _playing(self) -> bool:
        player = self.window.audition.player
        return player is not None and player.state == "playing"

    def export(self) -> str:
        audition = self.window.audition
        midi = audition.export_midi(str(self.out / "piece.mid"))
        written: list = []
        audition.exported.connect(written.append)
        audition.export_wav(str(self.out / "piece.wav"))
        self.wait(lambda: any(p.endswith(".wav") for p in written), "the WAV export")
        sizes = {Path(p).name: Path(p).stat().st_size for p in (midi, written[-1])}
        if min(sizes.values()) < 100:
            raise StepFailed(f"an exported file is empty: {sizes}")
        return ", ".join(f"{name} {size:,} bytes" for name, size in sizes.items())

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            pump(self.app, 0.3)
