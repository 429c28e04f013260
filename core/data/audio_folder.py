"""Importing a folder of the user's audio files, one subfolder per class: every readable
file becomes spectral frames, every other is named with its reason.

``load_audio_folder`` keeps what an import made in the dataset cache, keyed by the folder,
its files' names, sizes and times and the audio settings, so a second load of an unchanged
folder reads one file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core.audio.frames import spectral_frames
from core.audio.reader import AudioFileError, is_audio_name, read_audio
from core.audio.representation import SpectralFrames
from core.data import cache
from core.data.audio_clips import AudioClips, load_clips, save_clips
from core.errors import DataError


def audio_files(folder: Path) -> list[Path]:
    """All files under the folder (hidden ones aside), sorted so imports are repeatable."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def class_of(path: Path, folder: Path) -> str:
    """The first subfolder under ``folder``; a file at the top is of the folder's own name."""
    parts = path.relative_to(folder).parts
    return parts[0] if len(parts) > 1 else folder.name


def import_audio_folder(folder, rep: SpectralFrames, progress=None) -> AudioClips:
    """Every usable file's frames with its class. ``progress(done, total, name)``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    rep.check_memory()
    files = audio_files(folder)
    classes = sorted({class_of(p, folder) for p in files if is_audio_name(p)})
    clips = AudioClips([], [], [], classes, [])
    for i, path in enumerate(files):
        rel = path.relative_to(folder).as_posix()
        if progress:
            progress(i, len(files), rel)
        if not is_audio_name(path):
            clips.skipped.append((rel, f"not an audio file (extension {path.suffix or 'none'})"))
            continue
        try:
            signal = read_audio(path, rep.sample_rate, rep.max_seconds_per_file)
            frames = spectral_frames(signal, rep)
        except AudioFileError as exc:
            clips.skipped.append((rel, exc.reason))
            continue
        except DataError as exc:
            clips.skipped.append((rel, str(exc)))
            continue
        clips.frames.append(frames)
        clips.names.append(rel)
        clips.labels.append(classes.index(class_of(path, folder)))
    if progress:
        progress(len(files), len(files), "done")
    return clips


def cache_path_of(folder: Path, rep: SpectralFrames) -> Path:
    """One cache file per folder, its files' fingerprint and the audio settings."""
    fingerprint = cache.folder_fingerprint(audio_files(folder), folder)
    key = {"folder": str(folder.resolve()), "files": fingerprint, "audio": rep.settings()}
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in folder.name)[:40]
    return cache.cache_root() / "datasets" / f"audio-folder-{name or 'root'}-{digest}.npz"


def load_audio_folder(
    folder, rep: SpectralFrames, progress=None, use_cache: bool = True
) -> tuple[AudioClips, bool]:
    """(clips, from_cache): the folder's clips, from the cache when an import of the same
    files with the same settings is there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    path = cache_path_of(folder, rep) if use_cache else None
    if path is not None and path.exists():
        try:
            clips = load_clips(path, rep)
        except DataError:
            pass  # a damaged cache file is rebuilt below
        else:
            if progress:
                progress(len(clips), len(clips), "read from the cache")
            return clips, True
    clips = import_audio_folder(folder, rep, progress)
    if path is not None:
        cache.keep_with(path, lambda target: save_clips(target, clips, rep))
    return clips, False
