import numpy as np
import pytest

from cnnlab.models import resnet, se_resnet
from cnnlab.models import trainable_params


def test_se_resnet50_has_28_088_024_parameters():
    # Hu et al. 2018, table 1: ~28.1M against ResNet-50's 25.6M.
    assert trainable_params(se_resnet(50)) == 28_088_024


def test_se_blocks_cost_two_c_squared_over_r_plus_biases_each():
    # One SE block per bottleneck unit, on its 4 * width output channels C:
    # C -> C/16 -> C weights plus C/16 + C biases.
    se_cost = sum(2 * c * (c // 16) + c // 16 + c
                  for c, count in [(256, 3), (512, 4), (1024, 6), (2048, 3)] for _ in range(count))
    difference = trainable_params(se_resnet(50)) - 25_557_032
    assert difference == se_cost == 2_530_992


def test_ratio_sets_the_bottleneck_width():
    model = se_resnet(18, ratio=4, input_shape=(32, 32, 3), num_classes=3)
    se_cost = sum(2 * c * (c // 4) + c // 4 + c
                  for c, count in [(64, 2), (128, 2), (256, 2), (512, 2)] for _ in range(count))
    reference = resnet(18, input_shape=(32, 32, 3), num_classes=3)
    assert trainable_params(model) - trainable_params(reference) == se_cost
    out = model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0)
    assert out.shape == (1, 3)


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(depth=20), ValueError, "depth"),
    (dict(ratio=0), ValueError, "ratio"),
    (dict(ratio=1.5), TypeError, "ratio"),
])
def test_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        se_resnet(**kwargs)
