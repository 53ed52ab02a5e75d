"""Semantic segmentation: one class per pixel.

Four encoder-decoder families of the lecture, small enough to train on the
course's generated shapes on a CPU, each returning a ``keras.Model`` from
``(batch, H, W, C)`` images to ``(batch, H, W, num_classes)`` per-pixel logits
(``classifier_activation=None``) or probabilities:

- :func:`fcn`: Fully Convolutional Network (Long, Shelhamer & Darrell 2015):
  a classification backbone whose last layers become 1x1 convolutions, upsampled
  by 32 (FCN-32s) or fused with the scores of earlier, finer pooling stages first
  (FCN-16s adds pool4, FCN-8s also pool3);
- :func:`unet`: U-Net (Ronneberger et al. 2015): a symmetric encoder-decoder
  whose decoder concatenates the encoder features of the same resolution;
- :func:`deeplab_v3`: DeepLab v3 (Chen et al. 2017): an encoder that stops
  downsampling at ``output_stride`` and dilates its later convolutions instead,
  then ASPP and bilinear upsampling;
- :func:`segnet`: SegNet (Badrinarayanan et al. 2017): the decoder upsamples with
  the max-pooling indices of the encoder (max unpooling), no learned upsampling.

:func:`hypercolumns` gives the hypercolumn of every pixel (Hariharan et al.
2015): the features of several layers, upsampled to the input size and stacked.
"""

import numpy as np

import keras

from .._checks import boolean, choice, positive_int
from ..layers.aspp import AtrousSpatialPyramidPooling
from ..layers.unpooling import MaxPoolingWithArgmax2D, MaxUnpooling2D
from ._arguments import activation, memory_checked, num_classes_argument, width_argument
from ._common import check_input_shape

FCN_VARIANTS = ("32s", "16s", "8s")
# Layers of a VGG backbone whose outputs FCN reads: strides 8, 16 and 32.
VGG_POOLS = ("block3_pool", "block4_pool", "block5_pool")


@keras.saving.register_keras_serializable(package="cnnlab")
class BilinearUpsampling(keras.initializers.Initializer):
    """Kernel of a ``Conv2DTranspose`` that performs bilinear upsampling.

    For a kernel of ``(2f, 2f, C, C)`` with ``strides=f`` and ``padding="same"``
    (``f`` even), channel ``c`` is upsampled by ``f`` on its own, with the weights
    of half-pixel bilinear interpolation, the rule of ``UpSampling2D(f,
    interpolation="bilinear")`` away from the border. FCN initialises its learned
    upsampling this way, so that training starts from interpolation.

    Example:
        >>> layer = keras.layers.Conv2DTranspose(
        ...     3, 4, strides=2, padding="same", kernel_initializer=BilinearUpsampling())
    """

    def __call__(self, shape, dtype=None):
        kh, kw, out_channels, in_channels = shape
        if out_channels != in_channels:
            raise ValueError(
                "BilinearUpsampling needs as many filters as input channels, got kernel "
                f"shape {tuple(shape)}"
            )
        profile = [self._profile(size) for size in (kh, kw)]
        kernel = np.zeros(shape, dtype="float32")
        kernel[:, :, np.arange(in_channels), np.arange(in_channels)] = np.outer(*profile)[..., None]
        return keras.ops.convert_to_tensor(kernel, dtype=dtype or "float32")

    @staticmethod
    def _profile(size):
        factor = (size + 1) // 2
        centre = factor - 1 if size % 2 else factor - 0.5
        return 1 - np.abs(np.arange(size) - centre) / factor

    def get_config(self):
        return {}


def _check_common(num_classes, input_shape, classifier_activation):
    num_classes_argument(num_classes)
    input_shape = check_input_shape(input_shape)
    activation(classifier_activation, "classifier_activation")
    return input_shape


def _check_divisible(input_shape, factor, what):
    for side in input_shape[:2]:
        if side is not None and side % factor:
            raise ValueError(
                f"input_shape height and width must be multiples of {factor} for {what}, "
                f"got {tuple(input_shape)}"
            )


