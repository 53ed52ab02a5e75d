"""`.keras` files holding every cnnlab serializable load in a fresh Python process after
`import keras; import cnnlab` and after `import cnnlab; import keras`, as a user writes them.

The files are saved here (this process has everything registered); one subprocess per
import order loads them all and compares predictions, so the suite stays fast.
"""

import ast
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

import cnnlab
from cnnlab import layers, saving
from cnnlab.detection.losses import CenterNetLoss
from cnnlab.models.segmentation import BilinearUpsampling
from cnnlab.retrieval.losses import TripletLoss
from cnnlab.transfer import LayerwiseLR

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _registered_classes():
    """(module, class) of every @register_keras_serializable class in the package's source."""
    found = []
    for path in sorted((ROOT / "cnnlab").rglob("*.py")):
        tree = ast.parse(path.read_text())
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    "register_keras_serializable" in ast.unparse(d) for d in node.decorator_list):
                found.append((module, node.name))
    return found


def _models():
    """Small models that between them hold every registered cnnlab object."""
    x = keras.Input((16, 16, 8))
    pooled, indices = layers.MaxPoolingWithArgmax2D(2)(x)
    y = layers.MaxUnpooling2D(2)([pooled, indices])
    y = layers.LocalResponseNormalization(size=3)(y)
    y = layers.InceptionModule(4, 4, 4, 2, 4, 4)(y)
    y = layers.InceptionV3A(4, (4, 4), (4, 4, 4), 4)(y)
    y = layers.InceptionV3B(4, (4, 4, 4), (4, 4, 4, 4, 4), 4, n=3)(y)
    y = layers.InceptionV3C(4, (4, 4), (4, 4, 4), 4)(y)
    y = layers.GridReduction((8,), filters_3x3dbl=(4, 4, 4))(y)
    y = layers.BedOfNailsUnpooling2D(2)(y)
    blocks = keras.Model(x, y, name="unpooling_and_inception")

    x = keras.Input((16, 16, 8))
    y = layers.ResidualBlock(8, se_ratio=4)(x)
    y = layers.DenseBlock(2, 4)(y)
    y = layers.TransitionLayer(0.5)(y)
    y = layers.SqueezeExcite(ratio=2)(y)
    y = layers.MBConv(8, expand_ratio=2)(y)
    y = layers.DeformableConv2D(4, 3, padding="same", modulated=True)(y)
    y = layers.AtrousSpatialPyramidPooling(4, rates=(1, 2))(y)
    y = keras.layers.Conv2DTranspose(4, 4, strides=2, padding="same",
                                     kernel_initializer=BilinearUpsampling())(y)
    deep = keras.Model(x, y, name="deep_blocks")
    deep.compile(LayerwiseLR(keras.optimizers.SGD(0.1), {deep.layers[1].name: 0.1}),
                 loss=TripletLoss(0.3))

    x = keras.Input((8, 8, 3))
    heads = keras.Model(x, keras.layers.Conv2D(5, 1)(x), name="centernet_head")
    heads.compile("adam", loss=CenterNetLoss(size_weight=0.2))
    return blocks, deep, heads


def test_every_registered_module_is_imported_by_the_hook():
    modules = {module for module, _ in _registered_classes()}
    assert len(_registered_classes()) >= 20
    missing = {m for m in modules
               if not any(m == s or m.startswith(s + ".") for s in saving.SERIALIZABLE_MODULES)}
    assert not missing


@pytest.fixture(scope="module")
def built():
    return _models()


def test_the_models_hold_every_registered_class(built):
    names = set()
    for model in built:
        config = model.to_json() + repr(model.get_compile_config())
        names |= {name for _, name in _registered_classes() if f"cnnlab>{name}" in config}
    assert names == {name for _, name in _registered_classes()}


LOAD = """
import sys
import numpy as np
{imports}
for name in sys.argv[1:]:
    model = keras.models.load_model(name + ".keras")
    expected = np.load(name + ".npy")
    x = np.random.default_rng(0).random((2, *model.input_shape[1:]), dtype="float32")
    # Eager calls: no compiled predict function to build in every process.
    got = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    if model.compiled:
        print(name, type(model.loss).__name__, type(model.optimizer).__name__)
print("loaded", len(sys.argv) - 1)
"""


@pytest.fixture(scope="module")
def saved(built, tmp_path_factory):
    directory = tmp_path_factory.mktemp("saved")
    names = []
    for model in built:
        name = str(directory / model.name)
        x = np.random.default_rng(0).random((2, *model.input_shape[1:]), dtype="float32")
        model.save(name + ".keras")
        np.save(name + ".npy", keras.ops.convert_to_numpy(model(x, training=False)))
        names.append(name)
    return names


@pytest.mark.parametrize("imports", ["import keras\nimport cnnlab", "import cnnlab\nimport keras"])
def test_load_model_in_a_fresh_process(saved, imports):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c",
                             LOAD.format(imports=imports), *saved],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "loaded 3" in result.stdout
    assert "deep_blocks TripletLoss LayerwiseLR" in result.stdout
    assert "centernet_head CenterNetLoss" in result.stdout


def test_cnnlab_load_model(saved):
    model = cnnlab.load_model(saved[0] + ".keras")
    assert model.name == "unpooling_and_inception"


def test_the_hook_is_gone_once_keras_is_imported():
    assert not any(isinstance(f, saving._RegisterAfterKeras) for f in sys.meta_path)
