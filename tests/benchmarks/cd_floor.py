"""The floor of a CD step on this machine: its matmuls alone.

The loop has the RBM trainer's shape (one compiled ``tf.while_loop`` over an epoch's
batches, each gathered from the data by index) and does exactly the step's matmuls with the
step's shapes and dependencies, and the weight step, but nothing else: no sigmoids, no
sampling, no bias updates, no error. Its speed is the most any TensorFlow CD step of this
shape can reach here; the trainer's speed over it says how much the rest of the step costs.
"""

from __future__ import annotations

import time

import numpy as np


def matmul_floor(x: np.ndarray, hidden: int, batch: int, epochs: int, persistent: bool) -> float:
    """Samples per second of the CD-1 (``persistent``: PCD-1) step's matmuls on ``x``."""
    import tensorflow as tf

    n, visible = x.shape
    steps = n // batch
    data = tf.constant(x)
    order = tf.constant(np.random.default_rng(0).permutation(n).astype(np.int32))
    w = tf.Variable(np.random.default_rng(1).normal(0, 0.01, (visible, hidden)).astype("f4"))
    chain = tf.zeros([batch, hidden])

    def step(i, total):
        v0 = tf.gather(data, tf.reshape(order[i * batch : (i + 1) * batch], [batch]))
        h0 = tf.matmul(v0, w)
        # PCD's reconstruction of the data and the chain's visible step share one matmul
        h = tf.concat([h0, chain], 0) if persistent else h0
        v = tf.matmul(h, w, transpose_b=True)[-batch:]
        h1 = tf.matmul(v, w)
        grad = tf.matmul(tf.concat([v0, v], 0), tf.concat([h0, h1], 0), transpose_a=True)
        tf.raw_ops.ResourceApplyGradientDescent(var=w.handle, alpha=tf.constant(1e-9), delta=grad)
        return i + 1, total + grad[0, 0]

    @tf.function(autograph=False)
    def epoch():
        return tf.while_loop(lambda i, _: i < steps, step, (0, 0.0), parallel_iterations=1)

    epoch()  # traced and run once before timing, as the trainer's first chunk is
    start = time.perf_counter()
    for _ in range(epochs):
        float(epoch()[1])
    return steps * batch * epochs / (time.perf_counter() - start)
