"""MBConv, the mobile inverted bottleneck of MobileNetV2 and EfficientNet (Tan & Le 2019).

A ResNet bottleneck is wide - narrow - wide; MBConv is inverted: narrow - wide - narrow.

1. expansion: a 1x1 convolution widens ``filters_in`` channels ``expand_ratio`` times
   (skipped when the ratio is 1);
2. a depthwise ``k x k`` convolution filters each wide channel on its own, which costs
   ``k * k`` weights per channel instead of ``k * k * C``;
3. squeeze-and-excitation re-weights the wide channels, its bottleneck sized from the
   block's *input* channels (``filters_in * se_ratio``);
4. projection: a linear 1x1 convolution (no activation) back to ``filters`` channels;
5. when input and output shapes agree, an identity shortcut, with drop-connect
   (stochastic depth): during training the whole residual of a sample is dropped with
   probability ``drop_rate`` and the survivors are scaled by ``1 / (1 - drop_rate)``.

Every convolution is followed by batch normalisation; the activation is swish
(``x * sigmoid(x)``).
"""

import keras

from .._checks import boolean, channels_of, fraction, positive_int, same_output_size
from .squeeze_excite import SqueezeExcite

# EfficientNet's convolution initializer (keras.applications.efficientnet).
CONV_INITIALIZER = {"class_name": "VarianceScaling",
                    "config": {"scale": 2.0, "mode": "fan_out",
                               "distribution": "truncated_normal"}}


@keras.saving.register_keras_serializable(package="cnnlab")
class MBConv(keras.layers.Layer):
    """Mobile inverted bottleneck with squeeze-and-excitation and drop-connect.

    Args:
        filters: output channels.
        kernel_size: side of the depthwise kernel (3 or 5 in EfficientNet).
        strides: stride of the depthwise convolution.
        expand_ratio: width multiplier of the expansion (1 skips the expansion conv).
        se_ratio: SE bottleneck width as a fraction of the input channels, in
            (0, 1]; 0 turns the SE block off.
        drop_rate: drop-connect probability of the residual, in [0, 1).
        id_skip: add the identity shortcut when input and output shapes agree.
        activation: activation after the expansion and depthwise convolutions.
        kernel_initializer: initializer of the convolutions.
        epsilon, momentum: of the batch normalisations (Keras' defaults, as in
            keras.applications.EfficientNet).

    Input shape:
        ``(batch, height, width, filters_in)``.

    Output shape:
        ``(batch, ceil(height / strides), ceil(width / strides), filters)``.

    Example:
        >>> block = MBConv(24, kernel_size=3, strides=2, expand_ratio=6)
        >>> block(keras.ops.ones((1, 112, 112, 16))).shape
        (1, 56, 56, 24)
    """

    def __init__(self, filters, kernel_size=3, strides=1, expand_ratio=6, se_ratio=0.25,
                 drop_rate=0.0, id_skip=True, activation="swish",
                 kernel_initializer=CONV_INITIALIZER, epsilon=1e-3, momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.filters = positive_int(filters, "filters")
        self.kernel_size = positive_int(kernel_size, "kernel_size")
        self.strides = positive_int(strides, "strides")
        self.expand_ratio = positive_int(expand_ratio, "expand_ratio")
        self.se_ratio = fraction(se_ratio, "se_ratio", low=0.0, high=1.0)
        self.drop_rate = fraction(drop_rate, "drop_rate", low=0.0, high=1.0, high_open=True)
        self.id_skip = boolean(id_skip, "id_skip")
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"epsilon must be a number > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.momentum = fraction(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _norm(self, name):
        return keras.layers.BatchNormalization(epsilon=self.epsilon, momentum=self.momentum,
                                               name=name)

    def build(self, input_shape):
        filters_in = channels_of(input_shape, "MBConv")
        expanded = filters_in * self.expand_ratio
        shape = tuple(input_shape)
        self.expand_conv = self.expand_norm = None
        if self.expand_ratio != 1:
            self.expand_conv = keras.layers.Conv2D(
                expanded, 1, use_bias=False, kernel_initializer=self.kernel_initializer,
                name="expand_conv")
            self.expand_norm = self._norm("expand_bn")
            self.expand_conv.build(shape)
            shape = self.expand_conv.compute_output_shape(shape)
            self.expand_norm.build(shape)
        self.depthwise = keras.layers.DepthwiseConv2D(
            self.kernel_size, strides=self.strides, padding="same", use_bias=False,
            depthwise_initializer=self.kernel_initializer, name="dwconv")
        self.depthwise_norm = self._norm("bn")
        self.depthwise.build(shape)
        shape = self.depthwise.compute_output_shape(shape)
        self.depthwise_norm.build(shape)
        self.se = None
        if self.se_ratio > 0:
            self.se = SqueezeExcite(units=max(1, int(filters_in * self.se_ratio)),
                                    activation=self.activation,
                                    kernel_initializer=self.kernel_initializer, name="se")
            self.se.build(shape)
        self.project_conv = keras.layers.Conv2D(
            self.filters, 1, use_bias=False, kernel_initializer=self.kernel_initializer,
            name="project_conv")
        self.project_norm = self._norm("project_bn")
        self.project_conv.build(shape)
        self.project_norm.build(self.project_conv.compute_output_shape(shape))
        self.has_shortcut = self.id_skip and self.strides == 1 and filters_in == self.filters
        self.drop = None
        if self.has_shortcut and self.drop_rate > 0:
            # One Bernoulli draw per sample: the whole residual is kept or dropped.
            self.drop = keras.layers.Dropout(self.drop_rate, noise_shape=(None, 1, 1, 1),
                                             name="drop")
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: filters_in})

    def call(self, inputs, training=None):
        x = inputs
        if self.expand_conv is not None:
            x = self.activation(self.expand_norm(self.expand_conv(x), training=training))
        x = self.activation(self.depthwise_norm(self.depthwise(x), training=training))
        if self.se is not None:
            x = self.se(x)
        x = self.project_norm(self.project_conv(x), training=training)
        if self.has_shortcut:
            if self.drop is not None:
                x = self.drop(x, training=training)
            x = x + inputs
        return x

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        return (batch, same_output_size(height, self.strides),
                same_output_size(width, self.strides), self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            expand_ratio=self.expand_ratio,
            se_ratio=self.se_ratio,
            drop_rate=self.drop_rate,
            id_skip=self.id_skip,
            activation=keras.activations.serialize(self.activation),
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            epsilon=self.epsilon,
            momentum=self.momentum,
        )
        return config
