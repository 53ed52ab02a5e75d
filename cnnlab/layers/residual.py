"""The residual block of ResNet (He et al. 2015) and its pre-activation form (He et al. 2016).

A stack of layers asked to learn a mapping ``H(x)`` is instead asked to learn the
residual ``F(x) = H(x) - x`` and the block outputs ``F(x) + x``. When the best thing
a block can do is nothing, it only has to drive ``F`` to zero, which is easy; a
plain stack has to learn the identity through its non-linearities, which is not.
The shortcut also gives the gradient a path that skips the block's weights.

Two residual functions ``F``:

- basic: 3x3 conv - BN - ReLU - 3x3 conv - BN (ResNet-18/34);
- bottleneck: 1x1 conv reduces to ``filters`` channels, 3x3 conv, 1x1 conv expands
  to ``expansion * filters`` (ResNet-50/101/152), cheaper for wide outputs.

When the block changes the spatial size or the channel count, ``x`` cannot be added
as is; a projection shortcut (1x1 conv with the block's stride, then BN) maps it to
the right shape (the paper's option B). The stride sits on the 3x3 convolution of a
bottleneck block, as in torchvision ("ResNet v1.5").

``preactivation=True`` is the "full pre-activation" unit of He et al. 2016
(Identity Mappings in Deep Residual Networks): BN and ReLU come *before* each
convolution, and nothing follows the addition, so the shortcut path from any block
to any later one is a pure identity.
"""

import keras
from keras import ops

from .._checks import boolean, channels_of, choice, fraction, positive_int, same_output_size
from .squeeze_excite import SqueezeExcite

SHORTCUTS = ("auto", "identity", "projection", "none")