def _conv_bn_relu(x, filters, name, kernel_size=3, strides=1, dilation_rate=1, batch_norm=True):
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same",
                            dilation_rate=dilation_rate, use_bias=not batch_norm,
                            kernel_initializer="he_normal", name=f"{name}_conv")(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def _classifier(x, num_classes, classifier_activation, name="classifier"):
    return keras.layers.Conv2D(num_classes, 1, activation=classifier_activation, name=name)(x)


@memory_checked
def fcn(num_classes, input_shape=(64, 64, 3), variant="8s", backbone=None, head_filters=128,
        dropout=0.0, classifier_activation=None, name=None):
    """Fully Convolutional Network, FCN-32s, -16s or -8s.

    The backbone's last pooling output (stride 32) goes through the former fully
    connected layers as convolutions (``fc6``: 3x3, ``fc7``: 1x1, ``head_filters``
    channels each) and a 1x1 classifier (``score_fr``). FCN-32s upsamples these
    coarse scores by 32. FCN-16s first upsamples them by 2 with a learned
    transposed convolution (initialised to bilinear) and adds the scores of
    ``block4_pool`` (a 1x1 convolution initialised to zero, as in the paper, so
    training starts from FCN-32s); FCN-8s repeats this with ``block3_pool``. The
    last upsampling (by 32, 16 or 8) is fixed bilinear interpolation, as in the
    paper. The paper's 7x7 ``fc6`` is 3x3 here because small inputs leave a
    feature map of only a few pixels at stride 32.

    Args:
        num_classes: int, classes per pixel (background included).
        input_shape: ``(height, width, channels)``, sides multiples of 32.
        variant: ``"32s"``, ``"16s"`` or ``"8s"``.
        backbone: ``None`` for a small VGG-11 with batch normalisation
            (``cnnlab.models.vgg(11, batch_norm=True, small=True,
            include_top=False)``), or a ``keras.Model`` with layers named
            ``block3_pool``, ``block4_pool`` and ``block5_pool`` (any VGG of
            ``cnnlab.models.vgg`` or ``keras.applications``) whose input is the
            image.
        head_filters: int, channels of ``fc6`` and ``fc7``.
        dropout: float in [0, 1), after ``fc6`` and ``fc7`` (paper: 0.5).
        classifier_activation: ``None`` for logits, or e.g. ``"softmax"``.
        name: model name; default ``"fcn8s"`` etc.

    Returns:
        A ``keras.Model`` from images to ``(batch, H, W, num_classes)``.

    Example:
        >>> fcn(5, (64, 64, 3), variant="8s").output_shape
        (None, 64, 64, 5)
    """
    choice(variant, "variant", FCN_VARIANTS)
    width_argument(head_filters, "head_filters")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    if backbone is None:
        input_shape = _check_common(num_classes, input_shape, classifier_activation)
        _check_divisible(input_shape, 32, "FCN")
        from .vgg import vgg

        backbone = vgg(11, batch_norm=True, small=True, include_top=False, input_shape=input_shape)
    elif not isinstance(backbone, keras.Model):
        raise TypeError(f"backbone must be None or a keras.Model, got {type(backbone).__name__}")
    else:
        _check_common(num_classes, tuple(backbone.input_shape[1:]), classifier_activation)
        _check_divisible(tuple(backbone.input_shape[1:]), 32, "FCN")
    try:
        pool3, pool4, pool5 = (backbone.get_layer(layer).output for layer in VGG_POOLS)
    except ValueError as error:
        raise ValueError(f"backbone must have layers named {', '.join(VGG_POOLS)}") from error

    x = _conv_bn_relu(pool5, head_filters, "fc6", batch_norm=False)
    if dropout:
        x = keras.layers.Dropout(dropout, name="fc6_dropout")(x)
    x = _conv_bn_relu(x, head_filters, "fc7", kernel_size=1, batch_norm=False)
    if dropout:
        x = keras.layers.Dropout(dropout, name="fc7_dropout")(x)
    scores = keras.layers.Conv2D(num_classes, 1, name="score_fr")(x)
    stride = 32
    for pool, pool_name in ((pool4, "pool4"), (pool3, "pool3"))[: FCN_VARIANTS.index(variant)]:
        scores = keras.layers.Conv2DTranspose(
            num_classes, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=BilinearUpsampling(), name=f"upscore_{pool_name}",
        )(scores)
        skip = keras.layers.Conv2D(num_classes, 1, kernel_initializer="zeros",
                                   name=f"score_{pool_name}")(pool)
        scores = keras.layers.Add(name=f"fuse_{pool_name}")([scores, skip])
        stride //= 2
    x = keras.layers.UpSampling2D(stride, interpolation="bilinear", name=f"upscore{stride}")(scores)
    if classifier_activation is not None:
        x = keras.layers.Activation(classifier_activation, name="predictions")(x)
    return keras.Model(backbone.input, x, name=name or f"fcn{variant}")


@memory_checked
def unet(num_classes, input_shape=(64, 64, 3), depth=3, base_filters=16, batch_norm=True,
         classifier_activation=None, name="unet"):
    """U-Net: a contracting path, an expanding path, and skip concatenations.

    Level ``l`` (0 to ``depth - 1``) of the encoder has two 3x3 convolutions of
    ``base_filters * 2**l`` channels, then 2x2 max pooling; the bottleneck has
    ``base_filters * 2**depth``. Each decoder level upsamples with a 2x2
    transposed convolution of stride 2 that halves the channels, concatenates
    the encoder's features of the same size (the "U"), and applies two 3x3
    convolutions. A 1x1 convolution gives the classes. Padding is "same", so the
    output has the input's size (the paper used valid convolutions and cropped).

    Args:
        num_classes: int, classes per pixel.
        input_shape: ``(height, width, channels)``, sides multiples of ``2**depth``.
        depth: int, number of poolings (paper: 4).
        base_filters: int, channels of the first level (paper: 64).
        batch_norm: bool, batch normalisation after each convolution (the paper
            predates it; it makes the small model train in seconds).
        classifier_activation: ``None`` for logits, or e.g. ``"softmax"``.
        name: model name.

    Returns:
        A ``keras.Model`` from images to ``(batch, H, W, num_classes)``.

    Example:
        >>> unet(3, (32, 32, 1), depth=2, base_filters=8).output_shape
        (None, 32, 32, 3)
    """
    input_shape = _check_common(num_classes, input_shape, classifier_activation)
    positive_int(depth, "depth")
    width_argument(base_filters, "base_filters")
    boolean(batch_norm, "batch_norm")
    _check_divisible(input_shape, 2**depth, f"a U-Net of depth {depth}")

    inputs = keras.Input(input_shape)
    x, skips = inputs, []
    for level in range(depth):
        width = base_filters * 2**level
        x = _conv_bn_relu(x, width, f"enc{level}a", batch_norm=batch_norm)
        x = _conv_bn_relu(x, width, f"enc{level}b", batch_norm=batch_norm)
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"enc{level}_pool")(x)
    x = _conv_bn_relu(x, base_filters * 2**depth, "bottleneck_a", batch_norm=batch_norm)
    x = _conv_bn_relu(x, base_filters * 2**depth, "bottleneck_b", batch_norm=batch_norm)
    for level in reversed(range(depth)):
        width = base_filters * 2**level
        x = keras.layers.Conv2DTranspose(width, 2, strides=2, name=f"dec{level}_up")(x)
        x = keras.layers.Concatenate(name=f"dec{level}_concat")([skips[level], x])
        x = _conv_bn_relu(x, width, f"dec{level}a", batch_norm=batch_norm)
        x = _conv_bn_relu(x, width, f"dec{level}b", batch_norm=batch_norm)
    outputs = _classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


