"""DenseNet-mini: a DenseNet small enough to pre-train on the course's embedded data.

The same parts as DenseNet-121 (dense blocks of BN-ReLU-1x1-BN-ReLU-3x3 layers with
growth rate k, transitions with compression 0.5, a final BN-ReLU, global average
pooling), three blocks of three layers with k = 12 on a 3x3 stride-2 stem: 73k
parameters instead of 8M. The stem and the first transition give a stride of 4,
so ``dense_block2`` is a 16x16 map of a 64x64 image: fine enough for a detector's
heatmap; ``post_relu`` is at stride 8.
"""

import keras

from ..layers import DenseBlock, TransitionLayer
from .._checks import boolean, fraction, positive_int
from ._arguments import SAME, check_min_side, dense, memory_checked, num_classes_argument, width_argument
from ._common import check_input_shape
from .densenet import EPSILON, TRANSITION


@memory_checked
def densenet_mini(input_shape=(32, 32, 1), num_classes=5, *, growth_rate=12, block_layers=(3, 3, 3),
                  compression=0.5, stem_stride=2, include_top=True, name="densenet_mini"):
    """A small DenseNet-BC: stem, dense blocks and transitions, BN-ReLU, global average pooling.

    Args:
        input_shape: ``(height, width, channels)``, at least
            ``stem_stride * (2 ** transitions - 1) + 1`` pixels a side (7 by default); ``None``
            sides accept any size.
        num_classes: outputs of the softmax head.
        growth_rate: k, the channels each dense layer adds.
        block_layers: layers per dense block; a transition follows each but the last.
        compression: fraction of channels the transitions keep.
        stem_stride: stride of the 3x3 stem convolution (2 halves the cost of
            every later layer).
        include_top: end in the softmax head (True), or in the pooled ``features``.
        name: model name.

    Layer names: ``stem_conv``, ``dense_block1``, ``transition1``, ..., ``post_bn``,
    ``post_relu`` (the last feature map), ``features`` (its global average), ``head``.

    Example:
        >>> densenet_mini().count_params()
        72896
    """
    width_argument(growth_rate, "growth_rate")
    block_layers = tuple(block_layers)
    if not block_layers:
        raise ValueError("block_layers must list at least one block size")
    for count in block_layers:
        positive_int(count, "block_layers entries")
    compression = fraction(compression, "compression", low=0.0, high=1.0, low_open=True)
    boolean(include_top, "include_top")
    num_classes_argument(num_classes)
    stem_stride = positive_int(stem_stride, "stem_stride")
    layers = keras.layers
    input_shape = check_input_shape(input_shape)
    check_min_side(input_shape, ((SAME, stem_stride),) + (TRANSITION,) * (len(block_layers) - 1),
                   "densenet_mini")
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(2 * growth_rate, 3, strides=stem_stride, padding="same", use_bias=False,
                      kernel_initializer="he_normal", name="stem_conv")(inputs)
    for i, count in enumerate(block_layers):
        x = DenseBlock(count, growth_rate, epsilon=EPSILON, name=f"dense_block{i + 1}")(x)
        if i < len(block_layers) - 1:
            x = TransitionLayer(compression, epsilon=EPSILON, name=f"transition{i + 1}")(x)
    x = layers.BatchNormalization(epsilon=EPSILON, name="post_bn")(x)
    x = layers.ReLU(name="post_relu")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    if include_top:
        x = dense(x, num_classes, activation="softmax", name="head")
    return keras.Model(inputs, x, name=name)
