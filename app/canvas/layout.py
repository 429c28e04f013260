"""The canvas's tidy layout: the one the model importer uses too, kept in core."""

from core.layout import COLUMN, ROW, tidy_positions

__all__ = ["COLUMN", "ROW", "tidy_positions"]
