"""SE-ResNet (Hu et al. 2018): ResNet with a squeeze-and-excitation block in every unit.

The SE block rescales the residual ``F(x)`` channel by channel before it is added to the
shortcut. With reduction ratio 16, SE-ResNet-50 has 28,088,024 parameters against
ResNet-50's 25,557,032: about 10% more parameters for a top-1 error that the paper
reports 1.5 points lower, at almost the same compute.
"""

from .._checks import positive_int
from ._arguments import memory_checked
from .resnet import _imagenet_resnet


@memory_checked
def se_resnet(depth=50, *, ratio=16, input_shape=(224, 224, 3), num_classes=1000,
              include_top=True, classifier_activation="softmax", weights=None):
    """SE-ResNet-18/34/50/101/152.

    Args:
        depth: 18, 34, 50, 101 or 152, the ResNet it extends.
        ratio: SE reduction ratio r (16 in the paper).
        input_shape, num_classes, include_top, classifier_activation, weights: as
            :func:`cnnlab.models.resnet`.

    Example:
        >>> se_resnet(50).name
        'se_resnet50'
    """
    positive_int(ratio, "ratio")
    return _imagenet_resnet(depth, "auto", False, ratio, input_shape, num_classes,
                            include_top, classifier_activation, weights, "se_resnet")
