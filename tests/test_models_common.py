"""The one input_shape check of every builder (cnnlab.models._common.check_input_shape)."""

import pytest

pytest.importorskip("keras")

from cnnlab.models._common import check_input_shape  # noqa: E402


def test_valid_shapes_come_back_as_tuples():
    assert check_input_shape([32, 32, 3]) == (32, 32, 3)
    assert check_input_shape((None, None, 3)) == (None, None, 3)
    assert check_input_shape((8, 8, 1), min_size=8) == (8, 8, 1)
    assert check_input_shape(None, default=(224, 224, 3)) == (224, 224, 3)
    assert check_input_shape((64, 64, 3), default=(224, 224, 3), require_static=True) == (64, 64, 3)


@pytest.mark.parametrize(
    "input_shape, kwargs, error",
    [
        (None, {}, TypeError),
        ((32, 32), {}, TypeError),
        ((1, 32, 32, 3), {}, TypeError),
        ("32x32x3", {}, TypeError),
        ((32.0, 32, 3), {}, TypeError),
        ((True, 32, 3), {}, TypeError),
        ((32, 32, None), {}, TypeError),
        ((None, 32, 3), {"require_static": True}, TypeError),
        ((0, 32, 3), {}, ValueError),
        ((32, 32, 0), {}, ValueError),
        ((16, 32, 3), {"min_size": 32}, ValueError),
    ],
)
def test_bad_shapes_raise_naming_input_shape(input_shape, kwargs, error):
    with pytest.raises(error, match="input_shape"):
        check_input_shape(input_shape, **kwargs)


def test_the_message_states_the_minimum_size():
    with pytest.raises(ValueError, match=">= 75"):
        check_input_shape((74, 80, 3), min_size=75)
