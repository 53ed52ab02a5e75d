"""Inception v3's factorised blocks (Szegedy et al. 2016, figures 5 to 7).

They reproduce ``keras.applications.InceptionV3`` exactly (same branches, in the
same order, each convolution followed by ``BatchNormalization(scale=False)`` and
ReLU), so their weights can be copied one to one.
"""

import keras

from ._parallel_branches import _check_filters, _conv, _ParallelBranches, _pool


@keras.saving.register_keras_serializable(package="cnnlab")
class InceptionV3A(_ParallelBranches):
    """Inception v3's 35x35 block: a 5x5 replaced by two stacked 3x3 convolutions.

    Szegedy et al. 2016 ("Rethinking the Inception Architecture"), figure 5.
    Branches: 1x1; 1x1 then 5x5; 1x1 then 3x3 then 3x3 (the factorised 5x5);
    3x3 average pool then a 1x1 projection. The 1x1-then-5x5 branch is what
    Keras' and TF-slim's InceptionV3 (``mixed0``-``mixed2``) keep next to the
    factorised one; ``filters_5x5=None`` drops it, as in the paper's figure.

    Args:
        filters_1x1: filters of the 1x1 branch.
        filters_5x5: ``(reduce, filters)`` of the 1x1-then-5x5 branch, or None.
        filters_3x3dbl: ``(reduce, filters, filters)`` of the 1x1-3x3-3x3 branch.
        filters_pool_proj: 1x1 filters after the average pool.
        batch_norm: ``BatchNormalization(scale=False)`` after each convolution,
            which then has no bias (Keras' convention); else biases and no BN.
        bn_momentum: momentum of the moving statistics (Keras' 0.99; a short
            training run needs a smaller one, such as 0.9, for inference-mode
            statistics to catch up).
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the block computes channels last only.

    Input shape:
        4-D tensor ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, height, width, sum of the branches' last filters)``.

    Example:
        >>> block = InceptionV3A(64, (48, 64), (64, 96, 96), 32)  # Keras' mixed0
        >>> block.compute_output_shape((None, 35, 35, 192))
        (None, 35, 35, 256)
    """

    def __init__(
        self,
        filters_1x1=64,
        filters_5x5=(48, 64),
        filters_3x3dbl=(64, 96, 96),
        filters_pool_proj=32,
        batch_norm=True,
        bn_momentum=0.99,
        **kwargs,
    ):
        self.filters_1x1 = _check_filters("filters_1x1", filters_1x1)
        self.filters_5x5 = _check_filters("filters_5x5", filters_5x5, length=2, optional=True)
        self.filters_3x3dbl = _check_filters("filters_3x3dbl", filters_3x3dbl, length=3)
        self.filters_pool_proj = _check_filters("filters_pool_proj", filters_pool_proj)
        super().__init__(batch_norm, bn_momentum, **kwargs)

    def _branch_specs(self):
        branches = [[_conv(self.filters_1x1, (1, 1))]]
        if self.filters_5x5 is not None:
            branches.append([_conv(self.filters_5x5[0], (1, 1)), _conv(self.filters_5x5[1], (5, 5))])
        reduce, first, second = self.filters_3x3dbl
        branches.append([_conv(reduce, (1, 1)), _conv(first, (3, 3)), _conv(second, (3, 3))])
        branches.append([_pool("avg"), _conv(self.filters_pool_proj, (1, 1))])
        return branches

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters_1x1": self.filters_1x1,
                "filters_5x5": self.filters_5x5,
                "filters_3x3dbl": self.filters_3x3dbl,
                "filters_pool_proj": self.filters_pool_proj,
                "batch_norm": self.batch_norm,
                "bn_momentum": self.bn_momentum,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="cnnlab")
