"""Timing helpers shared by the model benchmarks (not a benchmark itself)."""

import time

from _steps import forward_step


def forward_function(model):
    """The model's compiled inference pass on the Keras backend in use."""
    return forward_step(model)


def paired_times(theirs, ours, x, repeats):
    """Alternate the two functions and keep every (theirs, ours) pair of seconds.

    The load of a shared machine changes between pairs more than within one, so
    the median of per-pair ratios is the steady figure.
    """
    theirs(x)  # trace and compile outside the timing
    ours(x)
    pairs = []
    for _ in range(repeats):
        start = time.perf_counter()
        theirs(x)
        middle = time.perf_counter()
        ours(x)
        pairs.append((middle - start, time.perf_counter() - middle))
    return pairs
