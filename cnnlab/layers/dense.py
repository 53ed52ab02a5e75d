"""DenseNet's dense block and transition layer (Huang et al. 2017).

Inside a dense block every layer receives the concatenation of the block input and
of all earlier layers' outputs, and adds ``growth_rate`` (k) new channels to it. A
block of ``l`` layers on ``c0`` input channels therefore outputs ``c0 + k * l``
channels: 6 + 4 * 4 = 22 in the lecture's figure. Because each layer only adds k
channels (12 or 32, against hundreds in ResNet) while reading everything before it,
DenseNets reach ResNet accuracy with far fewer parameters.

Each layer is the pre-activation composite BN-ReLU-conv. With ``bottleneck=True``
(DenseNet-B) a 1x1 convolution first reduces the growing input to
``bottleneck_width * k`` channels (4k in the paper) before the 3x3 convolution.

Between blocks a transition layer (BN-ReLU-1x1 conv-2x2 average pool) halves height
and width and, with compression theta < 1 (DenseNet-C), keeps ``floor(theta * m)`` of
the ``m`` channels.
"""

import keras
from keras import ops

from .._checks import boolean, channels_of, fraction, positive_int


def _check_epsilon(epsilon):
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
        raise ValueError(f"epsilon must be a number > 0, got {epsilon!r}")
    return float(epsilon)


@keras.saving.register_keras_serializable(package="cnnlab")
class DenseBlock(keras.layers.Layer):
    """``num_layers`` densely connected BN-ReLU-conv layers, concatenated on channels.

    Args:
        num_layers: layers in the block (l).
        growth_rate: channels each layer adds (k).
        bottleneck: put a BN-ReLU-1x1 conv to ``bottleneck_width * growth_rate``
            channels before each 3x3 convolution (DenseNet-B).
        bottleneck_width: the multiple of k of that 1x1 convolution (4 in the paper).
        kernel_initializer: initializer of the convolutions.
        epsilon: of the batch normalisations (1.001e-5, as keras.applications).

    Input shape:
        ``(batch, height, width, c0)``.

    Output shape:
        ``(batch, height, width, c0 + num_layers * growth_rate)``.

    Example:
        >>> block = DenseBlock(num_layers=4, growth_rate=4, bottleneck=False)
        >>> block(keras.ops.ones((1, 8, 8, 6))).shape
        (1, 8, 8, 22)
    """

    def __init__(self, num_layers, growth_rate, bottleneck=True, bottleneck_width=4,
                 kernel_initializer="he_normal", epsilon=1.001e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_layers = positive_int(num_layers, "num_layers")
        self.growth_rate = positive_int(growth_rate, "growth_rate")
        self.bottleneck = boolean(bottleneck, "bottleneck")
        self.bottleneck_width = positive_int(bottleneck_width, "bottleneck_width")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.epsilon = _check_epsilon(epsilon)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def output_channels(self, input_channels):
        """``c0 + k * l``: the channel count the block outputs."""
        return input_channels + self.growth_rate * self.num_layers

    def _conv(self, filters, kernel_size, name):
        return keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=False,
                                   kernel_initializer=self.kernel_initializer, name=name)

    def build(self, input_shape):
        in_channels = channels_of(input_shape, "DenseBlock")
        self.composites = []
        batch, height, width, _ = input_shape
        for i in range(self.num_layers):
            shape = (batch, height, width, in_channels + i * self.growth_rate)
            steps = []
            if self.bottleneck:
                steps.append((keras.layers.BatchNormalization(epsilon=self.epsilon,
                                                              name=f"layer{i + 1}_bn1"),
                              self._conv(self.bottleneck_width * self.growth_rate, 1,
                                         f"layer{i + 1}_conv1")))
            steps.append((keras.layers.BatchNormalization(epsilon=self.epsilon,
                                                          name=f"layer{i + 1}_bn2"),
                          self._conv(self.growth_rate, 3, f"layer{i + 1}_conv2")))
            for norm, conv in steps:
                norm.build(shape)
                conv.build(shape)
                shape = conv.compute_output_shape(shape)
            self.composites.append(steps)
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: in_channels})

    def call(self, inputs, training=None):
        features = inputs
        for steps in self.composites:
            x = features
            for norm, conv in steps:
                x = conv(keras.activations.relu(norm(x, training=training)))
            features = ops.concatenate([features, x], axis=-1)
        return features

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, height, width, None if channels is None else self.output_channels(channels))

    def get_config(self):
        config = super().get_config()
        config.update(
            num_layers=self.num_layers,
            growth_rate=self.growth_rate,
            bottleneck=self.bottleneck,
            bottleneck_width=self.bottleneck_width,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            epsilon=self.epsilon,
        )
        return config


@keras.saving.register_keras_serializable(package="cnnlab")
class TransitionLayer(keras.layers.Layer):
    """DenseNet transition: BN - ReLU - 1x1 conv to ``floor(compression * m)`` - 2x2 avg pool.

    Args:
        compression: theta in (0, 1]; the fraction of channels kept (0.5 in
            DenseNet-BC, 1 keeps them all).
        kernel_initializer: initializer of the 1x1 convolution.
        epsilon: of the batch normalisation.

    Input shape:
        ``(batch, height, width, m)``.

    Output shape:
        ``(batch, height // 2, width // 2, floor(compression * m))``.

    Example:
        >>> TransitionLayer(0.5)(keras.ops.ones((1, 56, 56, 256))).shape
        (1, 28, 28, 128)
    """

    def __init__(self, compression=0.5, kernel_initializer="he_normal", epsilon=1.001e-5,
                 **kwargs):
        super().__init__(**kwargs)
        self.compression = fraction(compression, "compression", low=0.0, high=1.0, low_open=True)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.epsilon = _check_epsilon(epsilon)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def output_channels(self, input_channels):
        """``floor(compression * m)``, at least one channel."""
        return max(1, int(input_channels * self.compression))

    def build(self, input_shape):
        in_channels = channels_of(input_shape, "TransitionLayer")
        self.norm = keras.layers.BatchNormalization(epsilon=self.epsilon, name="bn")
        self.conv = keras.layers.Conv2D(self.output_channels(in_channels), 1, use_bias=False,
                                        kernel_initializer=self.kernel_initializer, name="conv")
        self.norm.build(input_shape)
        self.conv.build(input_shape)
        self.pool = keras.layers.AveragePooling2D(2, strides=2, name="pool")
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: in_channels})

    def call(self, inputs, training=None):
        x = self.conv(keras.activations.relu(self.norm(inputs, training=training)))
        return self.pool(x)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, None if height is None else height // 2,
                None if width is None else width // 2,
                None if channels is None else self.output_channels(channels))

    def get_config(self):
        config = super().get_config()
        config.update(
            compression=self.compression,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            epsilon=self.epsilon,
        )
        return config

