"""``python -m app.workers ADDRESS``: the training child process (see app.workers.child)."""

import sys

from app.workers.child import main

if __name__ == "__main__":
    main(sys.argv[1])
