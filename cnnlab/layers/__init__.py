"""Reusable Keras 3 layers of the course, one concept per module."""
from .dense import DenseBlock, TransitionLayer
from .mbconv import MBConv
from .residual import ResidualBlock
from .squeeze_excite import SqueezeExcite
from .inception import GridReduction, InceptionModule, InceptionV3A, InceptionV3B, InceptionV3C
from .lrn import LocalResponseNormalization
from .unpooling import BedOfNailsUnpooling2D, MaxPoolingWithArgmax2D, MaxUnpooling2D
from .deformable import DeformableConv2D
from .aspp import AtrousSpatialPyramidPooling
