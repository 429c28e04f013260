"""Generation methods on tiny real Keras models saved as run folders."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import runs

from core.errors import LayerwiseError
from core.music import generation as gen
from core.music.generation.autoencoder import random_codes
from core.music.generation.sampling import note_density, slerp
from core.music.generation.sequence import step_function
from core.music.pianoroll import PianoRoll

STEPS_4_BARS = 4 * 4 * runs.SPQ


def piece(windows):
    return PianoRoll(np.concatenate(list(windows)), runs.SPQ, runs.LOWEST)


def is_binary(roll):
    return bool(np.all((roll.roll == 0) | (roll.roll == 1)))


def check_roll(roll, steps=STEPS_4_BARS):
    assert isinstance(roll, PianoRoll)
    assert roll.roll.shape == (steps, runs.PITCHES)
    assert roll.lowest_pitch == runs.LOWEST and roll.steps_per_quarter == runs.SPQ


def test_methods_and_auto(ae_run, dbn_run, vae_run, lstm_run, digits_run):
    assert gen.methods_for(ae_run) == ["decode", "fixed-point"]
    assert gen.methods_for(dbn_run) == ["gibbs"]
    assert gen.methods_for(vae_run)[0] == "vae-prior"
    assert gen.methods_for(lstm_run) == ["next-step"]
    assert gen.methods_for(digits_run) == []
    assert gen.load(ae_run).resolve("auto") == "decode"
    assert gen.load(lstm_run).resolve() == "next-step"
    assert set(gen.METHODS) >= {
        "auto",
        "decode",
        "gibbs",
        "vae-prior",
        "vae-interpolate",
        "vae-attribute",
        "fixed-point",
        "next-step",
    }


def test_decode_seeds_threshold_and_tempo(ae_run):
    a = gen.generate(ae_run, method="decode", seed=1)
    check_roll(a)
    assert is_binary(a) and a.roll.any()
    assert (a.tempo, a.program) == (100.0, 5)  # the project's generation settings
    assert np.array_equal(a.roll, gen.generate(ae_run, method="decode", seed=1).roll)
    assert not np.array_equal(a.roll, gen.generate(ae_run, method="decode", seed=2).roll)
    sampled = gen.generate(ae_run, seed=1, threshold=None, bars=2, tempo=90, program=40)
    check_roll(sampled, STEPS_4_BARS // 2)
    assert is_binary(sampled) and (sampled.tempo, sampled.program) == (90.0, 40)


def test_random_codes_follow_the_recorded_code_statistics(ae_run, tmp_path):
    run = shutil.copytree(ae_run, tmp_path / "run")
    path = Path(run) / "summary.json"
    doc = json.loads(path.read_text())
    doc["code_statistics"] = {
        "mean": [5.0, -5.0, 0.0, 2.0],
        "std": [0.1, 0.1, 0.0, 1.0],
        "min": [4.0, -6.0, 0.0, 1.5],
        "max": [6.0, -4.0, 0.0, 2.5],
    }
    path.write_text(json.dumps(doc))
    gm = gen.GenerationModel(run)
    codes = random_codes(gm, 200, np.random.default_rng(0))
    assert np.allclose(codes.mean(axis=0)[:3], [5.0, -5.0, 0.0], atol=0.05)
    assert codes[:, 3].min() >= 1.5 and codes[:, 3].max() <= 2.5


def test_decode_chosen_code_ignores_seed(ae_run):
    code = np.linspace(0, 1, 4)
    a = gen.generate(ae_run, code=code, seed=1, bars=1)
    b = gen.generate(ae_run, code=code, seed=7, bars=1)
    assert np.array_equal(a.roll, b.roll)
    gm = gen.load(ae_run)
    assert np.array_equal(a.roll, (gm.decode(code[None])[0] > 0.5).astype("float32"))
    with pytest.raises(LayerwiseError, match="4 numbers"):
        gen.generate(ae_run, code=[0.5, 0.5])


def test_bare_encoder_decodes_through_its_own_layers(bare_encoder):
    gm = gen.GenerationModel(bare_encoder)  # no summary: objective and geometry inferred
    assert gm.objective == "autoencoder" and gm.methods[0] == "decode"
    roll = gm.generate(seed=3, bars=1)
    assert roll.roll.shape == (gm.steps_per_quarter * 4, runs.PITCHES) and is_binary(roll)


def test_fixed_point_from_noise_and_from_a_piece(ae_run):
    gm = gen.load(ae_run)
    noise = gm.generate(method="fixed-point", seed=0)
    check_roll(noise)
    assert is_binary(noise) and gm.last_info["iterations"] >= 1
    if gm.last_info["converged"]:  # a fixed point maps to itself
        windows = noise.roll.reshape(-1, runs.WINDOW, runs.PITCHES)
        assert np.array_equal((gm.reconstruct(windows) > 0.5).astype("float32"), windows)
    start = piece(runs.training_windows(4, seed=5))
    again = gm.generate(method="fixed-point", seed=0, start=start, iterations=1)
    expected = gm.reconstruct(gm.windows_of(start)) > 0.5
    assert np.array_equal(again.roll, expected.reshape(-1, runs.PITCHES).astype("float32"))


def test_gibbs_dbn(dbn_run):
    a = gen.generate(dbn_run, method="gibbs", seed=4, iterations=20)
    check_roll(a)
    assert is_binary(a)
    assert np.array_equal(a.roll, gen.generate(dbn_run, seed=4, iterations=20).roll)
    assert not np.array_equal(a.roll, gen.generate(dbn_run, seed=5, iterations=20).roll)
    start = piece(runs.training_windows(4, seed=9))
    from_piece = gen.generate(dbn_run, seed=4, iterations=1, start=start)
    check_roll(from_piece)
    assert not np.array_equal(from_piece.roll, gen.generate(dbn_run, seed=4, iterations=1).roll)
    assert gen.load(dbn_run).last_info["rbms"] == ["rbm1", "rbm2"]


def test_vae_prior(vae_run):
    a = gen.generate(vae_run, method="vae-prior", seed=1, threshold=None)
    check_roll(a)
    assert is_binary(a)
    assert np.array_equal(a.roll, gen.generate(vae_run, seed=1, threshold=None).roll)
    assert not np.array_equal(a.roll, gen.generate(vae_run, seed=2, threshold=None).roll)
    latent = gen.generate(vae_run, code=np.zeros(3), seed=9, bars=1)
    assert np.array_equal(latent.roll, gen.generate(vae_run, code=np.zeros(3), bars=1).roll)


def test_vae_interpolation_ends_at_the_two_pieces(vae_run):
    gm = gen.load(vae_run)
    dense = runs.training_windows(64, seed=3)
    order = np.argsort(dense.mean(axis=(1, 2)))
    first, second = piece(dense[order[:1]]), piece(dense[order[-1:]])
    roll = gm.generate(method="vae-interpolate", pieces=(first, second), steps=5)
    assert roll.roll.shape == (5 * runs.WINDOW, runs.PITCHES) and is_binary(roll)
    a, b = gm.last_info["endpoints"]
    assert np.allclose(a, gm.encode(first.roll[None])[0], atol=1e-5)
    codes = gm.last_info["codes"]
    assert np.allclose(codes[0], a, atol=1e-5) and np.allclose(codes[-1], b, atol=1e-5)
    windows = roll.roll.reshape(5, runs.WINDOW, runs.PITCHES)
    for window, code in ((windows[0], a), (windows[-1], b)):
        assert np.array_equal(window, (gm.decode(code[None])[0] > 0.5).astype("float32"))
    assert windows[0].sum() < windows[-1].sum()  # from the sparse piece to the dense one
    unit_a, unit_b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    middle = slerp(unit_a, unit_b, 0.5)  # on the sphere between two unit vectors
    assert np.isclose(np.linalg.norm(middle), 1.0, atol=1e-6)
    with pytest.raises(LayerwiseError, match="two pieces"):
        gm.generate(method="vae-interpolate", pieces=(first,))


def test_vae_attribute_vector_raises_density(vae_run):
    examples = [piece([w]) for w in runs.training_windows(60, seed=11)]
    density = {}
    for amount in (-2.0, 0.0, 2.0):
        roll = gen.generate(
            vae_run,
            method="vae-attribute",
            pieces=examples,
            amount=amount,
            seed=3,
            threshold=None,
            bars=8,
        )
        check_roll(roll, 2 * STEPS_4_BARS)
        density[amount] = float(note_density(roll.roll[None], runs.SPQ)[0])
    assert density[-2.0] < density[0.0] < density[2.0]
    with pytest.raises(LayerwiseError, match="unknown attribute"):
        gen.generate(vae_run, method="vae-attribute", pieces=examples, attribute="colour")


def test_next_step_temperature(lstm_run):
    cold = [gen.generate(lstm_run, method="next-step", seed=s, temperature=0.0) for s in (1, 2)]
    check_roll(cold[0])
    assert np.array_equal(cold[0].roll, cold[1].roll)
    warm = [gen.generate(lstm_run, seed=s, temperature=1.0) for s in (1, 1, 2)]
    assert is_binary(warm[0]) and np.array_equal(warm[0].roll, warm[1].roll)
    assert not np.array_equal(warm[0].roll, warm[2].roll)
    start = piece(runs.training_windows(2, seed=4))
    primed = gen.generate(lstm_run, seed=1, temperature=0.0, start=start, bars=8)
    check_roll(primed, 2 * STEPS_4_BARS)
    assert gen.load(lstm_run).last_info["primer_steps"] == start.steps


def test_classifier_and_image_models_give_clear_errors(digits_run, run_root):
    with pytest.raises(LayerwiseError, match="digits images .*not piano rolls"):
        gen.generate(digits_run)
    music_classifier = runs.project(
        [
            ("input", "Input", {"shape": [runs.WINDOW, runs.PITCHES]}),
            ("flatten", "Flatten", {}),
            ("classes", "Dense", {"units": 3, "activation": "softmax"}),
        ],
        objective="classifier",
    )
    from core.build import build

    folder = runs.save_run(
        run_root / "classifier",
        build(music_classifier).model,
        music_classifier,
        runs.summary("classifier", "classes", (8, 12), runs.MUSIC_DATA),
    )
    with pytest.raises(LayerwiseError, match="classifier: its output is class scores"):
        gen.generate(folder, method="decode")
    bare = run_root / "bare-classifier.keras"
    shutil.copy(folder / "model.keras", bare)
    with pytest.raises(LayerwiseError, match="classifier"):
        gen.generate(bare)  # no summary: inferred from the softmax output
    features = runs.project(
        [
            ("input", "Input", {"shape": [runs.WINDOW, runs.PITCHES]}),
            ("flatten", "Flatten", {}),
            ("features", "Dense", {"units": 5, "activation": "relu"}),
        ]
    )
    unknown = run_root / "features.keras"
    build(features).model.save(unknown)
    with pytest.raises(LayerwiseError, match="cannot tell how to generate"):
        gen.generate(unknown)


def test_bad_requests(ae_run, tmp_path):
    with pytest.raises(LayerwiseError, match="unknown generation method"):
        gen.generate(ae_run, method="telepathy")
    with pytest.raises(LayerwiseError, match="does not apply"):
        gen.generate(ae_run, method="next-step")
    with pytest.raises(LayerwiseError, match="bars"):
        gen.generate(ae_run, bars=0)
    with pytest.raises(LayerwiseError, match="no such run"):
        gen.generate(tmp_path / "missing")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip")
    with pytest.raises(LayerwiseError, match="cannot load the model"):
        gen.generate(broken)


def test_fixed_point_sampled_is_seeded(ae_run):
    a = gen.generate(ae_run, method="fixed-point", threshold=None, seed=2, iterations=5)
    check_roll(a)
    assert is_binary(a)
    b = gen.generate(ae_run, method="fixed-point", threshold=None, seed=2, iterations=5)
    assert np.array_equal(a.roll, b.roll)


def test_flat_input_reads_windows_from_the_summary(run_root):
    """Training may feed flattened samples: the input is (96,), the data 8 × 12 windows."""
    from core.build import build
    from core.keras_env import load_keras

    keras = load_keras()
    proj = runs.project(
        [
            ("input", "Input", {"shape": [runs.WINDOW * runs.PITCHES]}),
            ("code", "Autoencoder", {"units": 4}),
        ]
    )
    encoder = build(proj).model
    out = keras.layers.Dense(runs.WINDOW * runs.PITCHES, activation="sigmoid", name="decode_code")(
        encoder.output
    )
    model = keras.Model(encoder.input, out)
    folder = runs.save_run(
        run_root / "flat",
        model,
        proj,
        runs.summary(
            "autoencoder", "code", (runs.WINDOW, runs.PITCHES), runs.MUSIC_DATA, code_block="code"
        ),
    )
    gm = gen.GenerationModel(folder)
    assert gm.window_steps == runs.WINDOW
    check_roll(gm.generate(seed=1))
    start = piece(runs.training_windows(2, seed=1))
    check_roll(gm.generate(method="fixed-point", start=start, iterations=2))


def test_pieces_are_moved_onto_the_models_grid(ae_run):
    gm = gen.load(ae_run)
    windows = runs.training_windows(2, seed=6)
    native = piece(windows)
    finer = PianoRoll(np.repeat(native.roll, 2, axis=0), 2 * runs.SPQ, runs.LOWEST)
    assert np.array_equal(gm.windows_of(finer), gm.windows_of(native))
    higher = PianoRoll(native.roll[:, 2:], runs.SPQ, runs.LOWEST + 2)  # a narrower range
    moved = gm.windows_of(higher)
    assert np.array_equal(moved[..., 2:], windows[..., 2:]) and not moved[..., :2].any()


def test_numpy_lstm_steps_match_the_model(lstm_run):
    gm = gen.load(lstm_run)
    sequence = runs.training_windows(1, seed=8)[0]
    expected = np.asarray(gm.model(sequence[None], training=False))[0]
    for prefer_numpy in (True, False):
        step, initial_states, kind = step_function(gm, prefer_numpy=prefer_numpy)
        assert kind == "sigmoid"
        states, outputs = initial_states(), []
        for frame in sequence:
            out, states = step(frame[None], states)
            outputs.append(np.asarray(out)[0])
        assert np.allclose(np.stack(outputs), expected, atol=1e-5)


def test_numpy_integers_are_accepted_and_bad_seeds_refused(ae_run):
    roll = gen.generate(ae_run, bars=np.int64(1), seed=np.int32(4))
    assert np.array_equal(roll.roll, gen.generate(ae_run, bars=1, seed=4).roll)
    with pytest.raises(LayerwiseError, match="seed"):
        gen.generate(ae_run, seed=-1)


def test_usable_methods_follow_their_declared_model_kinds(ae_run, dbn_run, vae_run, lstm_run):
    from core.catalog.generation import method

    for run in (ae_run, dbn_run, vae_run, lstm_run):
        gm = gen.load(run)
        for name in gm.methods:
            assert gm.objective in method(name).model_kinds, (run, name)


def test_methods_take_a_request_and_refuse_unknown_options(ae_run):
    request = gen.GenerationRequest(method="decode", seed=1, bars=1)
    roll = gen.generate(ae_run, request)
    assert np.array_equal(roll.roll, gen.generate(ae_run, method="decode", seed=1, bars=1).roll)
    with pytest.raises(LayerwiseError, match="unknown generation option 'sead'"):
        gen.generate(ae_run, sead=1)
    with pytest.raises(LayerwiseError, match="'iterations' does not apply to decode"):
        gen.generate(ae_run, request, iterations=3)


def test_reshaping_layers_are_those_the_catalog_declares():
    from core.keras_env import load_keras
    from core.music.generation.layers import is_reshaping

    layers = load_keras().layers
    assert is_reshaping(layers.Flatten()) and is_reshaping(layers.Dropout(0.1))
    assert is_reshaping(layers.Reshape((2, 3))) and is_reshaping(layers.GaussianNoise(0.1))
    assert not is_reshaping(layers.Dense(2)) and not is_reshaping(layers.LSTM(2))


def test_the_run_is_read_through_its_run_folder(ae_run, tmp_path):
    from core.runs import SUMMARY_VERSION

    assert gen.load(ae_run).summary["version"] == SUMMARY_VERSION  # migrated on reading
    run = shutil.copytree(ae_run, tmp_path / "run")
    (Path(run) / "summary.json").write_text("{ cut short")
    with pytest.raises(LayerwiseError, match="summary.json: not valid JSON"):
        gen.GenerationModel(run)
