"""`layerwise train PROJECT --out RUN ...`: greedy pretraining then fine-tuning, headless.

A progress bar on a terminal, plain lines otherwise. Ctrl-C stops after the current batch
and writes a checkpoint; ``--resume`` goes on from it.
"""

from __future__ import annotations

import sys


def register(subparsers):
    parser = subparsers.add_parser(
        "train", help="pretrain layer by layer, then fine-tune, into a run folder"
    )
    parser.add_argument("project", help="a project file (.json)")
    parser.add_argument("--out", required=True, metavar="RUN", help="the run folder to write")
    parser.add_argument(
        "--epochs-scale",
        type=float,
        default=1.0,
        metavar="F",
        help="multiply every phase's epochs by F (e.g. 0.1 for a quick try)",
    )
    parser.add_argument(
        "--device",
        default=None,
        metavar="D",
        help="cpu or gpu:N (default: the first GPU if there is one, else cpu)",
    )
    parser.add_argument(
        "--no-pretraining",
        action="store_true",
        help="skip greedy pretraining: fine-tune from random weights",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the run folder's last checkpoint"
    )
    parser.add_argument(
        "--strategy",
        default="default",
        choices=("default", "mirrored", "multi-worker"),
        help="tf.distribute strategy for pretraining and fine-tuning: mirrored (local GPUs, "
        "or the CPU split by --cpu-replicas) or multi-worker (the cluster in TF_CONFIG; the "
        "chief writes --out, the other workers a scratch folder; LAYERWISE_CLUSTER_TIMEOUT "
        "seconds to wait for every worker, default 60)",
    )
    parser.add_argument(
        "--cpu-replicas",
        type=int,
        default=None,
        metavar="N",
        help="split the CPU into N logical devices (for --strategy mirrored without GPUs)",
    )
    parser.add_argument(
        "--snapshot-every",
        type=int,
        default=None,
        metavar="E",
        help="epochs between snapshots (0: none; default: the project's); each phase's last "
        "epoch always has one, and epochs so short that snapshots would cost over 2%% of the "
        "training time have fewer",
    )
    parser.set_defaults(func=run)


