"""Work off the GUI thread: training sessions, the training child process, slow calls.

No Qt in the modules the training child process imports (checked by import-linter):

* :mod:`app.workers.gate` — one TensorFlow user at a time; probing devices.
* :mod:`app.workers.session` — a training session as a stream of events: batches coalesced,
  a failure as one line, what to run once it finished.
* :mod:`app.workers.child` — the training child process (``python -m app.workers ADDRESS``).

The window's side (Qt; signals emitted in the GUI thread):

* :mod:`app.workers.mailbox` — hands what a plain thread produces to the GUI thread.
* :mod:`app.workers.training` — :class:`TrainingWorker`, a session on a thread.
* :mod:`app.workers.process` — :class:`ProcessTrainingWorker`, a session in the child process.
* :mod:`app.workers.calls` — :class:`CallWorker`, one-off calls (generation, loading).

Rules that keep the window smooth and correct:

* Work runs on plain Python threads. What they produce goes into a deque that a QTimer in
  the GUI thread drains, and the signals are emitted from there, in the GUI thread, to slot
  methods. No Python object crosses threads through a queued signal: superqt's
  GeneratorWorker did that and the process segfaulted inside TensorFlow during a second
  training run.
* Batch events are coalesced on the worker side: at most one ``BatchGroup`` every
  ``BATCH_INTERVAL_S``, however fast batches come; every other event passes as it is.
* A session that raises becomes a :class:`core.training.events.Failed` event with a one-line
  message, never a traceback in the window.
* One TensorFlow user at a time (``TF_GATE``): generation waits for a running session.

This package's own module imports nothing, so the child process starts without Qt.
"""