@keras.saving.register_keras_serializable(package="cnnlab")
class ResidualBlock(keras.layers.Layer):
    """A ResNet block: ``relu(F(x) + shortcut(x))``, basic or bottleneck.

    Args:
        filters: width of the residual function. A basic block outputs ``filters``
            channels; a bottleneck block outputs ``expansion * filters``.
        strides: stride of the block (1, or 2 to halve height and width).
        bottleneck: use the 1x1-3x3-1x1 bottleneck instead of two 3x3 convolutions.
        expansion: output/inner width ratio of a bottleneck block (4 in ResNet).
        preactivation: BN-ReLU-conv order with an untouched identity path (He et
            al. 2016) instead of conv-BN-ReLU with a ReLU after the addition.
        shortcut: "auto" (identity when input and output shapes agree, else a
            projection), "identity" (error if they do not agree), "projection"
            (always a 1x1 conv), or "none" for the plain block without a shortcut,
            the control of the degradation experiment.
        se_ratio: if given, a :class:`SqueezeExcite` with this ratio rescales the
            residual before the addition (SE-ResNet, Hu et al. 2018).
        kernel_initializer: initializer of the convolutions (He initialisation).
        epsilon, momentum: of the batch normalisations (PyTorch's defaults).

    Input shape:
        ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, ceil(height / strides), ceil(width / strides), out_channels)``.

    Example:
        >>> block = ResidualBlock(64, strides=2, bottleneck=True)
        >>> block(keras.ops.ones((1, 56, 56, 256))).shape
        (1, 28, 28, 256)
    """

    def __init__(self, filters, strides=1, bottleneck=False, expansion=4, preactivation=False,
                 shortcut="auto", se_ratio=None, kernel_initializer="he_normal", epsilon=1e-5,
                 momentum=0.9, **kwargs):
        super().__init__(**kwargs)
        self.filters = positive_int(filters, "filters")
        self.strides = positive_int(strides, "strides")
        self.bottleneck = boolean(bottleneck, "bottleneck")
        self.expansion = positive_int(expansion, "expansion")
        self.preactivation = boolean(preactivation, "preactivation")
        self.shortcut = choice(shortcut, "shortcut", SHORTCUTS)
        self.se_ratio = None if se_ratio is None else positive_int(se_ratio, "se_ratio")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        if not isinstance(epsilon, (int, float)) or isinstance(epsilon, bool) or epsilon <= 0:
            raise ValueError(f"epsilon must be a number > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.momentum = fraction(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    @property
    def out_channels(self):
        return self.filters * self.expansion if self.bottleneck else self.filters

    def _conv(self, filters, kernel_size, strides, name):
        # A strided conv pads explicitly, kernel_size // 2 on every side, as torchvision
        # and keras.applications do; padding="same" would pad bottom and right only.
        padding = "valid" if strides > 1 else "same"
        return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                                   use_bias=False, kernel_initializer=self.kernel_initializer,
                                   name=name)

    @staticmethod
    def _apply(conv, x):
        pad = conv.kernel_size[0] // 2 if conv.padding == "valid" else 0
        if pad:
            x = ops.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
        return conv(x)

    def _norm(self, name):
        return keras.layers.BatchNormalization(epsilon=self.epsilon, momentum=self.momentum,
                                               name=name)

    def _needs_projection(self, in_channels):
        matches = self.strides == 1 and in_channels == self.out_channels
        if self.shortcut == "identity" and not matches:
            raise ValueError(
                "shortcut='identity' needs strides=1 and as many input as output channels; "
                f"got strides={self.strides}, {in_channels} -> {self.out_channels} channels. "
                "Use shortcut='auto' or 'projection'."
            )
        return self.shortcut == "projection" or (self.shortcut == "auto" and not matches)

    def build(self, input_shape):
        in_channels = channels_of(input_shape, "ResidualBlock")
        if self.bottleneck:
            plan = [(self.filters, 1, 1), (self.filters, 3, self.strides),
                    (self.out_channels, 1, 1)]
        else:
            plan = [(self.filters, 3, self.strides), (self.filters, 3, 1)]
        self.convs = [self._conv(f, k, s, f"conv{i + 1}") for i, (f, k, s) in enumerate(plan)]
        self.norms = [self._norm(f"bn{i + 1}") for i in range(len(plan))]
        self.se = (SqueezeExcite(ratio=self.se_ratio, name="se")
                   if self.se_ratio is not None else None)
        self.projection = None
        self.projection_norm = None
        if self.shortcut != "none" and self._needs_projection(in_channels):
            self.projection = self._conv(self.out_channels, 1, self.strides, "projection")
            if not self.preactivation:
                self.projection_norm = self._norm("projection_bn")
        self._build_sublayers(tuple(input_shape))
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: in_channels})

    def _build_sublayers(self, input_shape):
        shape = input_shape
        for conv, norm in zip(self.convs, self.norms):
            # Pre-activation normalises a conv's input, post-activation its output.
            if self.preactivation:
                norm.build(shape)
            conv.build(self._padded_shape(conv, shape))
            shape = self._conv_output_shape(conv, shape)
            if not self.preactivation:
                norm.build(shape)
        if self.se is not None:
            self.se.build(shape)
        if self.projection is not None:
            self.projection.build(input_shape)
            if self.projection_norm is not None:
                self.projection_norm.build(self._conv_output_shape(self.projection, input_shape))

    @staticmethod
    def _padded_shape(conv, shape):
        pad = 2 * (conv.kernel_size[0] // 2) if conv.padding == "valid" else 0
        batch, height, width, channels = shape
        return (batch, None if height is None else height + pad,
                None if width is None else width + pad, channels)

    def _conv_output_shape(self, conv, shape):
        batch, height, width, _ = shape
        stride = conv.strides[0]
        return (batch, same_output_size(height, stride), same_output_size(width, stride),
                conv.filters)

    def _branches(self, inputs, training):
        relu = keras.activations.relu
        if self.preactivation:
            activated = relu(self.norms[0](inputs, training=training))
            x = self._apply(self.convs[0], activated)
            for conv, norm in zip(self.convs[1:], self.norms[1:]):
                x = self._apply(conv, relu(norm(x, training=training)))
            # The projection reads the pre-activated input, as in He et al. 2016.
            shortcut = inputs if self.projection is None else self.projection(activated)
            return x, shortcut
        x = inputs
        last = len(self.convs) - 1
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = norm(self._apply(conv, x), training=training)
            if i < last:
                x = relu(x)
        shortcut = inputs
        if self.projection is not None:
            shortcut = self.projection_norm(self.projection(inputs), training=training)
        return x, shortcut

    def residual(self, inputs, training=None):
        """The residual branch ``F(x)``, before squeeze-and-excitation and the addition."""
        return self._branches(inputs, training)[0]

    def call(self, inputs, training=None):
        x, shortcut = self._branches(inputs, training)
        if self.se is not None:
            x = self.se(x)
        if self.shortcut != "none":
            x = x + shortcut
        return x if self.preactivation else keras.activations.relu(x)

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        return (batch, same_output_size(height, self.strides),
                same_output_size(width, self.strides), self.out_channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            strides=self.strides,
            bottleneck=self.bottleneck,
            expansion=self.expansion,
            preactivation=self.preactivation,
            shortcut=self.shortcut,
            se_ratio=self.se_ratio,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            epsilon=self.epsilon,
            momentum=self.momentum,
        )
        return config
