"""Convert the MATLAB copies of the four polyphonic benchmark sets into resources/datasets/.

Run once from the project root (the product reads only the files this writes):
    python scripts/convert_polyphonic.py /path/to/datasets/polyphonic
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.io

from core.data.benchmark_sets import BENCHMARK_NAMES, FOLDER, pack, set_path, unpack

MAT_FILES = {
    "jsb-chorales": "JSB_Chorales.mat",
    "nottingham": "Nottingham.mat",
    "musedata": "MuseData.mat",
    "piano-midi": "Piano_midi.mat",
}
MAT_KEYS = {"train": "traindata", "valid": "validdata", "test": "testdata"}


def convert(source: Path) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name in BENCHMARK_NAMES:
        path = set_path(name)
        mat = scipy.io.loadmat(source / MAT_FILES[name])
        splits = {split: list(mat[key][0]) for split, key in MAT_KEYS.items()}
        arrays = pack(splits)
        np.savez_compressed(path, **arrays)
        with np.load(path) as written:  # the round trip must give back every note
            for split, rolls in splits.items():
                back = unpack(written, split)
                assert all(np.array_equal(a > 0, b > 0) for a, b in zip(rolls, back, strict=True))
        sizes = "/".join(str(len(splits[s])) for s in MAT_KEYS)
        print(f"{name}: {sizes} pieces, {path.stat().st_size} bytes")


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
