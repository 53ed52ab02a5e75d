"""Inception v3's grid-size reduction (Szegedy et al. 2016, figure 10)."""

import keras

from ._parallel_branches import _check_filters, _conv, _ParallelBranches, _pool


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
        batch_norm, bn_momentum, data_format: as in ``InceptionV3A``.

    Input shape:
        4-D tensor ``(batch, height, width, channels)`` with height and width >= 3.

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

    def build(self, input_shape):
        # Keras' own error for a 1x1 or 2x2 input ("Computed output size would
        # be zero or negative") names neither this block nor the size it needs.
        sizes = tuple(input_shape)[1:3]
        if len(input_shape) == 4 and any(size is not None and size < 3 for size in sizes):
            raise ValueError(
                f"GridReduction needs an input of height and width >= 3 (its stride-2 3x3 "
                f"convolutions and pool use 'valid' padding), got input shape {tuple(input_shape)}"
            )
        super().build(input_shape)

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
