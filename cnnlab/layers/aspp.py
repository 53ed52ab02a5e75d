"""Atrous Spatial Pyramid Pooling, the context module of DeepLab v3 (Chen et al. 2017).

A dilated ("atrous") 3x3 convolution with rate ``r`` reads a ``(2r + 1) x (2r + 1)``
square with 9 weights, so parallel branches with different rates see the same
feature map at several scales for the price of one 3x3 convolution each. ASPP
runs a 1x1 convolution, one 3x3 convolution per rate, and an *image pooling*
branch (global average, 1x1 convolution, copied back to every pixel) side by
side, concatenates them and mixes them with a 1x1 convolution. Every
convolution is followed by batch normalisation and ReLU and has no bias, as in
the paper.
"""

import keras
from keras import ops

from .._checks import boolean, channels_of, fraction, positive_int


def _conv_bn_relu(filters, kernel_size, dilation_rate, name):
    return [
        keras.layers.Conv2D(filters, kernel_size, padding="same", dilation_rate=dilation_rate,
                            use_bias=False, name=f"{name}_conv"),
        keras.layers.BatchNormalization(name=f"{name}_bn"),
        keras.layers.ReLU(name=f"{name}_relu"),
    ]


@keras.saving.register_keras_serializable(package="cnnlab")
class AtrousSpatialPyramidPooling(keras.layers.Layer):
    """DeepLab v3's ASPP: parallel dilated convolutions and image pooling.

    Branches (each Conv2D without bias, then BatchNormalization and ReLU):
    a 1x1 convolution; a 3x3 convolution with ``dilation_rate=r`` for each ``r``
    in ``rates``; optionally global average pooling followed by a 1x1
    convolution, broadcast back to the input's height and width. The
    ``(1 + len(rates) + image_pooling) * filters`` concatenated channels are
    projected to ``filters`` by a 1x1 convolution (with BN and ReLU) and an
    optional dropout.

    DeepLab v3 uses ``rates=(6, 12, 18)`` at output stride 16 on 513x513 crops;
    a rate larger than the feature map only reads padding off-centre, so small
    inputs need small rates.

    Args:
        filters: int, channels of every branch and of the output (paper: 256).
        rates: tuple of positive ints, the dilation rates of the 3x3 branches.
        image_pooling: bool, add the global-average-pooling branch.
        dropout: float in [0, 1), dropout after the projection (paper: 0.1).

    Input shape:
        ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, height, width, filters)``.

    Example:
        >>> aspp = AtrousSpatialPyramidPooling(16, rates=(1, 2, 3))
        >>> tuple(aspp(keras.ops.zeros((2, 8, 8, 32))).shape)
        (2, 8, 8, 16)
    """

    def __init__(self, filters=256, rates=(6, 12, 18), image_pooling=True, dropout=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = positive_int(filters, "filters")
        if not isinstance(rates, (tuple, list)):
            raise TypeError(f"rates must be a tuple of positive ints, got {rates!r}")
        self.rates = tuple(positive_int(rate, "rates") for rate in rates)
        self.image_pooling = boolean(image_pooling, "image_pooling")
        self.dropout = fraction(dropout, "dropout", low=0.0, high=1.0, high_open=True)
        self.branches = [_conv_bn_relu(filters, 1, 1, "aspp_1x1")] + [
            _conv_bn_relu(filters, 3, rate, f"aspp_rate{rate}") for rate in self.rates
        ]
        self.pool_branch = _conv_bn_relu(filters, 1, 1, "aspp_pool") if image_pooling else None
        self.projection = _conv_bn_relu(filters, 1, 1, "aspp_project")
        self.dropout_layer = keras.layers.Dropout(self.dropout) if self.dropout else None

    def build(self, input_shape):
        channels = channels_of(input_shape, "AtrousSpatialPyramidPooling")
        input_shape = tuple(input_shape)
        for branch in self.branches:
            self._build_stack(branch, input_shape)
        if self.pool_branch is not None:
            self._build_stack(self.pool_branch, (input_shape[0], 1, 1, channels))
        count = len(self.branches) + (self.pool_branch is not None)
        self._build_stack(self.projection, (*input_shape[:3], count * self.filters))

    @staticmethod
    def _build_stack(stack, shape):
        for layer in stack:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    @staticmethod
    def _run(stack, x, training):
        for layer in stack:
            x = layer(x, training=training) if isinstance(layer, keras.layers.BatchNormalization) \
                else layer(x)
        return x

    def call(self, inputs, training=None):
        outputs = [self._run(branch, inputs, training) for branch in self.branches]
        if self.pool_branch is not None:
            pooled = ops.mean(inputs, axis=(1, 2), keepdims=True)
            pooled = self._run(self.pool_branch, pooled, training)
            # Adding to zeros of a branch's shape copies the pooled vector to every
            # pixel, also when height and width are unknown until run time.
            outputs.append(pooled + ops.zeros_like(outputs[0]))
        x = self._run(self.projection, ops.concatenate(outputs, axis=-1), training)
        if self.dropout_layer is not None:
            x = self.dropout_layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:3], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, rates=self.rates, image_pooling=self.image_pooling,
                      dropout=self.dropout)
        return config
