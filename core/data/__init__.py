"""Datasets: the music21 corpus, the user's MIDI folders, piece files and scikit-learn digits."""

from core.data.dataset import Dataset
from core.data.load import list_builtin_datasets, load_dataset
from core.data.midi_folder import import_midi_folder

__all__ = ["Dataset", "import_midi_folder", "list_builtin_datasets", "load_dataset"]
