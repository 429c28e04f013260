"""Training: greedy layer-wise pretraining, fine-tuning, and the session that yields events.

``from core.training.events import ...`` and ``core.training.control`` stay light (no Keras);
``core.training.session`` imports Keras when a session starts.

    core/training/session.py     run_training(project, run_dir, *, control, ...) -> events
    core/training/rbm.py         CD-k / PCD for an RBM block (an epoch per tf.function call,
                                 interrupted within one batch through a tf.Variable flag)
    core/training/autoencoder.py greedy pretraining of an autoencoder block
    core/training/finetune.py    classifier / unrolled deep autoencoder / VAE / sequence
    core/training/trainer.py     what every phase trainer offers the session
    (the run folder itself: core/runs.py; atomic writes: core/fileio.py)
"""
