"""Errors a user can cause and read. The CLI prints their message as one line and exits 1."""


class LayerwiseError(Exception):
    """Bad input or a failed run, described in words a user understands."""


class ProjectError(LayerwiseError):
    """A project file that cannot be read or does not follow the format."""


class DataError(LayerwiseError):
    """A dataset that cannot be read or does not fit the network."""


class ModelFileError(LayerwiseError):
    """A model file that cannot be loaded safely."""
