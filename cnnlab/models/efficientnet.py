"""EfficientNet-B0..B7 (Tan & Le 2019): one baseline, scaled in depth, width and resolution.

B0 is a stack of seven MBConv stages (``B0_STAGES``). A bigger model multiplies the
repeats of every stage by a depth coefficient d, the channels of every layer by a
width coefficient w, and the input side by r. The paper's *compound scaling* ties
them to one knob phi: ``d = alpha ** phi``, ``w = beta ** phi``, ``r = gamma ** phi``
with alpha = 1.2, beta = 1.1, gamma = 1.15 found by a grid search on B0 under the
constraint ``alpha * beta**2 * gamma**2 ~= 2``, so that each step of phi roughly
doubles the FLOPs (depth costs linearly, width and resolution quadratically).

The released B1..B7 use rounded coefficients (``COEFFICIENTS``, from the reference
implementation and keras.applications), which :func:`compound_coefficients` can be
compared with. Channel counts are rounded to multiples of 8 (:func:`round_filters`)
and repeats up (:func:`round_repeats`), exactly as keras.applications does, so the
parameter counts agree with it.
"""

import math

import keras
import numpy as np

from .._checks import boolean, fraction
from ..layers import MBConv
from ..layers.mbconv import CONV_INITIALIZER
from ._applications import load_weights
from ._arguments import head_arguments, int_choice, memory_checked
from ._common import check_input_shape, classifier_head

# (kernel, repeats, filters_in, filters_out, expand_ratio, strides) of B0; SE 0.25 everywhere.
B0_STAGES = (
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
STEM_FILTERS = 32
TOP_FILTERS = 1280
# phi -> (width, depth, resolution, dropout) of the released models.
COEFFICIENTS = {
    0: (1.0, 1.0, 224, 0.2),
    1: (1.0, 1.1, 240, 0.2),
    2: (1.1, 1.2, 260, 0.3),
    3: (1.2, 1.4, 300, 0.3),
    4: (1.4, 1.8, 380, 0.4),
    5: (1.6, 2.2, 456, 0.4),
    6: (1.8, 2.6, 528, 0.5),
    7: (2.0, 3.1, 600, 0.5),
}
ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15
# ImageNet RGB statistics of inputs scaled to [0, 1].
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_VARIANCE = (0.229**2, 0.224**2, 0.225**2)
DENSE_INITIALIZER = {"class_name": "VarianceScaling",
                     "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
                                "distribution": "uniform"}}