class InceptionV3B(_ParallelBranches):
    """Inception v3's 17x17 block: an n x n convolution as 1 x n then n x 1.

    Szegedy et al. 2016, figure 6 (Keras' ``mixed4``-``mixed7`` with ``n=7``).
    Branches: 1x1; 1x1, 1xn, nx1; 1x1, nx1, 1xn, nx1, 1xn; 3x3 average pool
    then 1x1. A 1xn followed by an nx1 covers an n x n window with ``2n``
    instead of ``n*n`` weights per channel pair.

    Args:
        filters_1x1: filters of the 1x1 branch.
        filters_nxn: ``(reduce, 1xn filters, nx1 filters)``.
        filters_nxn_dbl: ``(reduce, nx1, 1xn, nx1, 1xn)`` filters.
        filters_pool_proj: 1x1 filters after the average pool.
        n: the factorised kernel size (odd, >= 3).
        batch_norm, bn_momentum, data_format: as in ``InceptionV3A``.

    Input shape:
        4-D tensor ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, height, width, filters_1x1 + filters_nxn[-1] + filters_nxn_dbl[-1] + filters_pool_proj)``.

    Example:
        >>> block = InceptionV3B(192, (128, 128, 192), (128, 128, 128, 128, 192), 192)  # mixed4
        >>> block.compute_output_shape((None, 17, 17, 768))
        (None, 17, 17, 768)
    """

    def __init__(
        self,
        filters_1x1=192,
        filters_nxn=(128, 128, 192),
        filters_nxn_dbl=(128, 128, 128, 128, 192),
        filters_pool_proj=192,
        n=7,
        batch_norm=True,
        bn_momentum=0.99,
        **kwargs,
    ):
        self.filters_1x1 = _check_filters("filters_1x1", filters_1x1)
        self.filters_nxn = _check_filters("filters_nxn", filters_nxn, length=3)
        self.filters_nxn_dbl = _check_filters("filters_nxn_dbl", filters_nxn_dbl, length=5)
        self.filters_pool_proj = _check_filters("filters_pool_proj", filters_pool_proj)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an odd int >= 3, got {n!r}")
        if n < 3 or n % 2 == 0:
            raise ValueError(f"n must be an odd int >= 3, got {n!r}")
        self.n = n
        super().__init__(batch_norm, bn_momentum, **kwargs)

    def _branch_specs(self):
        n = self.n
        row, column = (1, n), (n, 1)
        a = self.filters_nxn
        b = self.filters_nxn_dbl
        return [
            [_conv(self.filters_1x1, (1, 1))],
            [_conv(a[0], (1, 1)), _conv(a[1], row), _conv(a[2], column)],
            [_conv(b[0], (1, 1)), _conv(b[1], column), _conv(b[2], row), _conv(b[3], column), _conv(b[4], row)],
            [_pool("avg"), _conv(self.filters_pool_proj, (1, 1))],
        ]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters_1x1": self.filters_1x1,
                "filters_nxn": self.filters_nxn,
                "filters_nxn_dbl": self.filters_nxn_dbl,
                "filters_pool_proj": self.filters_pool_proj,
                "n": self.n,
                "batch_norm": self.batch_norm,
                "bn_momentum": self.bn_momentum,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="cnnlab")
class InceptionV3C(_ParallelBranches):
    """Inception v3's 8x8 block with expanded filter banks.

    Szegedy et al. 2016, figure 7 (Keras' ``mixed9``/``mixed10``). Branches:
    1x1; 1x1 then a fork into parallel 1x3 and 3x1; 1x1, 3x3, then the same
    fork; 3x3 average pool then 1x1. The forks widen the output on the
    coarsest grid, where high-dimensional representations are cheap.

    Args:
        filters_1x1: filters of the 1x1 branch.
        filters_3x3: ``(reduce, fork filters)``; each fork half has ``fork filters``.
        filters_3x3dbl: ``(reduce, 3x3 filters, fork filters)``.
        filters_pool_proj: 1x1 filters after the average pool.
        batch_norm, bn_momentum, data_format: as in ``InceptionV3A``.

    Input shape:
        4-D tensor ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, height, width, filters_1x1 + 2 * filters_3x3[-1] + 2 * filters_3x3dbl[-1] + filters_pool_proj)``.

    Example:
        >>> block = InceptionV3C(320, (384, 384), (448, 384, 384), 192)  # mixed9
        >>> block.compute_output_shape((None, 8, 8, 1280))
        (None, 8, 8, 2048)
    """

    def __init__(
        self,
        filters_1x1=320,
        filters_3x3=(384, 384),
        filters_3x3dbl=(448, 384, 384),
        filters_pool_proj=192,
        batch_norm=True,
        bn_momentum=0.99,
        **kwargs,
    ):
        self.filters_1x1 = _check_filters("filters_1x1", filters_1x1)
        self.filters_3x3 = _check_filters("filters_3x3", filters_3x3, length=2)
        self.filters_3x3dbl = _check_filters("filters_3x3dbl", filters_3x3dbl, length=3)
        self.filters_pool_proj = _check_filters("filters_pool_proj", filters_pool_proj)
        super().__init__(batch_norm, bn_momentum, **kwargs)

    def _branch_specs(self):
        def fork(filters):
            return ("fork", [_conv(filters, (1, 3)), _conv(filters, (3, 1))])

        a = self.filters_3x3
        b = self.filters_3x3dbl
        return [
            [_conv(self.filters_1x1, (1, 1))],
            [_conv(a[0], (1, 1)), fork(a[1])],
            [_conv(b[0], (1, 1)), _conv(b[1], (3, 3)), fork(b[2])],
            [_pool("avg"), _conv(self.filters_pool_proj, (1, 1))],
        ]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters_1x1": self.filters_1x1,
                "filters_3x3": self.filters_3x3,
                "filters_3x3dbl": self.filters_3x3dbl,
                "filters_pool_proj": self.filters_pool_proj,
                "batch_norm": self.batch_norm,
                "bn_momentum": self.bn_momentum,
            }
        )
        return config
