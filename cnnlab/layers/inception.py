"""GoogLeNet's inception module (v1, Szegedy et al. 2015).

Inception v3's factorised blocks are in :mod:`cnnlab.layers.inception_v3` and its
grid reduction in :mod:`cnnlab.layers.grid_reduction`; both stay importable from
here too.
"""

import keras

from ._parallel_branches import _check_filters, _conv, _ParallelBranches, _pool
from .grid_reduction import GridReduction
from .inception_v3 import InceptionV3A, InceptionV3B, InceptionV3C


@keras.saving.register_keras_serializable(package="cnnlab")
class InceptionModule(_ParallelBranches):
    """GoogLeNet's inception module (Szegedy et al. 2015, figure 2).

    Four branches on the same input, concatenated on channels: a 1x1
    convolution; a 1x1 reduction then a 3x3; a 1x1 reduction then a 5x5; a
    3x3 max pool (stride 1) then a 1x1 projection. Each convolution uses
    ``"same"`` padding and ReLU, so the spatial size is unchanged and the
    output has ``filters_1x1 + filters_3x3 + filters_5x5 + filters_pool_proj``
    channels. The arguments follow the columns of the paper's table 1.

    Passing ``None`` for a reduction or the projection gives the paper's
    "naive" module (figure 2a): the 3x3/5x5 convolutions see all input
    channels and the pool branch passes every input channel through.

    Args:
        filters_1x1: filters of the 1x1 branch ("#1x1").
        filters_3x3_reduce: 1x1 filters before the 3x3 ("#3x3 reduce"), or None.
        filters_3x3: filters of the 3x3 convolution ("#3x3").
        filters_5x5_reduce: 1x1 filters before the 5x5 ("#5x5 reduce"), or None.
        filters_5x5: filters of the 5x5 convolution ("#5x5").
        filters_pool_proj: 1x1 filters after the max pool ("pool proj"), or None.
        batch_norm: follow every convolution with batch normalization (the
            "BN-Inception" convention; the 2015 paper has none).
        bn_momentum: momentum of the BatchNormalization moving statistics.
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the block computes channels last only.

    Input shape:
        4-D tensor ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, height, width, filters_1x1 + filters_3x3 + filters_5x5 + P)``
        where ``P`` is ``filters_pool_proj``, or the input channels when it is None.

    Example:
        >>> block = InceptionModule(64, 96, 128, 16, 32, 32)  # inception (3a)
        >>> block.compute_output_shape((None, 28, 28, 192))
        (None, 28, 28, 256)
    """

    def __init__(
        self,
        filters_1x1,
        filters_3x3_reduce,
        filters_3x3,
        filters_5x5_reduce,
        filters_5x5,
        filters_pool_proj,
        batch_norm=False,
        bn_momentum=0.99,
        **kwargs,
    ):
        self.filters_1x1 = _check_filters("filters_1x1", filters_1x1)
        self.filters_3x3_reduce = _check_filters("filters_3x3_reduce", filters_3x3_reduce, optional=True)
        self.filters_3x3 = _check_filters("filters_3x3", filters_3x3)
        self.filters_5x5_reduce = _check_filters("filters_5x5_reduce", filters_5x5_reduce, optional=True)
        self.filters_5x5 = _check_filters("filters_5x5", filters_5x5)
        self.filters_pool_proj = _check_filters("filters_pool_proj", filters_pool_proj, optional=True)
        super().__init__(batch_norm, bn_momentum, **kwargs)

    def _branch_specs(self):
        def reduced(reduce, filters, size):
            head = [_conv(reduce, (1, 1))] if reduce is not None else []
            return head + [_conv(filters, (size, size))]

        pool_branch = [_pool("max")]
        if self.filters_pool_proj is not None:
            pool_branch.append(_conv(self.filters_pool_proj, (1, 1)))
        return [
            [_conv(self.filters_1x1, (1, 1))],
            reduced(self.filters_3x3_reduce, self.filters_3x3, 3),
            reduced(self.filters_5x5_reduce, self.filters_5x5, 5),
            pool_branch,
        ]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters_1x1": self.filters_1x1,
                "filters_3x3_reduce": self.filters_3x3_reduce,
                "filters_3x3": self.filters_3x3,
                "filters_5x5_reduce": self.filters_5x5_reduce,
                "filters_5x5": self.filters_5x5,
                "filters_pool_proj": self.filters_pool_proj,
                "batch_norm": self.batch_norm,
                "bn_momentum": self.bn_momentum,
            }
        )
        return config


__all__ = ["GridReduction", "InceptionModule", "InceptionV3A", "InceptionV3B", "InceptionV3C"]