@memory_checked
def deeplab_v3(num_classes, input_shape=(64, 64, 3), output_stride=8, filters=(16, 32, 64, 64),
               aspp_filters=64, aspp_rates=(2, 4, 6), image_pooling=True,
               classifier_activation=None, name="deeplab_v3"):
    """DeepLab v3: atrous (dilated) encoder, ASPP, bilinear upsampling.

    The encoder has one stage per entry of ``filters``, each two 3x3
    convolutions with BN and ReLU. A stage's first convolution has stride 2
    while the stride so far is below ``output_stride``; after that, stages keep
    the resolution and double the dilation rate instead, which is DeepLab's
    point: the later layers see as far as with striding, but the feature map
    stays fine. ASPP (:class:`cnnlab.layers.AtrousSpatialPyramidPooling`) follows,
    then a 1x1 classifier and bilinear upsampling by ``output_stride``. The
    paper's encoder is a ResNet-101 at output stride 16 (8 for the best
    results) with ASPP rates (6, 12, 18) (doubled at stride 8); at 64x64 the
    rates here are smaller, to stay inside the feature map.

    Args:
        num_classes: int, classes per pixel.
        input_shape: ``(height, width, channels)``, sides multiples of ``output_stride``.
        output_stride: int, power of 2, at most ``2 ** len(filters)``.
        filters: tuple of ints, channels of each encoder stage.
        aspp_filters: int, channels of ASPP.
        aspp_rates: tuple of ints, dilation rates of ASPP's 3x3 branches.
        image_pooling: bool, ASPP's global-average-pooling branch.
        classifier_activation: ``None`` for logits, or e.g. ``"softmax"``.
        name: model name.

    Returns:
        A ``keras.Model`` from images to ``(batch, H, W, num_classes)``.

    Example:
        >>> deeplab_v3(4, (64, 64, 3), output_stride=8).output_shape
        (None, 64, 64, 4)
    """
    input_shape = _check_common(num_classes, input_shape, classifier_activation)
    if not isinstance(filters, (tuple, list)) or not filters:
        raise TypeError(f"filters must be a non-empty tuple of positive ints, got {filters!r}")
    filters = tuple(width_argument(width, "filters") for width in filters)
    positive_int(output_stride, "output_stride")
    allowed = [2**i for i in range(len(filters) + 1)]
    choice(output_stride, "output_stride", allowed)
    _check_divisible(input_shape, output_stride, f"output_stride={output_stride}")

    inputs = keras.Input(input_shape)
    x, stride, rate = inputs, 1, 1
    for stage, width in enumerate(filters, start=1):
        if stride < output_stride:
            x = _conv_bn_relu(x, width, f"stage{stage}a", strides=2)
            stride *= 2
        else:
            rate *= 2
            x = _conv_bn_relu(x, width, f"stage{stage}a", dilation_rate=rate)
        x = _conv_bn_relu(x, width, f"stage{stage}b", dilation_rate=rate)
    x = AtrousSpatialPyramidPooling(aspp_filters, rates=aspp_rates, image_pooling=image_pooling,
                                    name="aspp")(x)
    x = keras.layers.Conv2D(num_classes, 1, name="logits")(x)
    if output_stride > 1:
        x = keras.layers.UpSampling2D(output_stride, interpolation="bilinear", name="upsample")(x)
    if classifier_activation is not None:
        x = keras.layers.Activation(classifier_activation, name="predictions")(x)
    return keras.Model(inputs, x, name=name)


