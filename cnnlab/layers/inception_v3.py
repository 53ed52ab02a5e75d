"""Inception blocks: GoogLeNet's module (v1) and Inception v3's factorised blocks.

Every block runs parallel branches on the same input and concatenates their
outputs on the channel axis. The v3 blocks reproduce ``keras.applications.InceptionV3``
exactly (same branches, in the same order, each convolution followed by
``BatchNormalization(scale=False)`` and ReLU), so their weights can be copied
one to one.
"""

import keras
from keras import ops

from .._checks import boolean, channels_of


def _check_filters(name, value, length=None, optional=False):
    """Validate a filter count (``length=None``) or a tuple of ``length`` counts."""
    if value is None and optional:
        return None
    if length is None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            allowed = "an int >= 1 or None" if optional else "an int >= 1"
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return value
    if not isinstance(value, (tuple, list)) or len(value) != length:
        allowed = f"a tuple of {length} ints >= 1" + (" or None" if optional else "")
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    for item in value:
        _check_filters(name, item)
    return tuple(value)


def _conv(filters, kernel_size, strides=1, padding="same"):
    return ("conv", filters, tuple(kernel_size), strides, padding)


def _pool(kind, strides=1, padding="same"):
    return ("pool", kind, (3, 3), strides, padding)


class _ParallelBranches(keras.layers.Layer):
    """Branches of convolutions and pools on one input, concatenated on channels.

    Subclasses describe their branches with ``_branch_specs()``: a list of
    branches, each a list of ``("conv", filters, kernel, strides, padding)``,
    ``("pool", "max" | "avg", pool_size, strides, padding)`` or, last in a
    branch, ``("fork", [conv, conv])`` whose two outputs are concatenated.
    Sub-layers are created in ``__init__`` in branch order, the order in which
    ``keras.applications`` creates them, so weights can be paired one to one.
    """

    def __init__(self, batch_norm, bn_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.batch_norm = boolean(batch_norm, "batch_norm")
        if isinstance(bn_momentum, bool) or not isinstance(bn_momentum, (int, float)) or not 0 <= bn_momentum < 1:
            raise ValueError(f"bn_momentum must be a number in [0, 1), got {bn_momentum!r}")
        self.bn_momentum = float(bn_momentum)
        self._branches = []
        for spec in self._branch_specs():
            self._branches.append([self._make(op) for op in spec])

    def _branch_specs(self):
        raise NotImplementedError

    def _make(self, op):
        if op[0] == "conv":
            _, filters, kernel_size, strides, padding = op
            conv = keras.layers.Conv2D(
                filters,
                kernel_size,
                strides=strides,
                padding=padding,
                use_bias=not self.batch_norm,
            )
            # Keras' InceptionV3 convention: no conv bias and no BN scale, because
            # BN's beta is the bias and the following ReLU makes a scale redundant.
            norm = (
                keras.layers.BatchNormalization(momentum=self.bn_momentum, scale=False)
                if self.batch_norm
                else None
            )
            return ("conv", conv, norm)
        if op[0] == "pool":
            _, kind, pool_size, strides, padding = op
            pool_class = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
            return ("pool", pool_class(pool_size, strides=strides, padding=padding))
        return ("fork", [self._make(sub) for sub in op[1]])

    def _layer_output_shape(self, unit, shape, build):
        if unit[0] == "conv":
            _, conv, norm = unit
            if build:
                conv.build(shape)
            shape = conv.compute_output_shape(shape)
            if norm is not None and build:
                norm.build(shape)
            return shape
        if unit[0] == "pool":
            return unit[1].compute_output_shape(shape)
        shapes = [self._layer_output_shape(sub, shape, build) for sub in unit[1]]
        return (*shapes[0][:-1], sum(s[-1] for s in shapes))

    def _branch_output_shapes(self, input_shape, build):
        shapes = []
        for branch in self._branches:
            shape = tuple(input_shape)
            for unit in branch:
                shape = self._layer_output_shape(unit, shape, build)
            shapes.append(shape)
        return shapes

    def build(self, input_shape):
        channels_of(input_shape, type(self).__name__)
        self._branch_output_shapes(input_shape, build=True)
        self.built = True

    def _apply(self, unit, x, training):
        if unit[0] == "conv":
            _, conv, norm = unit
            x = conv(x)
            if norm is not None:
                x = norm(x, training=training)
            return ops.relu(x)
        if unit[0] == "pool":
            return unit[1](x)
        return ops.concatenate([self._apply(sub, x, training) for sub in unit[1]], axis=-1)

    def call(self, inputs, training=None):
        outputs = []
        for branch in self._branches:
            x = inputs
            for unit in branch:
                x = self._apply(unit, x, training)
            outputs.append(x)
        return ops.concatenate(outputs, axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = self._branch_output_shapes(input_shape, build=False)
        return (*shapes[0][:-1], sum(s[-1] for s in shapes))

    def branch_output_shapes(self, input_shape):
        """Output shape of each branch for ``input_shape``, in concatenation order."""
        return self._branch_output_shapes(input_shape, build=False)


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
        batch_norm, bn_momentum: as in ``InceptionV3A``.

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
        if isinstance(n, bool) or not isinstance(n, int) or n < 3 or n % 2 == 0:
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
        batch_norm, bn_momentum: as in ``InceptionV3A``.

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


@keras.saving.register_keras_serializable(package="cnnlab")
class GridReduction(_ParallelBranches):
    """Inception v3's grid-size reduction: parallel stride-2 conv and pool branches.

    Szegedy et al. 2016, figure 10. Pooling first and then an inception block
    loses information (a representational bottleneck); an inception block first
    and then pooling costs the block's compute at full resolution. Running
    stride-2 convolutions next to a stride-2 max pool halves the grid while the
    channels grow. Every stride-2 layer uses ``"valid"`` padding, so the
    output size is ``(size - 3) // 2 + 1``.

    Exactly one of ``filters_3x3dbl`` (Keras' ``mixed3``, 35 -> 17) and
    ``filters_7x7x3`` (``mixed8``, 17 -> 8) must be given.

    Args:
        filters_3x3: ``(filters,)`` for a single 3x3 stride-2 conv, or
            ``(reduce, filters)`` for a 1x1 first.
        filters_3x3dbl: ``(reduce, 3x3 filters, 3x3 stride-2 filters)``, or None.
        filters_7x7x3: ``(reduce, 1x7, 7x1, 3x3 stride-2 filters)``, or None.
        batch_norm, bn_momentum: as in ``InceptionV3A``.

    Input shape:
        4-D tensor ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, (height - 3) // 2 + 1, (width - 3) // 2 + 1, channels + the branches' last filters)``.

    Example:
        >>> block = GridReduction((384,), filters_3x3dbl=(64, 96, 96))  # mixed3
        >>> block.compute_output_shape((None, 35, 35, 288))
        (None, 17, 17, 768)
    """

    def __init__(
        self,
        filters_3x3=(384,),
        filters_3x3dbl=None,
        filters_7x7x3=None,
        batch_norm=True,
        bn_momentum=0.99,
        **kwargs,
    ):
        if not isinstance(filters_3x3, (tuple, list)) or len(filters_3x3) not in (1, 2):
            raise ValueError(f"filters_3x3 must be a tuple of 1 or 2 ints >= 1, got {filters_3x3!r}")
        self.filters_3x3 = _check_filters("filters_3x3", filters_3x3, length=len(filters_3x3))
        self.filters_3x3dbl = _check_filters("filters_3x3dbl", filters_3x3dbl, length=3, optional=True)
        self.filters_7x7x3 = _check_filters("filters_7x7x3", filters_7x7x3, length=4, optional=True)
        if (self.filters_3x3dbl is None) == (self.filters_7x7x3 is None):
            raise ValueError(
                "exactly one of filters_3x3dbl and filters_7x7x3 must be given, got "
                f"filters_3x3dbl={filters_3x3dbl!r}, filters_7x7x3={filters_7x7x3!r}"
            )
        super().__init__(batch_norm, bn_momentum, **kwargs)

    def _branch_specs(self):
        head = [_conv(self.filters_3x3[0], (1, 1))] if len(self.filters_3x3) == 2 else []
        branches = [head + [_conv(self.filters_3x3[-1], (3, 3), strides=2, padding="valid")]]
        if self.filters_3x3dbl is not None:
            reduce, first, second = self.filters_3x3dbl
            branches.append(
                [
                    _conv(reduce, (1, 1)),
                    _conv(first, (3, 3)),
                    _conv(second, (3, 3), strides=2, padding="valid"),
                ]
            )
        else:
            reduce, row, column, last = self.filters_7x7x3
            branches.append(
                [
                    _conv(reduce, (1, 1)),
                    _conv(row, (1, 7)),
                    _conv(column, (7, 1)),
                    _conv(last, (3, 3), strides=2, padding="valid"),
                ]
            )
        branches.append([_pool("max", strides=2, padding="valid")])
        return branches

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters_3x3": self.filters_3x3,
                "filters_3x3dbl": self.filters_3x3dbl,
                "filters_7x7x3": self.filters_7x7x3,
                "batch_norm": self.batch_norm,
                "bn_momentum": self.bn_momentum,
            }
        )
        return config
