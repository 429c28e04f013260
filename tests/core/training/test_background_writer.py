"""The writer thread of a run's files: in order, off the caller's thread, failures handed back."""

from __future__ import annotations

import threading

import pytest

from core.training.background import BackgroundWriter


def test_jobs_run_in_order_on_another_thread():
    writer = BackgroundWriter()
    done, threads = [], set()

    def job(i):
        threads.add(threading.get_ident())
        done.append(i)

    for i in range(50):
        writer.submit(job, i)
    writer.drain()
    assert done == list(range(50))
    assert threads and threading.get_ident() not in threads
    writer.close()


def test_a_failure_is_raised_at_the_next_drain_and_the_jobs_after_it_are_skipped():
    writer = BackgroundWriter()
    done = []

    def fail():
        raise OSError("disk full")

    writer.submit(done.append, 1)
    writer.submit(fail)
    writer.submit(done.append, 2)
    with pytest.raises(OSError, match="disk full"):
        writer.drain()
    writer.submit(done.append, 3)
    writer.drain()
    assert done == [1]
    writer.close()
    writer.close()  # closing twice is harmless


def test_a_checkpoint_that_cannot_be_written_fails_the_run_naming_the_one_on_disk(
    tmp_path, digits, monkeypatch
):
    import errno

    from training_helpers import dbn_project

    from core.runs import RunFolder, read_json
    from core.training.session import run_training

    written = []
    original = RunFolder.write_checkpoint

    def second_fails(self, state, *arrays):
        written.append(state["epoch"])
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, state, *arrays)

    monkeypatch.setattr(RunFolder, "write_checkpoint", second_fails)
    run = tmp_path / "run"
    events = list(run_training(dbn_project(epochs=3), run, dataset=digits, snapshot_every=0))
    failed = events[-1]
    assert type(failed).__name__ == "Failed", failed
    assert "No space left on device" in failed.message and "Traceback" not in failed.message
    assert failed.checkpoint == str(run / "checkpoints" / "state.json")
    assert read_json(run / "checkpoints" / "state.json")["epoch"] == written[0]
