"""Sound as training data: reading audio files with bounds, spectral frames, MFCCs.

``representation`` (pure Python) holds the frozen settings a project's ``data.audio`` section
gives; ``reader`` streams a file to mono samples at one rate; ``frames`` turns samples into
DFT-magnitude or mel frames and cuts windows of them; ``mfcc`` gives the baselines' features;
``inversion``, ``reconstruction`` and ``audition`` lead frames back to sound. Importing this package loads nothing
heavy: numpy, soundfile and librosa are imported by the modules that need them.
"""