@memory_checked
def segnet(num_classes, input_shape=(64, 64, 3), depth=3, base_filters=16, convs_per_stage=2,
           classifier_activation=None, name="segnet"):
    """SegNet: the decoder upsamples with the encoder's max-pooling indices.

    Encoder stage ``l`` has ``convs_per_stage`` 3x3 convolutions (BN, ReLU) of
    ``base_filters * 2**l`` channels and a 2x2 max pooling that records where
    each maximum was (:class:`cnnlab.layers.MaxPoolingWithArgmax2D`). The
    decoder mirrors it: max unpooling with those indices
    (:class:`cnnlab.layers.MaxUnpooling2D`) puts each value back where its
    maximum came from, and convolutions fill in the zeros; the last convolution
    of a decoder stage narrows to the width of the stage above. Nothing in the
    upsampling is learned, and only indices, not feature maps, cross from
    encoder to decoder (U-Net copies whole feature maps).

    Args:
        num_classes: int, classes per pixel.
        input_shape: ``(height, width, channels)``, sides multiples of ``2**depth``.
        depth: int, number of poolings (paper: 5, on VGG-16).
        base_filters: int, channels of the first stage (paper: 64).
        convs_per_stage: int, convolutions per stage (paper: 2 or 3).
        classifier_activation: ``None`` for logits, or e.g. ``"softmax"``.
        name: model name.

    Returns:
        A ``keras.Model`` from images to ``(batch, H, W, num_classes)``.

    Example:
        >>> segnet(3, (32, 32, 1), depth=2, base_filters=8).output_shape
        (None, 32, 32, 3)
    """
    input_shape = _check_common(num_classes, input_shape, classifier_activation)
    positive_int(depth, "depth")
    width_argument(base_filters, "base_filters")
    positive_int(convs_per_stage, "convs_per_stage")
    _check_divisible(input_shape, 2**depth, f"a SegNet of depth {depth}")

    inputs = keras.Input(input_shape)
    x, indices = inputs, []
    for stage in range(depth):
        for conv in range(convs_per_stage):
            x = _conv_bn_relu(x, base_filters * 2**stage, f"enc{stage}_{conv}")
        x, index = MaxPoolingWithArgmax2D(2, name=f"enc{stage}_pool")(x)
        indices.append(index)
    for stage in reversed(range(depth)):
        x = MaxUnpooling2D(2, name=f"dec{stage}_unpool")([x, indices[stage]])
        for conv in range(convs_per_stage):
            last = conv == convs_per_stage - 1
            width = base_filters * 2 ** max(stage - 1, 0) if last else base_filters * 2**stage
            x = _conv_bn_relu(x, width, f"dec{stage}_{conv}")
    outputs = _classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def hypercolumns(model, layer_names, interpolation="bilinear", name="hypercolumns"):
    """A model giving each pixel's hypercolumn: several layers' features, stacked.

    Each named layer's output is resized to the input's height and width
    (``UpSampling2D`` by the ratio of sizes, so sizes must divide) and the results
    are concatenated along channels: a pixel's vector then holds fine, local
    features from early layers and coarse, semantic ones from late layers
    (Hariharan et al. 2015), which is what FCN's skips and U-Net's concatenations
    feed their classifiers.

    Args:
        model: a functional ``keras.Model`` with a known input size.
        layer_names: names of layers of ``model`` with 4-D outputs.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        name: model name.

    Returns:
        A ``keras.Model`` from ``model``'s input to ``(batch, H, W, sum of channels)``.
    """
    choice(interpolation, "interpolation", ("bilinear", "nearest"))
    if isinstance(layer_names, str) or not layer_names:
        raise TypeError(f"layer_names must be a non-empty list of layer names, got {layer_names!r}")
    height, width = model.input_shape[1:3]
    if height is None or width is None:
        raise ValueError(f"model must have a known input size, got {model.input_shape}")
    features = []
    for layer_name in layer_names:
        x = model.get_layer(layer_name).output
        h, w = x.shape[1:3]
        if len(x.shape) != 4 or height % h or width % w:
            raise ValueError(
                f"layer {layer_name!r} output {tuple(x.shape)} does not divide the input "
                f"size {(height, width)}"
            )
        if (h, w) != (height, width):
            x = keras.layers.UpSampling2D((height // h, width // w), interpolation=interpolation,
                                          name=f"{layer_name}_up")(x)
        features.append(x)
    outputs = keras.layers.Concatenate(name="hypercolumn")(features) if len(features) > 1 \
        else features[0]
    return keras.Model(model.input, outputs, name=name)
