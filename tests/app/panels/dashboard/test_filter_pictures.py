"""Filters as pictures: a convolutional RBM's filters over a spectrogram are time × frequency
patches (frequency up, time right), a dense RBM's filters over one spectral frame are bar
spectra, and a convolution over several channels shows each filter's strongest channel."""

from __future__ import annotations

import numpy as np

from app.panels.dashboard.filter_pictures import filter_tiles, spectrum_tile, strongest_channel
from app.panels.dashboard.snapshots import FiltersView, filter_mosaic, filters_caption
from core.training.events import Snapshot


def _snapshot(filters, kind="spectrogram", block="crbm1"):
    return Snapshot(0, block, 1, filters, None, None, None, None, None, kind)


def test_a_spectrum_tile_draws_signed_bars_from_the_middle():
    tile = spectrum_tile(np.array([1.0, -0.5, 0.0, 0.25]), height=9)
    assert tile.shape == (9, 4)
    assert tile[:4, 0].tolist() == [1, 1, 1, 1] and tile[4:, 0].sum() == 0  # full bar up
    assert tile[5:7, 1].tolist() == [-1, -1] and tile[:5, 1].sum() == 0  # half bar down
    assert not tile[:, 2].any() and tile[3, 3] == 1 and tile[:3, 3].sum() == 0
    assert not spectrum_tile(np.zeros(5)).any()


def test_the_strongest_channel_of_each_filter():
    filters = np.zeros((2, 3, 4, 5), np.float32)
    filters[0, :, :, 3] = 1.0
    filters[1, :, :, 1] = -2.0
    filters[1, 0, 0, 4] = 3.0
    patches = strongest_channel(filters)
    assert patches.shape == (2, 3, 4)
    assert (patches[0] == 1).all() and (patches[1] == -2).all()


def test_conv_filters_on_a_spectrogram_are_time_by_frequency_patches():
    filters = np.zeros((6, 5, 3), np.float32)  # 5 frames × 3 bins
    filters[:, :, 0] = 1.0  # weight on the lowest bin only
    tiles, kind, words = filter_tiles(filters, "spectrogram")
    assert kind == "spectrogram" and "time × frequency" in words
    picture = filter_mosaic(filters, "spectrogram")
    assert picture.shape == (3 * 4 - 1, 2 * 6 - 1)  # 3 × 2 tiles, 3 (frequency) high, 5 wide
    assert (picture[2, :5] == 1).all() and not picture[:2, :5].any()  # low bins at the bottom


def test_dense_filters_over_one_frame_are_spectra():
    filters = np.random.default_rng(0).normal(size=(4, 1, 40)).astype(np.float32)
    tiles, kind, words = filter_tiles(filters, "spectrogram")
    assert tiles.shape == (4, 25, 40) and kind == "spectrum" and "spectra over 40" in words
    assert filter_mosaic(filters, "spectrogram").shape == (2 * 29 - 4, 2 * 44 - 4)  # 4-px gaps
    caption = filters_caption(_snapshot(filters, block="rbm1"), 4)
    assert "spectra over 40 frequency bins" in caption and "4 of 4 units" in caption


def test_images_and_piano_rolls_are_drawn_as_before():
    assert filter_tiles(np.zeros((3, 8, 8)), "image")[2] == "images"
    assert filter_tiles(np.zeros((3, 16, 12)), "pianoroll")[2] == "pitch × time patches"
    assert "12 units below" in filter_tiles(np.zeros((3, 12)), "image")[2]


def test_the_filter_view_draws_and_names_conv_rbm_filters(qtbot):
    view = FiltersView()
    qtbot.addWidget(view)
    stacked = np.random.default_rng(1).normal(size=(8, 4, 3, 6)).astype(np.float32)
    view.add_block("crbm2")
    view.draw(_snapshot(stacked, block="crbm2"))
    assert view.image.image.shape == (3 * 4 - 1, 3 * 5 - 1)  # 8 tiles of 3 × 4 in a 3 × 3 grid
    text = view.caption.text()
    assert "crbm2, epoch 2: 8 of 8 units, 4×3×6" in text
    assert "strongest of 6 input channels" in text


def test_standardised_spectrograms_keep_their_negative_values_in_view(qtbot):
    from app.panels.dashboard.snapshots import ReconstructionView

    view = ReconstructionView()
    qtbot.addWidget(view)
    x = np.linspace(-2.0, 3.0, 2 * 6 * 4, dtype=np.float32).reshape(2, 6, 4)
    view.draw(Snapshot(0, "crbm1", 0, None, x, x * 0.5, None, None, None, "spectrogram"))
    assert view.images["input"].levels.tolist() == [-2.0, 3.0]
    assert view.images["difference"].levels.tolist() == [-5.0, 5.0]
    assert view.images["input"].image.shape == (4, 2 * 7 - 1)  # bins up, frames right
