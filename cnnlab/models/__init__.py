"""Model builders of the course's case studies, one family per module, in lecture order."""
from ._common import trainable_params
from .alexnet import alexnet, zfnet
from .vgg import vgg
from .googlenet import AUX_LOSS_WEIGHTS, googlenet, googlenet_inference
from .inception import inception_v3
from .resnet import plain_net, plain_net_cifar, resnet, resnet_cifar
from .densenet import densenet, densenet_bc
from .senet import se_resnet
from .efficientnet import efficientnet, scaled_efficientnet
from .segmentation import BilinearUpsampling, deeplab_v3, fcn, hypercolumns, segnet, unet
from .densenet_mini import densenet_mini
