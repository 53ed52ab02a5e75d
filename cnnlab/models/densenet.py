"""DenseNet (Huang et al. 2017) for ImageNet and DenseNet-BC for 32x32 images.

DenseNet-121/169/201 follow keras.applications: a 7x7/2 convolution with 64 filters
and a 3x3/2 max pool, four dense blocks with growth rate 32 and bottlenecks, three
transitions with compression 0.5, a final BN-ReLU, global average pooling and the
classifier. The name counts the weighted layers: 2 convolutions per dense layer, one
per transition, the first convolution and the classifier,
``2 * (6 + 12 + 24 + 16) + 3 + 1 + 1 = 121``.

DenseNet-BC for CIFAR: a 3x3 convolution with ``2k`` filters, three dense blocks of
``(depth - 4) / 6`` bottleneck layers at 32, 16 and 8 pixels, transitions with
compression 0.5; L = 100, k = 12 has 769,162 parameters (the paper's 0.8M).
"""

import keras

from ..layers import DenseBlock, TransitionLayer
from .._checks import fraction, positive_int
from ._applications import load_weights
from ._arguments import (PAD, VALID, activation, check_min_side, head_arguments, int_choice,
                         memory_checked, width_argument)
from ._common import check_input_shape, classifier_head, imagenet_stem

IMAGENET_BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}
EPSILON = 1.001e-5
# What shrinks a map: imagenet_stem (3-pixel padding, 7x7/2 convolution, 1-pixel
# padding, 3x3/2 max pool) and each TransitionLayer's 2x2/2 average pool.
STEM_CHAIN = ((PAD, 3), (VALID, 7, 2), (PAD, 1), (VALID, 3, 2))
TRANSITION = (VALID, 2, 2)


def densenet_depth(blocks, bottleneck=True):
    """Weighted layers of a DenseNet: dense layers, transitions, first conv, classifier."""
    per_layer = 2 if bottleneck else 1
    return per_layer * sum(blocks) + (len(blocks) - 1) + 2


def _post(x):
    x = keras.layers.BatchNormalization(epsilon=EPSILON, name="post_bn")(x)
    return keras.layers.Activation("relu", name="post_relu")(x)


@memory_checked
def densenet(depth=121, *, growth_rate=32, compression=0.5, input_shape=(224, 224, 3),
             num_classes=1000, include_top=True, classifier_activation="softmax", weights=None):
    """DenseNet-121, -169 or -201 for ImageNet-sized inputs.

    Args:
        depth: 121 (blocks of 6, 12, 24, 16 layers), 169 (6, 12, 32, 32) or
            201 (6, 12, 48, 32).
        growth_rate: channels each dense layer adds (32).
        compression: fraction of channels the transitions keep (0.5).
        input_shape: ``(height, width, channels)``, at least 29x29 (the stem and
            three transitions divide the side by 32); ``None`` sides accept any size.
        num_classes, include_top, classifier_activation: the classifier head.
        weights: None (random initialisation) or a ``.weights.h5`` file saved from
            the same builder and arguments.

    Returns:
        A ``keras.Model``; DenseNet-121 has 7,978,856 trainable parameters.

    Example:
        >>> densenet(121, input_shape=(None, None, 3)).output_shape
        (None, 1000)
    """
    int_choice(depth, "depth", tuple(IMAGENET_BLOCKS))
    width_argument(growth_rate, "growth_rate")
    compression = fraction(compression, "compression", low=0.0, high=1.0, low_open=True)
    head_arguments(include_top, classifier_activation, weights, f"densenet{depth}")
    input_shape = check_input_shape(input_shape)
    check_min_side(input_shape, STEM_CHAIN + (TRANSITION,) * 3, f"densenet({depth})")
    inputs = keras.Input(input_shape)
    x = imagenet_stem(inputs, 2 * growth_rate, epsilon=EPSILON, momentum=0.99)
    blocks = IMAGENET_BLOCKS[depth]
    for i, layers in enumerate(blocks):
        x = DenseBlock(layers, growth_rate, epsilon=EPSILON, name=f"dense_block{i + 1}")(x)
        if i < len(blocks) - 1:
            x = TransitionLayer(compression, epsilon=EPSILON, name=f"transition{i + 1}")(x)
    outputs = classifier_head(_post(x), num_classes, include_top, classifier_activation)
    return load_weights(keras.Model(inputs, outputs, name=f"densenet{depth}"), weights,
                        f"densenet{depth}")


@memory_checked
def densenet_bc(depth=100, growth_rate=12, *, compression=0.5, input_shape=(32, 32, 3),
                num_classes=10, classifier_activation="softmax"):
    """DenseNet-BC for small images: three bottleneck dense blocks with compression.

    Args:
        depth: L = 6n + 4 (40, 100, 190, 250); each block has n = (L - 4) / 6 layers.
        growth_rate: k (12, 24 or 40 in the paper).
        compression: theta of the transitions (0.5).
        input_shape: ``(height, width, channels)``, at least 4x4 (two transitions).
        num_classes: outputs of the classifier.
        classifier_activation: "softmax" or None for logits.

    Example:
        >>> densenet_bc(100, 12).count_params() > 769_162
        True
    """
    if isinstance(depth, bool) or not isinstance(depth, int):
        raise TypeError(f"depth must be an int of the form 6n + 4 (40, 100, 190, 250), "
                        f"got {depth!r}")
    if depth < 10 or (depth - 4) % 6:
        raise ValueError(f"depth must be 6n + 4 with n >= 1 (e.g. 40, 100, 190, 250), got {depth}")
    width_argument(growth_rate, "growth_rate")
    compression = fraction(compression, "compression", low=0.0, high=1.0, low_open=True)
    activation(classifier_activation, "classifier_activation")
    layers = (depth - 4) // 6
    input_shape = check_input_shape(input_shape)
    check_min_side(input_shape, (TRANSITION,) * 2, "densenet_bc")
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False,
                            kernel_initializer="he_normal", name="conv1")(inputs)
    for i in range(3):
        x = DenseBlock(layers, growth_rate, epsilon=EPSILON, name=f"dense_block{i + 1}")(x)
        if i < 2:
            x = TransitionLayer(compression, epsilon=EPSILON, name=f"transition{i + 1}")(x)
    outputs = classifier_head(_post(x), num_classes, True, classifier_activation)
    return keras.Model(inputs, outputs, name=f"densenet_bc{depth}_k{growth_rate}")
