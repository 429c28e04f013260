"""Layerwise core: projects, block catalog, building, training, data, music, export.

Importing ``core`` stays light: no TensorFlow, no Keras. Modules that need Keras import it
themselves (see ``core.keras_env``).
"""

__version__ = "0.1.0"
