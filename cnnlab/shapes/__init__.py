"""Shape, parameter, compute and memory arithmetic for convolutional networks.

Pure Python: importing this package never imports TensorFlow, Keras or NumPy,
so the course's exercise tools can use it without a deep-learning stack. Only
:func:`summarize` touches Keras, and only the model it is handed.

Modules, one concept each (every name below is importable from here too):

* :mod:`.sizes`: output sizes and padding of convolutions and pooling;
* :mod:`.costs`: parameters and multiply-adds;
* :mod:`.receptive_fields`: receptive fields of a layer stack;
* :mod:`.memory`: activation memory;
* :mod:`.summary`: :func:`summarize`, a per-layer table of a Keras model, and
  :func:`shapes_only`, to build one without drawing its weights
  (the table itself, :class:`Summary`, is in :mod:`.summary_table`).

Conventions
-----------
* Output sizes use the floor convention of Keras and of Dumoulin & Visin,
  "A guide to convolution arithmetic for deep learning" (2016)::

      o = floor((i + p_before + p_after - k_eff) / s) + 1,   k_eff = d*(k - 1) + 1

  where ``i`` is the input size, ``k`` the kernel size, ``s`` the stride, ``d``
  the dilation and ``p`` the zero padding on each side. With ``strict=True`` a
  stride that does not fit (the division is not exact, so the last input
  positions are never covered) is an error, as in the lecture's rule
  ``(W - F + 2P)/S + 1`` must be an integer.
* ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras/TensorFlow:
  output ``ceil(i/s)``, the odd pixel of padding goes after), ``"full"``
  (``k_eff - 1`` on each side, every partial overlap), or explicit zero
  padding: an int for every side, for one axis a pair ``(before, after)``,
  for two axes a pair ``(height, width)`` or a pair of pairs
  ``((top, bottom), (left, right))``, as in ``keras.layers.ZeroPadding2D``.
* Shapes are per example, channels last, without the batch axis:
  ``(height, width, channels)``. A spatial size may be ``None`` (unknown) and
  stays ``None``.
* A MAC is one multiply-add of an input value with a weight. Bias additions,
  activations, pooling, normalisation and element-wise operations count zero
  MACs; this is the "multiply-adds" figure of the VGG/GoogLeNet/ResNet papers.
  FLOPs are usually quoted as ``2 * MACs``.
"""

from .costs import conv2d_macs, conv2d_params, dense_macs, dense_params
from .memory import DTYPE_SIZES, activation_bytes, format_bytes
from .receptive_fields import ReceptiveField, receptive_field
from .sizes import (
    conv2d_output_shape,
    conv2d_transpose_output_shape,
    conv_output_size,
    fitting_padding,
    pool2d_output_shape,
    resolve_padding,
)
from .summary import shapes_only, summarize
from .summary_table import Summary

__all__ = [
    "DTYPE_SIZES",
    "ReceptiveField",
    "Summary",
    "activation_bytes",
    "conv2d_macs",
    "conv2d_output_shape",
    "conv2d_params",
    "conv2d_transpose_output_shape",
    "conv_output_size",
    "dense_macs",
    "dense_params",
    "fitting_padding",
    "format_bytes",
    "pool2d_output_shape",
    "receptive_field",
    "resolve_padding",
    "shapes_only",
    "summarize",
]
