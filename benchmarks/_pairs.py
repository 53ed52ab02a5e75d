"""Timing helpers shared by the model benchmarks (not a benchmark itself)."""

import time

import tensorflow as tf


def forward_function(model):
    """The model's inference pass as one traced graph, as deployment would run it."""

    @tf.function
    def forward(x):
        return model(x, training=False)

    return forward


def paired_times(theirs, ours, x, repeats):
    """Alternate the two functions and keep every (theirs, ours) pair of seconds.

    The load of a shared machine changes between pairs more than within one, so
    the median of per-pair ratios is the steady figure.
    """
    theirs(x).numpy()  # trace outside the timing
    ours(x).numpy()
    pairs = []
    for _ in range(repeats):
        start = time.perf_counter()
        theirs(x).numpy()
        middle = time.perf_counter()
        ours(x).numpy()
        pairs.append((middle - start, time.perf_counter() - middle))
    return pairs
