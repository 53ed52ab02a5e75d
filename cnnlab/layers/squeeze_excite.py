"""Squeeze-and-excitation (Hu et al. 2018, SENet): learned per-channel attention.

A convolution mixes channels only through its kernel, locally. An SE block lets
every channel look at a global summary of all channels and rescale itself:

1. squeeze: global average pooling turns ``(H, W, C)`` into one number per channel;
2. excitation: a bottleneck of two fully connected layers, ``C -> C/r -> C``, with
   ReLU then sigmoid, turns that summary into a weight in (0, 1) per channel;
3. scale: each channel of the input is multiplied by its weight.

It costs ``2 * C * C/r + C/r + C`` parameters and almost no compute, which is why
it can be dropped into any architecture (SE-ResNet, MBConv in EfficientNet).
"""

import keras
from keras import ops

from .._checks import boolean, channels_of, positive_int


@keras.saving.register_keras_serializable(package="cnnlab")
class SqueezeExcite(keras.layers.Layer):
    """Squeeze-and-excitation block: ``x * sigmoid(W2 act(W1 mean_hw(x) + b1) + b2)``.

    Args:
        ratio: reduction ratio r; the bottleneck has ``max(1, C // ratio)`` units.
        units: explicit bottleneck width, overriding ``ratio`` (EfficientNet sizes
            it from the block's input channels, not from the expanded ones).
        activation: activation of the bottleneck ("relu" in SENet, "swish" in
            EfficientNet).
        use_bias: whether the two fully connected layers have biases.
        kernel_initializer: initializer of both kernels.

    Input shape:
        ``(batch, height, width, channels)``.

    Output shape:
        The input shape: the block only rescales channels.

    Example:
        >>> se = SqueezeExcite(ratio=16)
        >>> se(keras.ops.ones((2, 7, 7, 64))).shape
        (2, 7, 7, 64)
    """

    def __init__(self, ratio=16, units=None, activation="relu", use_bias=True,
                 kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.ratio = positive_int(ratio, "ratio")
        self.units = None if units is None else positive_int(units, "units")
        self.activation = keras.activations.get(activation)
        boolean(use_bias, "use_bias")
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def bottleneck_units(self, channels):
        """Width of the excitation bottleneck for an input with ``channels`` channels."""
        return self.units if self.units is not None else max(1, channels // self.ratio)

    def build(self, input_shape):
        channels = channels_of(input_shape, "SqueezeExcite")
        # Two Dense sublayers rather than raw weights, so that tools which walk
        # sublayers (cnnlab.shapes.summarize) can count the block's multiply-adds.
        self.squeeze = keras.layers.Dense(self.bottleneck_units(channels),
                                          activation=self.activation, use_bias=self.use_bias,
                                          kernel_initializer=self.kernel_initializer,
                                          name="squeeze")
        self.excite = keras.layers.Dense(channels, activation="sigmoid", use_bias=self.use_bias,
                                         kernel_initializer=self.kernel_initializer,
                                         name="excite")
        self.squeeze.build((input_shape[0], channels))
        self.excite.build((input_shape[0], self.squeeze.units))
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: channels})

    @property
    def squeeze_kernel(self):
        return self.squeeze.kernel

    @property
    def squeeze_bias(self):
        return self.squeeze.bias

    @property
    def excite_kernel(self):
        return self.excite.kernel

    @property
    def excite_bias(self):
        return self.excite.bias

    def excitation(self, inputs):
        """The channel weights in (0, 1), shape ``(batch, channels)``."""
        return self.excite(self.squeeze(ops.mean(inputs, axis=(1, 2))))

    def call(self, inputs):
        weights = self.excitation(inputs)
        return inputs * weights[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            ratio=self.ratio,
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
