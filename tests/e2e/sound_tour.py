"""A scripted tour of a project that learns sound, on a real X display (Xvfb) or offscreen:
the Sound settings in Build, the audio folder import with its unusable files, a DBN trained
on instrument sounds, and Listen with a clip beside the model's reconstruction.

python tests/e2e/sound_tour.py OUT_DIR

The sounds are rendered here (FluidSynth, or the built-in synthesiser) from short melodies
with General MIDI programs of four families, 16 kHz, one subfolder per family, plus a corrupt
and an empty file. Writes OUT_DIR/<n>-<what>.png and OUT_DIR/report.json (the clip, its
spectrograms' shapes, the pitch heard in the input and the reconstruction).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario import pump, unattended_dialogs, wait_until  # noqa: E402
from tour import train  # noqa: E402

RATE = 16000
FAMILIES = {"piano": 0, "organ": 19, "bass": 33, "flute": 73}
CLIPS_PER_FAMILY = int(os.environ.get("LAYERWISE_SOUND_TOUR_CLIPS", "6"))
SIZE = (1600, 1000)


def melody(program: int, seed: int):
    """A few seconds of notes in the family's register, as pretty_midi."""
    import pretty_midi

    rng = np.random.default_rng(seed)
    low = 36 if program == 33 else 55
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(program=program)
    t = 0.0
    while t < 3.0:
        length = float(rng.choice([0.25, 0.5, 0.75]))
        pitch = int(low + rng.integers(0, 15))
        inst.notes.append(pretty_midi.Note(90, pitch, t, t + length))
        t += length
    pm.instruments.append(inst)
    return pm


def sound_folder(root: Path) -> Path:
    import soundfile

    from core.music.render import render

    for family, program in FAMILIES.items():
        (root / family).mkdir(parents=True, exist_ok=True)
        for i in range(CLIPS_PER_FAMILY):
            audio, _ = render(melody(program, 100 * program + i), RATE)
            soundfile.write(str(root / family / f"{family}{i}.wav"), audio, RATE)
    (root / "piano" / "damaged.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage")
    (root / "flute" / "empty.flac").write_bytes(b"")
    return root


def sound_project(out: Path, folder: Path) -> Path:
    """The dbn-audio template on the rendered folder (fewer epochs: a tour, not a result)."""
    from core import project as project_io
    from core import templates

    project = templates.load("dbn-audio")
    project.name = "DBN on instrument sounds"
    project.data = {
        "source": "audio-folder",
        "path": str(folder),
        "audio": {**project.data["audio"], "max_seconds_per_file": 5.0},
        "split": {"validation": 0.0, "test": 0.25, "seed": 0},
    }
    project.network.block("family").params["units"] = len(FAMILIES)
    project.training["finetune"]["epochs"] = 10
    path = out / "sound-project.json"
    project_io.save(project, path)
    return path


def shoot(app, window, out: Path, report: dict, name: str) -> None:
    pump(app, 0.6)
    path = out / f"{name}.png"
    if not window.grab().save(str(path), "PNG"):
        raise OSError(f"cannot save {path}")
    report["shots"][name] = str(path)


def peak_hz(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / rate)
    band = freqs > 40
    return float(freqs[band][np.argmax(spectrum[band])])


def tour(out: Path, report: dict) -> None:
    from PySide6.QtWidgets import QApplication

    from app.audio_import_dialog import AudioImportDialog
    from app.main_window import MainWindow
    from app.style import style_sheet

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setStyleSheet(style_sheet())
    report["platform"] = app.platformName()
    folder = sound_folder(out / "instrument-sounds")
    project_file = sound_project(out, folder)
    window = MainWindow(str(project_file), dialogs=unattended_dialogs(report))
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.started and window.dashboard is not None, 60, "the window")
    window.set_mode("build")
    window.scene.clearSelection()
    window.inspector.ensureWidgetVisible(window.inspector.editor("sample_rate", "audio").widget)
    shoot(app, window, out, report, "1-sound-settings")

    dialog = AudioImportDialog(window.doc.project.data, window)
    dialog.show()
    wait_until(app, lambda: dialog.import_done, 300, "the audio import")
    report["import"] = {"status": dialog.status.text(), "classes": dialog.classes}
    report["import"]["not_used"] = dialog.skipped
    shoot(app, dialog, out, report, "2-import-dialog")
    dialog.accept()

    run = train(app, window, pretraining=True, scale=1.0)
    report["run"] = run
    window.set_mode("listen")
    clip = window.audition.clip_audition
    wait_until(app, lambda: clip.pair is not None or "⚠" in clip.status.text(), 300, "a clip pair")
    if clip.pair is None:
        raise RuntimeError(clip.status.text())
    pair = clip.pair
    report["clip"] = {
        "name": pair.name,
        "how": pair.how,
        "frames": list(pair.inputs.shape),
        "input_peak_hz": peak_hz(pair.input_audio, pair.sample_rate),
        "reconstruction_peak_hz": peak_hz(pair.reconstruction_audio, pair.sample_rate),
        "frame_error": float(np.mean(np.abs(pair.inputs - pair.reconstruction))),
        "frame_spread": float(np.mean(np.abs(pair.inputs - pair.inputs.mean()))),
        "status": clip.status.text(),
    }
    shoot(app, window, out, report, "3-listening")
    window.audition.grab().save(str(out / "3-audition-panel.png"), "PNG")
    window.close()
    pump(app, 0.3)


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"shots": {}, "errors": []}
    try:
        tour(out, report)
    except Exception:
        report["errors"].append(traceback.format_exc())
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    return 0 if not report["errors"] else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
