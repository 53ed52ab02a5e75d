"""Reusable Keras 3 layers of the course, one concept per module, in lecture order."""
from .argmax_pooling import MaxPoolingWithArgmax2D
from .unpooling import MaxUnpooling2D
from .bed_of_nails import BedOfNailsUnpooling2D
from .lrn import LocalResponseNormalization
from .inception import InceptionModule
from .inception_v3 import InceptionV3A, InceptionV3B, InceptionV3C
from .grid_reduction import GridReduction
from .residual import ResidualBlock
from .dense import DenseBlock, TransitionLayer
from .squeeze_excite import SqueezeExcite
from .mbconv import MBConv
from .deformable import DeformableConv2D
from .aspp import AtrousSpatialPyramidPooling
