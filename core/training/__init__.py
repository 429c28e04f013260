"""Training: greedy layer-wise pretraining, fine-tuning, and the session that yields events.

``from core.training.events import ...`` and ``core.training.control`` stay light (no Keras);
``core.training.session`` imports Keras when a session starts.
"""
