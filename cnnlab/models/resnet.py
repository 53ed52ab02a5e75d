"""ResNet (He et al. 2015), its pre-activation form (He et al. 2016) and plain counterparts.

ImageNet layout (``resnet``, ``plain_net``): a 7x7/2 convolution and a 3x3/2 max pool,
four stages at 56, 28, 14 and 7 pixels with 64, 128, 256, 512 filters (times 4 at the
output of bottleneck blocks), global average pooling and one fully connected layer.
Convolutions have no bias (batch normalisation's shift makes it redundant), as in
torchvision, so the trainable parameter counts are torchvision's.

CIFAR layout (``resnet_cifar``, ``plain_net_cifar``): the paper's section 4.2 nets of
depth ``6n + 2`` for small images: a 3x3 convolution, three stages of ``n`` basic
blocks with 16, 32, 64 filters (scaled by ``width / 16``), average pooling and the
classifier. The degradation experiment compares them with and without shortcuts.
Projection shortcuts (option B) are used where the shape changes.
"""

import keras

from .._checks import boolean, positive_int
from ..layers import ResidualBlock
from ._applications import load_weights
from ._arguments import activation, head_arguments, int_choice, memory_checked, width_argument
from ._common import check_input_shape, classifier_head, imagenet_stem

# depth -> (bottleneck blocks?, blocks per stage)
IMAGENET_LAYOUTS = {
    18: (False, (2, 2, 2, 2)),
    34: (False, (3, 4, 6, 3)),
    50: (True, (3, 4, 6, 3)),
    101: (True, (3, 4, 23, 3)),
    152: (True, (3, 8, 36, 3)),
}
STAGE_FILTERS = (64, 128, 256, 512)


def _imagenet_resnet(depth, shortcut, preactivation, se_ratio, input_shape, num_classes,
                     include_top, classifier_activation, weights, kind):
    int_choice(depth, "depth", tuple(IMAGENET_LAYOUTS))
    boolean(preactivation, "preactivation")
    name = f"{kind}{depth}{'_v2' if preactivation else ''}"
    head_arguments(include_top, classifier_activation, weights, name)
    bottleneck, repeats = IMAGENET_LAYOUTS[depth]
    inputs = keras.Input(check_input_shape(input_shape))
    # A pre-activation net normalises inside its first block, as keras' ResNet50V2.
    x = imagenet_stem(inputs, normalize=not preactivation)
    for stage, (filters, count) in enumerate(zip(STAGE_FILTERS, repeats)):
        for block in range(count):
            strides = 2 if stage > 0 and block == 0 else 1
            x = ResidualBlock(filters, strides=strides, bottleneck=bottleneck,
                              preactivation=preactivation, shortcut=shortcut,
                              se_ratio=se_ratio, name=f"stage{stage + 1}_block{block + 1}")(x)
    if preactivation:
        # Pre-activation blocks end on an addition; normalise once before the head.
        x = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name="post_bn")(x)
        x = keras.layers.Activation("relu", name="post_relu")(x)
    outputs = classifier_head(x, num_classes, include_top, classifier_activation)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, name)


@memory_checked
def resnet(depth=50, *, preactivation=False, input_shape=(224, 224, 3), num_classes=1000,
           include_top=True, classifier_activation="softmax", weights=None):
    """ResNet-18/34/50/101/152 for ImageNet-sized inputs.

    Args:
        depth: 18, 34 (basic blocks), 50, 101 or 152 (bottleneck blocks).
        preactivation: build ResNet v2 (He et al. 2016), BN-ReLU before each conv.
        input_shape: ``(height, width, channels)``; ``None`` sides accept any size.
        num_classes: outputs of the classifier.
        include_top: False stops at the global average pooling (a feature extractor).
        classifier_activation: activation of the classifier ("softmax" or None).
        weights: None (random initialisation) or a ``.weights.h5`` file saved from
            the same builder and arguments.

    Returns:
        A ``keras.Model``; ResNet-50 has 25,557,032 trainable parameters.

    Example:
        >>> resnet(18, input_shape=(None, None, 3)).output_shape
        (None, 1000)
    """
    return _imagenet_resnet(depth, "auto", preactivation, None, input_shape, num_classes,
                            include_top, classifier_activation, weights, "resnet")


@memory_checked
def plain_net(depth=34, *, input_shape=(224, 224, 3), num_classes=1000, include_top=True,
              classifier_activation="softmax", weights=None):
    """The ResNet of the same depth without shortcuts: the paper's "plain" baseline.

    Args: as :func:`resnet` (depth 18, 34, 50, 101 or 152).

    Example:
        >>> plain_net(18).count_params() < resnet(18).count_params()
        True
    """
    return _imagenet_resnet(depth, "none", False, None, input_shape, num_classes,
                            include_top, classifier_activation, weights, "plain")


def _cifar_blocks(depth):
    if isinstance(depth, bool) or not isinstance(depth, int):
        raise TypeError(f"depth must be an int of the form 6n + 2 (20, 32, 44, 56, ...), "
                        f"got {depth!r}")
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110), "
                         f"got {depth}")
    return (depth - 2) // 6


@memory_checked
def resnet_cifar(depth=20, *, width=16, shortcuts=True, preactivation=False, se_ratio=None,
                 input_shape=(32, 32, 3), num_classes=10, classifier_activation="softmax"):
    """The small-image ResNet of He et al. 2015, section 4.2: ``6n + 2`` layers.

    Args:
        depth: ``6n + 2`` (20, 32, 44, 56, 110): n basic blocks per stage, plus the
            first convolution and the classifier.
        width: filters of the first stage (16 in the paper); the stages have
            width, 2 * width and 4 * width filters.
        shortcuts: False builds the plain net of the same depth.
        preactivation: BN-ReLU-conv blocks (He et al. 2016).
        se_ratio: add squeeze-and-excitation with this reduction ratio (SE-ResNet).
        input_shape: ``(height, width, channels)``.
        num_classes: outputs of the classifier.
        classifier_activation: "softmax" or None for logits.

    Example:
        >>> resnet_cifar(20).count_params() > 0
        True
    """
    n = _cifar_blocks(depth)
    width_argument(width, "width")
    boolean(shortcuts, "shortcuts")
    boolean(preactivation, "preactivation")
    activation(classifier_activation, "classifier_activation")
    inputs = keras.Input(check_input_shape(input_shape))
    x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False,
                            kernel_initializer="he_normal", name="conv1")(inputs)
    if not preactivation:
        x = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name="conv1_bn")(x)
        x = keras.layers.Activation("relu", name="conv1_relu")(x)
    for stage in range(3):
        for block in range(n):
            strides = 2 if stage > 0 and block == 0 else 1
            x = ResidualBlock(width * 2**stage, strides=strides, preactivation=preactivation,
                              shortcut="auto" if shortcuts else "none", se_ratio=se_ratio,
                              name=f"stage{stage + 1}_block{block + 1}")(x)
    if preactivation:
        x = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name="post_bn")(x)
        x = keras.layers.Activation("relu", name="post_relu")(x)
    outputs = classifier_head(x, num_classes, True, classifier_activation)
    kind = ("se_" if se_ratio else "") + ("resnet" if shortcuts else "plain")
    return keras.Model(inputs, outputs, name=f"{kind}{depth}_cifar")


@memory_checked
def plain_net_cifar(depth=20, **kwargs):
    """:func:`resnet_cifar` without shortcuts (same arguments but ``shortcuts``)."""
    if "shortcuts" in kwargs:
        raise TypeError("plain_net_cifar has no shortcuts argument; use resnet_cifar")
    return resnet_cifar(depth, shortcuts=False, **kwargs)
