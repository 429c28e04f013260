"""The evaluation's figures on arrays whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.evaluate import classifier, music_stats, reconstruction, sequence


def test_nll_per_step_sums_keys_and_skips_each_pieces_first_frame():
    pieces = [np.array([[1, 0], [0, 1], [1, 1]], np.float32), np.array([[0, 0], [1, 0]])]
    half = sequence.evaluate_sequences(lambda x: np.full(x.shape, 0.5), pieces)
    assert half["predicted_frames"] == 3  # 2 + 1: the first frames are never predicted
    assert half["nll_per_step"] == pytest.approx(2 * math.log(2))
    perfect = sequence.evaluate_sequences(lambda x: np.roll(x, -1, axis=1), pieces)
    assert perfect["nll_per_step"] < 1e-5 and perfect["frame_accuracy"] == 1.0


def test_frame_accuracy_is_true_positives_over_all_mistakes_and_hits():
    p = np.array([[0.9, 0.9, 0.1, 0.1]])
    x = np.array([[1, 0, 1, 0]])
    assert sequence.frame_counts(p, x) == (1, 1, 1)
    assert sequence.frame_accuracy(1, 1, 1) == pytest.approx(1 / 3)


def test_the_per_key_baseline_uses_training_frequencies():
    train = [np.array([[1, 0], [0, 0]])]  # key 0 on half the time, key 1 never
    test = [np.array([[0, 0], [1, 0], [0, 0]])]
    # Two predicted frames; key 0 costs log 2 in each, key 1 about nothing (p clipped at ε).
    assert sequence.per_key_bernoulli_nll(train, test) == pytest.approx(math.log(2), abs=1e-5)


def test_wrong_notes_and_their_baselines_on_the_same_windows():
    rng = np.random.default_rng(0)
    train = (rng.random((200, 4, 6)) < 0.2).astype(np.float32)
    test = (rng.random((50, 4, 6)) < 0.2).astype(np.float32)
    exact = reconstruction.evaluate_reconstruction(lambda x: x, 24, train, test)
    assert exact["wrong_notes_per_window"] == {"train": 0.0, "test": 0.0}
    assert exact["baselines"]["pca"]["train"] == 0.0  # all 24 components: nothing is lost
    silent = exact["baselines"]["silent"]
    assert silent["test"] == pytest.approx(exact["notes_per_window"]["test"])
    assert exact["baselines"]["per_key"]["test"] == silent["test"]  # every key rarer than 1/2
    small = reconstruction.evaluate_reconstruction(lambda x: 1 - x, 2, train, test)
    assert small["wrong_notes_per_window"]["test"] == 24.0
    assert small["baselines"]["pca"]["test"] > 0 and small["baselines"]["pca"]["components"] == 2


def test_classifier_confusion_matrix_and_majority_baseline():
    scores = np.eye(3)[[0, 1, 1, 2]]
    result = classifier.evaluate_classifier(scores, np.array([0, 1, 2, 2]), np.array([2, 2, 1]))
    assert result["accuracy"] == 0.75
    assert result["confusion_matrix"] == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert result["baselines"]["majority_class"] == {"class": 2, "accuracy": 0.5}


def test_statistics_of_a_c_major_scale():
    roll = np.zeros((16, 48))
    for step, pitch in enumerate([60, 62, 64, 65, 67, 69, 71, 72]):
        roll[2 * step : 2 * step + 2, pitch - 36] = 1
    stats = music_stats.piece_statistics(roll, steps_per_quarter=2, lowest_pitch=36)
    assert stats["scale_consistency"] == 1.0 and stats["pitch_range"] == 12
    assert stats["polyphony"] == 1.0 and stats["note_density"] == 1.0
    assert stats["empty_beat_rate"] == 0.0
    assert stats["pitch_class_histogram"][0] == pytest.approx(0.25)  # C twice of eight notes
    assert stats["interval_histogram"][2] == pytest.approx(5 / 7)  # five whole tones in seven
    silent = music_stats.piece_statistics(np.zeros((8, 48)), 2, 36)
    assert silent["empty_beat_rate"] == 1.0 and silent["note_density"] == 0.0


def test_overlap_is_high_for_the_same_music_and_low_for_noise():
    rng = np.random.default_rng(1)

    def chorale_like(seed):
        r = np.random.default_rng(seed)
        roll = np.zeros((32, 48))
        for step in range(0, 32, 2):
            for voice in r.choice([0, 4, 7, 12, 16, 19], 4, replace=False):
                roll[step : step + 2, 12 + voice] = 1
        return music_stats.piece_statistics(roll, 2, 36)

    corpus = [chorale_like(s) for s in range(12)]
    like = [chorale_like(s) for s in range(100, 112)]
    noise = [music_stats.piece_statistics(rng.random((32, 48)) < 0.3, 2, 36) for _ in range(12)]
    close, far = music_stats.compare(like, corpus), music_stats.compare(noise, corpus)
    assert close["mean_overlap"] > 0.6 > 0.2 > far["mean_overlap"]
    assert set(close["statistics"]) == set(music_stats.SCALARS + music_stats.HISTOGRAMS)
    assert close["pieces"] == {"generated": 12, "corpus": 12}


def test_whole_pieces_come_only_from_a_benchmark_set():
    from core.data import load_dataset
    from core.evaluate.splits import benchmark_pieces

    jsb = load_dataset({"source": "jsb-chorales", "limit": 3})
    train, test = benchmark_pieces(jsb, "test")
    assert len(train) == len(test) == 3 and test[0].shape[1] == 88
    assert len(benchmark_pieces(jsb, "validation")[1]) == 3
    jsb.metadata["source"] = "made-up"
    assert benchmark_pieces(jsb, "test") is None
