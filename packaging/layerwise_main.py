"""Entry point of the bundled app: the same as the `layerwise` command."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if sys.argv[1:3] == ["-m", "app.workers"]:
        # The training child process: in the bundle sys.executable is this app, not a Python.
        from app.workers.child import main as training_child

        training_child(sys.argv[3])
        sys.exit(0)
    from app.cli import main

    sys.exit(main())
