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
