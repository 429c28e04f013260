"""TensorBoard event files for a run, written with ``tf.summary``.

    RUN/tensorboard/    scalars ``<phase>/<metric>``, histograms ``weights/<layer>/<weight>``
                        and ``activations/<block>``, images ``filters/<block>``

Steps count epochs within each phase (from 1), so ``tensorboard --logdir RUN`` shows one curve
per phase and metric. The scalars come every epoch; the weights' histograms, the activations
and the filter image when the session does them (see ``core.training.cadence``: every epoch
unless epochs are very short, and always at a phase's last epoch). The summaries go through ``tf.summary.write`` with TensorBoard's plugin
metadata (scalars, histograms, images): TensorFlow's own ``tf.summary.scalar`` and friends need
the ``tensorboard`` package, which Layerwise does not depend on. Writing must never fail a run:
the first error turns the log off and becomes one warning line. Given a writer (anything with
``submit``: a ``BackgroundWriter``, or the session's ``Cadence`` that times the jobs), the log
copies what it writes on the caller's thread and writes it on the writer's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("layerwise.tensorboard")

MAX_FILTER_TILES = 64  # the filter image shows at most this many units, in one grid
HISTOGRAM_BINS = 30
# a histogram counts at most this many values, evenly spaced, its counts scaled to them all:
# binning a 784 x 500 kernel whole cost 2 ms (15 on a busy machine) an epoch, for the same shape
HISTOGRAM_VALUES = 1 << 16


class TensorBoardLog:
    """The run's event writer; every method is a no-op once a write has failed."""

    def __init__(self, tf: Any, folder: Path, background: Any = None) -> None:
        self.tf = tf
        self.folder = Path(folder)
        self.background = background  # has submit(write, *args); None: write at once
        self.writer: Any = None
        self.broken = False

    def _guard(self, what: str, write) -> None:
        if self.broken:
            return
        if self.background is not None:
            self.background.submit(self._write_guarded, what, write)
        else:
            self._write_guarded(what, write)

    def _write_guarded(self, what: str, write) -> None:
        if self.broken:
            return
        try:
            if self.writer is None:
                self.writer = self.tf.summary.create_file_writer(str(self.folder))
            with self.writer.as_default():
                write()
            self.writer.flush()
        except Exception as exc:  # noqa: BLE001 - a log must never fail the training
            self.broken = True
            logger.warning("TensorBoard log turned off: cannot write %s: %s", what, exc)

    def epoch(self, phase_name: str, epoch: int, metrics: dict[str, float], model: Any) -> None:
        """The epoch's metrics and (given ``model``) its weights' histograms, at step
        ``epoch + 1``."""
        if self.broken:
            return
        layers = model.layers if model is not None else []
        weights = [
            (f"weights/{layer.name}/{_tag(weight.name)}", np.array(weight.numpy()))
            for layer in layers
            for weight in layer.weights
        ]
        metrics = dict(metrics)

        def write() -> None:
            step = epoch + 1
            for name, value in metrics.items():
                self._write(f"{_tag(phase_name)}/{name}", "scalars", np.float32(value), step)
            for tag, values in weights:
                self._write(tag, "histograms", histogram(values), step)

        self._guard("the epoch's metrics", write)

    def snapshot(self, block: str | None, epoch: int, arrays: dict[str, Any], first: bool) -> None:
        """The snapshot's activations, and its filters as one image when ``first`` (the
        network's first block, or the fine-tuned network whose first layer they are)."""
        hidden, filters = arrays.get("hidden"), arrays.get("filters")
        name = block or "finetune"

        def write() -> None:
            step = epoch + 1
            if hidden is not None:
                self._write(f"activations/{name}", "histograms", histogram(hidden), step)
            if first and filters is not None:
                self._write(f"filters/{name}", "images", self._png(filters), step)

        self._guard("the snapshot", write)

    def _write(self, tag: str, plugin: str, tensor: Any, step: int) -> None:
        from tensorflow.core.framework import summary_pb2

        metadata = summary_pb2.SummaryMetadata()
        metadata.plugin_data.plugin_name = plugin
        self.tf.summary.write(tag, tensor, step=step, metadata=metadata.SerializeToString())

    def _png(self, filters: Any) -> Any:
        """TensorBoard's image tensor: width, height, then the PNG, as strings."""
        grid = filter_grid(np.asarray(filters))
        pixels = np.round(grid * 255).astype(np.uint8)[:, :, None]
        png = self.tf.io.encode_png(pixels)
        size = [str(pixels.shape[1]).encode(), str(pixels.shape[0]).encode()]
        return self.tf.stack([self.tf.constant(size[0]), self.tf.constant(size[1]), png])

    def close(self) -> None:
        if self.writer is not None and not self.broken:
            try:
                self.writer.close()
            except Exception as exc:  # noqa: BLE001 - see _guard
                logger.warning("TensorBoard log: cannot close: %s", exc)


def _tag(name: str) -> str:
    """A tag part without spaces or colons ("pretrain rbm1" -> "pretrain_rbm1")."""
    return name.replace(" ", "_").replace(":", "_")


def histogram(values: Any) -> np.ndarray:
    """TensorBoard's histogram tensor: one row (left edge, right edge, count) a bin; the edges
    span every finite value, the counts of a large array come from HISTOGRAM_VALUES of them."""
    values = np.asarray(values).ravel()
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    if values.size == 0:
        return np.zeros((0, 3), np.float64)
    low, high = float(values.min()), float(values.max())
    if not (np.isfinite(low) and np.isfinite(high)):  # only then filter: a copy of them all
        values = values[np.isfinite(values)]
        if values.size == 0:
            return np.zeros((0, 3), np.float64)
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    sample = values[:: -(-values.size // HISTOGRAM_VALUES)]
    counts, edges = np.histogram(sample, bins=HISTOGRAM_BINS, range=(low, high))
    counts = counts * (values.size / sample.size)
    return np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)


def filter_grid(filters: np.ndarray) -> np.ndarray:
    """Units' filters as one grey image in [0, 1]: a near-square grid of tiles, each tile
    scaled on its own, one pixel of gap. Flat filters become a row of pixels each."""
    tiles = filters[:MAX_FILTER_TILES].astype(np.float32)
    if tiles.ndim == 2:
        tiles = tiles[:, None, :]
    tiles = tiles.reshape((len(tiles), tiles.shape[1], -1))
    low = tiles.min(axis=(1, 2), keepdims=True)
    span = np.maximum(tiles.max(axis=(1, 2), keepdims=True) - low, 1e-12)
    tiles = (tiles - low) / span
    n, h, w = tiles.shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    grid = np.zeros((rows * (h + 1) - 1, cols * (w + 1) - 1), np.float32)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tile
    return grid
