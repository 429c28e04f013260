import subprocess
import sys


def test_music_commands_and_data_package_import_light():
    """The CLI loads every command module to build --help; these must not load the heavy
    libraries (music21, pretty_midi, scikit-learn, sounddevice) until they run."""
    code = (
        "import sys, core.commands.datasets, core.commands.render, core.data, app.cli\n"
        "app.cli.build_parser()\n"
        "heavy = {'music21', 'pretty_midi', 'sklearn', 'sounddevice', 'fluidsynth', 'tensorflow'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
