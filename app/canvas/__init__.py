"""The network editor: the Document (project + undo stack), its commands, scene and view."""
