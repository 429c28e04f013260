"""Layerwise desktop application (PySide6): a view and controller over ``core``."""
