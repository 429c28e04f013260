"""Training: greedy layer-wise pretraining, fine-tuning, and the session that yields events.

``from core.training.events import ...`` and ``core.training.control`` stay light (no Keras);
``core.training.session`` imports Keras when a session starts.

    core/training/session.py      run_training(project, run_dir, *, control, ...) -> events:
                                  the loop over phases, epochs and batches
    core/training/events.py       the typed events and their documented order
    core/training/control.py      pause, resume, stop
    core/training/devices.py      device and tf.distribute strategy choice
    core/training/phases.py       the phase plan (frozen Phase) and PhaseOutcome
    core/training/inputs.py       the data fitted to the Input and checked
    core/training/trainers.py     the network built for the run; each phase's trainer
    core/training/trainer.py      PhaseData and the base every trainer shares
    core/training/rbm.py          CD-k / PCD for an RBM block (an epoch per tf.function call,
                                  interrupted within one batch through a tf.Variable flag)
    core/training/conv_rbm.py     CD-k for a convolutional RBM with probabilistic max-pooling
    core/training/autoencoder.py  greedy pretraining of an autoencoder block
    core/training/finetune.py     classifier / unrolled deep autoencoder / VAE / sequence
    core/training/distributed.py  the RBM and autoencoder trainers under a strategy; clusters
    core/training/snapshots.py    what a snapshot shows
    core/training/summary.py      progress counters and summary.json's content
    core/training/resume.py       going on from a checkpoint
    core/training/failures.py     one-line failure messages
    (the run folder itself: core/runs.py; atomic writes: core/fileio.py)
"""