def compound_coefficients(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """Depth, width and resolution multipliers ``alpha**phi, beta**phi, gamma**phi``.

    Example:
        >>> d, w, r = compound_coefficients(1)
        >>> round(d * w**2 * r**2, 2)
        1.92
    """
    if isinstance(phi, bool) or not isinstance(phi, (int, float)) or phi < 0:
        raise ValueError(f"phi must be a number >= 0, got {phi!r}")
    return alpha**phi, beta**phi, gamma**phi


def round_filters(filters, width_coefficient, divisor=8):
    """Scale a channel count by the width coefficient, to the nearest multiple of divisor.

    Never rounds down by more than 10%, never below one divisor.

    Example:
        >>> round_filters(32, 1.1), round_filters(1280, 2.0)
        (32, 2560)
    """
    filters *= width_coefficient
    new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new_filters < 0.9 * filters:
        new_filters += divisor
    return int(new_filters)


def round_repeats(repeats, depth_coefficient):
    """Scale a stage's block count by the depth coefficient, rounding up."""
    return int(math.ceil(depth_coefficient * repeats))


def stage_plan(width_coefficient, depth_coefficient):
    """The scaled stages: list of (kernel, repeats, filters_in, filters_out, expand, strides)."""
    return [(kernel, round_repeats(repeats, depth_coefficient),
             round_filters(filters_in, width_coefficient),
             round_filters(filters_out, width_coefficient), expand, strides)
            for kernel, repeats, filters_in, filters_out, expand, strides in B0_STAGES]


def _preprocessing(inputs):
    """keras.applications' input pipeline: [0, 255] -> [0, 1] -> per-channel standardised."""
    x = keras.layers.Rescaling(1.0 / 255.0, name="rescaling")(inputs)
    normalization = keras.layers.Normalization(axis=-1, name="normalization")
    x = normalization(x)
    normalization.adapt_mean.assign(np.array(IMAGENET_MEAN, dtype="float32"))
    normalization.adapt_variance.assign(np.array(IMAGENET_VARIANCE, dtype="float32"))
    normalization.finalize_state()
    return x


@memory_checked
def scaled_efficientnet(width_coefficient=1.0, depth_coefficient=1.0, *,
                        input_shape=(224, 224, 3), num_classes=1000, include_top=True,
                        include_preprocessing=True, dropout_rate=0.2, drop_connect_rate=0.2,
                        classifier_activation="softmax", name="efficientnet", weights=None):
    """EfficientNet-B0 scaled by any width and depth coefficients.

    Args:
        width_coefficient: multiplier of every channel count (rounded to 8).
        depth_coefficient: multiplier of every stage's repeats (rounded up).
        input_shape: ``(height, width, channels)``; ``None`` sides accept any size.
        num_classes, include_top, classifier_activation: the classifier head.
        include_preprocessing: start with keras.applications' rescaling and
            ImageNet normalisation (inputs in [0, 255]); False for inputs already
            scaled, such as the course's embedded data in [0, 1].
        dropout_rate: dropout before the classifier.
        drop_connect_rate: drop-connect rate of the last block; earlier blocks get
            linearly smaller rates.
        name: the model's name.
        weights: None (random initialisation) or a ``.weights.h5`` file saved from
            the same builder and arguments.

    Example:
        >>> small = scaled_efficientnet(0.25, 0.34, input_shape=(32, 32, 1),
        ...                             num_classes=10, include_preprocessing=False)
        >>> small.output_shape
        (None, 10)
    """
    for value, label in ((width_coefficient, "width_coefficient"),
                         (depth_coefficient, "depth_coefficient")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{label} must be a number > 0, got {value!r}")
    fraction(dropout_rate, "dropout_rate", low=0.0, high=1.0, high_open=True)
    fraction(drop_connect_rate, "drop_connect_rate", low=0.0, high=1.0, high_open=True)
    boolean(include_preprocessing, "include_preprocessing")
    head_arguments(include_top, classifier_activation, weights, name)
    inputs = keras.Input(check_input_shape(input_shape))
    x = _preprocessing(inputs) if include_preprocessing else inputs
    x = keras.layers.Conv2D(round_filters(STEM_FILTERS, width_coefficient), 3, strides=2,
                            padding="same", use_bias=False, kernel_initializer=CONV_INITIALIZER,
                            name="stem_conv")(x)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.Activation("swish", name="stem_activation")(x)
    plan = stage_plan(width_coefficient, depth_coefficient)
    total = sum(repeats for _, repeats, *_ in plan)
    index = 0
    for stage, (kernel, repeats, _, filters_out, expand, strides) in enumerate(plan):
        for block in range(repeats):
            x = MBConv(filters_out, kernel_size=kernel, strides=strides if block == 0 else 1,
                       expand_ratio=expand, drop_rate=drop_connect_rate * index / total,
                       name=f"block{stage + 1}{chr(ord('a') + block)}")(x)
            index += 1
    x = keras.layers.Conv2D(round_filters(TOP_FILTERS, width_coefficient), 1, use_bias=False,
                            kernel_initializer=CONV_INITIALIZER, name="top_conv")(x)
    x = keras.layers.BatchNormalization(name="top_bn")(x)
    x = keras.layers.Activation("swish", name="top_activation")(x)
    outputs = classifier_head(x, num_classes, include_top, classifier_activation,
                              dropout_rate=dropout_rate, kernel_initializer=DENSE_INITIALIZER)
    return load_weights(keras.Model(inputs, outputs, name=name), weights, name)


@memory_checked
def efficientnet(phi=0, *, input_shape=None, num_classes=1000, include_top=True,
                 include_preprocessing=True, drop_connect_rate=0.2,
                 classifier_activation="softmax", weights=None):
    """EfficientNet-B{phi}, scaled from B0 with the released coefficients.

    Args:
        phi: 0..7.
        input_shape: defaults to the model's resolution, ``(r, r, 3)``.
        num_classes, include_top, include_preprocessing, drop_connect_rate,
            classifier_activation, weights: as :func:`scaled_efficientnet`.

    Returns:
        A ``keras.Model``; B0 has 5,330,571 weights (``count_params``), as
        keras.applications.EfficientNetB0.

    Example:
        >>> efficientnet(0).input_shape
        (None, 224, 224, 3)
    """
    int_choice(phi, "phi", tuple(COEFFICIENTS))
    width, depth, resolution, dropout = COEFFICIENTS[phi]
    if input_shape is None:
        input_shape = (resolution, resolution, 3)
    return scaled_efficientnet(width, depth, input_shape=input_shape, num_classes=num_classes,
                               include_top=include_top,
                               include_preprocessing=include_preprocessing,
                               dropout_rate=dropout, drop_connect_rate=drop_connect_rate,
                               classifier_activation=classifier_activation,
                               name=f"efficientnet_b{phi}", weights=weights)
