"""The inspector's sound settings: shown for audio sources, editors with units and words,
the Input following the frames' shape, and the audio folder import through the window's
Dialogs (File › Import Audio Folder…, Browse…, Import…) as one undoable edit."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QPushButton, QSpinBox


def _choose_source(window, name: str) -> None:
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData(name))


def _visible(window, name: str, kind) -> bool:
    page = window.inspector.widget()
    return page.findChild(kind, f"edit_{name}").isVisibleTo(page)


def test_audio_sources_show_the_sound_settings_and_the_input_takes_their_shape(window):
    doc = window.doc
    window.scene.clearSelection()
    assert not _visible(window, "sample_rate", QSpinBox)  # a piano-roll source
    _choose_source(window, "audio-folder")
    assert _visible(window, "sample_rate", QSpinBox)
    assert not _visible(window, "pitch_count", QSpinBox)
    assert doc.spec.block("input").params["shape"] == [32, 64]
    path = window.inspector.editor("path", "data")
    assert "must name a folder of audio files" in path.message.text()
    importing = window.findChild(QPushButton, "path_import")
    assert importing.isVisibleTo(window.inspector.widget())
    assert "spectral frames" in importing.toolTip()
    _choose_source(window, "gm-instruments")
    assert _visible(window, "sample_rate", QSpinBox) and path.message.isHidden()


def test_the_sound_editors_speak_in_units_and_words(window):
    doc = window.doc
    _choose_source(window, "audio-folder")
    rate = window.inspector.editor("sample_rate", "audio").widget
    assert rate.suffix() == " Hz" and rate.value() == 16000
    rate.stepBy(1)
    assert doc.project.data["audio"]["sample_rate"] == 22050  # the next common rate
    rate.stepBy(-2)
    assert doc.project.data["audio"]["sample_rate"] == 11025
    seconds = window.inspector.editor("max_seconds_per_file", "audio").widget
    assert isinstance(seconds, QDoubleSpinBox) and seconds.suffix() == " s"
    seconds.lineEdit().setText("12.5 s")
    seconds.interpretText()
    assert doc.project.data["audio"]["max_seconds_per_file"] == 12.5
    kind = window.inspector.editor("kind", "audio").widget
    assert isinstance(kind, QComboBox)
    assert [kind.itemText(i) for i in range(kind.count())] == ["Mel spectrogram", "DFT magnitude"]
    assert _visible(window, "n_mels", QSpinBox)
    kind.setCurrentIndex(kind.findData("dft"))
    assert doc.project.data["audio"]["kind"] == "dft"
    assert not _visible(window, "n_mels", QSpinBox)  # mel bands mean nothing for DFT frames
    assert doc.spec.block("input").params["shape"] == [32, 513]


def test_file_import_audio_folder_sets_source_folder_and_split_as_one_edit(window, tmp_path):
    doc = window.doc
    window.scene.clearSelection()
    before = (doc.project.data["source"], doc.spec.block("input").params["shape"])
    count = doc.undo_stack.count()
    split = {"validation": 0.15, "test": 0.15, "seed": 2}
    window.dialogs.folder_answer = str(tmp_path)
    window.dialogs.audio_import_answer = {"path": str(tmp_path), "split": split}
    window.act_import_audio.trigger()
    assert window.dialogs.asked[-2][0] == "folder"
    asked = window.dialogs.asked[-1]
    assert asked[:2] == ("import audio folder", str(tmp_path))
    data = doc.project.data
    assert (data["source"], data["path"], data["split"]) == ("audio-folder", str(tmp_path), split)
    assert doc.spec.block("input").params["shape"] == [32, 64]
    assert doc.undo_stack.count() == count + 1
    assert _visible(window, "sample_rate", QSpinBox)
    doc.undo_stack.undo()
    assert (doc.project.data["source"], doc.spec.block("input").params["shape"]) == before


def test_a_cancelled_import_or_folder_choice_changes_nothing(window, tmp_path):
    doc = window.doc
    count = doc.undo_stack.count()
    window.dialogs.folder_answer = None
    window.act_import_audio.trigger()
    window.dialogs.folder_answer = str(tmp_path)
    window.dialogs.audio_import_answer = None
    window.act_import_audio.trigger()
    assert window.dialogs.asked[-1][0] == "import audio folder"
    assert doc.undo_stack.count() == count and doc.project.data["source"] == "bach-chorales"


def test_browse_and_import_of_an_audio_folder_open_the_audio_import(window, tmp_path):
    doc = window.doc
    _choose_source(window, "audio-folder")
    window.inspector.editor("kind", "audio").widget.setCurrentIndex(1)  # dft: passed on
    window.dialogs.folder_answer = str(tmp_path)
    window.dialogs.audio_import_answer = {
        "path": str(tmp_path),
        "split": {"validation": 0.1, "test": 0.1, "seed": 0},
    }
    window.findChild(QPushButton, "path_browse").click()
    assert window.dialogs.asked[-2][1].startswith("Choose a folder of audio files")
    assert window.dialogs.asked[-1][:2] == ("import audio folder", str(tmp_path))
    assert window.dialogs.asked[-1][2]["kind"] == "dft"
    assert doc.project.data["path"] == str(tmp_path)
    window.findChild(QPushButton, "path_import").click()  # the folder set: no question
    assert window.dialogs.asked[-1][:2] == ("import audio folder", str(tmp_path))
    assert window.dialogs.asked[-2][0] != "folder"


def test_a_bad_sound_setting_is_said_under_its_field(window):
    _choose_source(window, "audio-folder")
    window.inspector.editor("n_fft", "audio").widget.setValue(64)
    hop = window.inspector.editor("hop_length", "audio")
    assert "hop_length must not pass n_fft" in hop.message.text()
    mels = window.inspector.editor("n_mels", "audio")
    window.inspector.editor("hop_length", "audio").widget.setValue(32)
    assert hop.message.isHidden()
    assert "n_mels must be at most n_fft / 2 + 1 (33)" in mels.message.text()
    assert "⚠" in window.status_label.text()
