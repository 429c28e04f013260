"""Stand-ins held to the real interfaces: panels, players, and the window's questions.

:class:`Answers` is the real :class:`app.dialogs.Dialogs` with the questions answered by the
test (every one recorded).

A fake names the real class with the class decorator :func:`faithful_to`. When the fake is
defined, each of its public methods, properties and signals must exist on the real class
(a signal with the same signature); and each call of a fake method first goes through
``create_autospec(real, instance=True)``, so a call the real panel would refuse (a method it
lacks, arguments it does not take) fails the test instead of passing against the fake.
"""

from __future__ import annotations

import functools
import inspect
from unittest.mock import create_autospec

from PySide6.QtCore import QMetaMethod

from app.dialogs import Dialogs


def signal_signatures(cls) -> set[str]:
    """The Qt signals of ``cls``, as ``name(Type,...)``; none for a class without Qt."""
    meta = getattr(cls, "staticMetaObject", None)
    if meta is None:
        return set()
    return {
        meta.method(i).methodSignature().data().decode()
        for i in range(meta.methodCount())
        if meta.method(i).methodType() == QMetaMethod.MethodType.Signal
    }


def interface_problems(fake, real) -> list[str]:
    """What ``fake`` has that ``real`` lacks: public methods and properties, and signals."""
    problems = []
    for name, value in vars(fake).items():
        if name.startswith("_") or not (inspect.isfunction(value) or isinstance(value, property)):
            continue
        theirs = inspect.getattr_static(real, name, None)
        if theirs is None:
            problems.append(f"{real.__name__} has no {name}")
        elif isinstance(value, property) != isinstance(theirs, property):
            problems.append(f"{real.__name__}.{name} is not a {type(value).__name__}")
    missing = signal_signatures(fake) - signal_signatures(real)
    problems += [f"{real.__name__} has no signal {s}" for s in sorted(missing)]
    return problems


def faithful_to(real: type):
    """Class decorator for a fake of ``real``: checks the fake's own methods, properties and
    signals against ``real`` (TypeError when it has what ``real`` lacks), and makes each of
    its methods first pass the call to ``create_autospec(real, instance=True)``."""

    def check(fake):
        problems = interface_problems(fake, real)
        if problems:
            raise TypeError(f"{fake.__name__} is not faithful: " + "; ".join(problems))
        fake.real = real
        for name, value in list(vars(fake).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(fake, name, _checked(name, value))
        return fake

    return check


def _checked(name, method):
    """``method``, called only once the real class's autospec has taken the same call."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        getattr(_spec_of(self), name)(*args, **kwargs)
        return method(self, *args, **kwargs)

    return call


def _spec_of(fake):
    spec = vars(fake).get("_real_spec")
    if spec is None:
        spec = fake._real_spec = create_autospec(type(fake).real, instance=True)
    return spec


class Answers(Dialogs):
    """The window's questions, answered by the test; every question is recorded."""

    def __init__(self, parent):
        super().__init__(parent)
        self.asked: list[tuple] = []
        self.save_answer = "discard"
        self.recover = True
        self.stop_training = True
        self.open_answer: str | None = None
        self.open_run_answer: str | None = None
        self.save_answer_path: str | None = None
        self.template: str | None = None
        self.model_answer: str | None = None
        self.export_answer = None  # a function of (sources, folder) -> ExportChoice | None
        self.errors: list[tuple[str, str]] = []
        self.folder_answer: str | None = None
        self.file_answer: str | None = None
        self.import_answer: dict | None = None  # what the MIDI import dialog settles
        self.audio_import_answer: dict | None = None  # what the audio import dialog settles

    def ask_save_changes(self, name):
        self.asked.append(("save changes", name))
        return self.save_answer

    def ask_recover(self, autosave_file, project_path):
        self.asked.append(("recover", str(autosave_file), project_path))
        return self.recover

    def ask_stop_training(self):
        self.asked.append(("stop training",))
        return self.stop_training

    def open_file(self, folder):
        self.asked.append(("open file",))
        return self.open_answer

    def open_run_folder(self, folder):
        self.asked.append(("open run folder", folder))
        return self.open_run_answer

    def save_file(self, suggested):
        self.asked.append(("save file", suggested))
        return self.save_answer_path

    def choose_template(self):
        self.asked.append(("template",))
        return self.template

    def open_model_file(self, folder):
        self.asked.append(("model file",))
        return self.model_answer

    def ask_export(self, sources, folder):
        self.asked.append(("export", [s.label for s in sources], folder))
        return self.export_answer(sources, folder) if self.export_answer else None

    def show_unmapped(self, name, layers):
        self.asked.append(("unmapped", name, list(layers)))

    def error(self, title, text):
        self.errors.append((title, text))
        super().error(title, text)

    def choose_folder(self, title, start):
        self.asked.append(("folder", title, start))
        return self.folder_answer

    def choose_file(self, title, start, filters):
        self.asked.append(("file", title, start, filters))
        return self.file_answer

    def show_command(self, title, text, command):
        self.asked.append(("command", title, text, command))

    def import_midi_folder(self, data):
        self.asked.append(("import midi folder", data["path"]))
        return self.import_answer

    def import_audio_folder(self, data):
        self.asked.append(("import audio folder", data["path"], data.get("audio")))
        return self.audio_import_answer
