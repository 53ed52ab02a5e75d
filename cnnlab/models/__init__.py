"""Model builders of the course's case studies, one family per module."""
from ._common import trainable_params
from .densenet import densenet, densenet_bc
from .efficientnet import efficientnet, scaled_efficientnet
from .resnet import plain_net, plain_net_cifar, resnet, resnet_cifar
from .senet import se_resnet
from .alexnet import alexnet, zfnet
from .googlenet import AUX_LOSS_WEIGHTS, googlenet, googlenet_inference
from .inception import inception_v3
from .vgg import vgg
from .segmentation import BilinearUpsampling, deeplab_v3, fcn, hypercolumns, segnet, unet
