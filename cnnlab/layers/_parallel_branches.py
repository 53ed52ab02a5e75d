"""The machinery shared by the inception blocks: parallel branches, concatenated.

Every block runs parallel branches on the same input and concatenates their
outputs on the channel axis. Blocks describe their branches as data
(:class:`_ParallelBranches`), so that building, shape inference and the call
are written once.
"""

import keras
from keras import ops

from .._checks import boolean, channels_of, fraction
from ._layout import channels_last


def _check_filters(name, value, length=None, optional=False):
    """Validate a filter count (``length=None``) or a tuple of ``length`` counts."""
    if value is None and optional:
        return None
    if length is None:
        allowed = "an int >= 1 or None" if optional else "an int >= 1"
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be {allowed}, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return value
    allowed = f"a tuple of {length} ints >= 1" + (" or None" if optional else "")
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be {allowed}, got {value!r}")
    if len(value) != length:
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

    def __init__(self, batch_norm, bn_momentum=0.99, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = channels_last(data_format, type(self).__name__)
        self.batch_norm = boolean(batch_norm, "batch_norm")
        self.bn_momentum = fraction(bn_momentum, "bn_momentum", low=0, high=1, high_open=True)
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
                data_format="channels_last",
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
            return ("pool", pool_class(pool_size, strides=strides, padding=padding,
                                       data_format="channels_last"))
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

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config

    def branch_output_shapes(self, input_shape):
        """Output shape of each branch for ``input_shape``, in concatenation order."""
        return self._branch_output_shapes(input_shape, build=False)