class _Printer:
    """Progress on a terminal (one rewritten line), plain lines otherwise."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.phase = None
        self.open_line = False

    def _line(self, text):
        if self.open_line:
            self.stream.write("\n")
            self.open_line = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def _bar(self, text):
        self.stream.write("\r" + text[:150].ljust(100))
        self.stream.flush()
        self.open_line = True

    @staticmethod
    def _fmt(metrics):
        return "  ".join(
            f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items()
        )

    def event_line(self, text):
        self._line(text)

    def _stage(self, ev):
        """A step around the phases; a counted one rewrites its line on a terminal."""
        if ev.total is None:
            self._line(ev.text)
        elif self.tty and ev.done < ev.total:
            self._bar(f"  {ev.text}")
        elif ev.done == ev.total:
            self._line(f"  {ev.text}")

    def event(self, ev):
        name = type(ev).__name__
        if name == "StageProgress":
            self._stage(ev)
        elif name == "RunEstimate":
            from core.training.estimate import describe_seconds

            self._line(f"estimated duration: {describe_seconds(ev.seconds)} ({ev.basis})")
        elif name == "PhaseStarted":
            self.phase = ev
            start = f" from epoch {ev.start_epoch + 1}" if ev.start_epoch else ""
            self._line(
                f"phase {ev.index + 1}/{ev.count}: {ev.name} ({ev.method}, {ev.epochs} "
                f"epochs of {ev.steps_per_epoch} batches){start}"
            )
        elif name == "BatchMetrics" and self.tty and self.phase is not None:
            steps = self.phase.steps_per_epoch
            done = (ev.step + 1) / steps
            width = 24
            filled = int(done * width)
            bar = "#" * filled + "-" * (width - filled)
            self._bar(f"  epoch {ev.epoch + 1}/{self.phase.epochs} [{bar}] {self._fmt(ev.metrics)}")
        elif name == "EpochMetrics":
            total = self.phase.epochs if self.phase else "?"
            eta = f"  eta {ev.eta:.0f}s" if ev.eta is not None else ""
            self._line(
                f"  epoch {ev.epoch + 1}/{total}  {self._fmt(ev.metrics)}  "
                f"({ev.samples_per_second:,.0f} samples/s){eta}"
            )
        elif name == "Stopped":
            self._line(
                f"stopped in phase {ev.phase + 1}, epoch {ev.epoch + 1}; checkpoint "
                f"{ev.checkpoint}; continue with --resume"
            )
        elif name == "Finished":
            evaluation = {k: v for k, v in ev.summary.get("evaluation", {}).items() if k != "split"}
            self._line(f"finished: {ev.run_dir}  held-out {self._fmt(evaluation)}")


def run(args) -> int:
    from core import project as project_io
    from core.errors import LayerwiseError

    project = project_io.load(args.project)
    if args.cpu_replicas is not None and args.cpu_replicas < 1:
        raise LayerwiseError("--cpu-replicas must be at least 1")

    from core.training.control import Control
    from core.training.session import run_training

    control = Control()
    printer = _Printer(sys.stdout)
    pretraining = False if args.no_pretraining else None
    earlier = None if args.resume else _earlier_estimate(project, pretraining, args.epochs_scale)
    if earlier is not None:
        printer.event_line(f"estimated duration: {earlier.describe()}")
    events = run_training(
        project,
        args.out,
        control=control,
        epochs_scale=args.epochs_scale,
        device=args.device,
        pretraining=pretraining,
        resume=args.resume,
        strategy=args.strategy,
        cpu_replicas=args.cpu_replicas,
        snapshot_every=args.snapshot_every,
        stages=True,
        probe=earlier is None and not args.resume,  # the first run of its kind: time it
    )
    status = 1
    previous = _install_sigint(control, printer)
    try:
        for ev in _in_worker(events):
            name = type(ev).__name__
            printer.event(ev)
            if name == "Failed":
                raise LayerwiseError(ev.message)
            if name == "Finished":
                status = 0
            elif name == "Stopped":
                status = 130  # stopped by the user (Ctrl-C), as the CLI's "interrupted"
    finally:
        _restore_sigint(previous)
    return status


def _earlier_estimate(project, pretraining, epochs_scale):
    """How long the run takes by an earlier run like it on this machine, or None."""
    from core.training.estimate import estimate_duration

    enabled = project.training.get("pretraining", {}).get("enabled", True)
    try:
        return estimate_duration(
            project,
            pretraining=bool(enabled) if pretraining is None else pretraining,
            epochs_scale=epochs_scale,
        )
    except Exception:  # noqa: BLE001 - an estimate is a nicety; unreadable runs give none
        return None


def _in_worker(events):
    """Run the session on a worker thread and hand its events over: the main thread stays in
    Python, so Ctrl-C reaches the control at once, even while a compiled loop runs."""
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=64)
    end = object()

    def work():
        try:
            for ev in events:
                box.put(("event", ev))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            box.put(("error", exc))
        box.put(("end", end))

    threading.Thread(target=work, name="layerwise-train", daemon=True).start()
    while True:
        try:
            kind, item = box.get(timeout=0.1)
        except queue.Empty:
            continue
        if kind == "error":
            raise item
        if kind == "end":
            return
        yield item


def _install_sigint(control, printer):
    """Ctrl-C asks the session to stop after the current batch (it writes a checkpoint); a
    second Ctrl-C interrupts at once."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        if control.stop_requested:
            raise KeyboardInterrupt
        control.stop()
        printer._line("stopping after the current batch (Ctrl-C again to quit at once) ...")

    return signal.signal(signal.SIGINT, handler)


def _restore_sigint(previous):
    import signal

    if previous is not None:
        signal.signal(signal.SIGINT, previous)
