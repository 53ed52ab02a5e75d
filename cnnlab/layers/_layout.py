"""The one tensor layout the cnnlab layers compute: channels last."""

import keras


def channels_last(data_format, layer_name):
    """``"channels_last"`` after checking ``data_format`` (``None``: Keras' global setting).

    The layers index height, width and channels as axes 1, 2 and 3. Under a global
    ``channels_first`` setting, following it silently would treat ``(N, C, H, W)``
    tensors as ``(N, H, W, C)``; refusing it names what to pass instead.
    """
    if data_format is None:
        if keras.config.image_data_format() != "channels_last":
            raise ValueError(
                f"{layer_name} computes channels-last tensors (batch, height, width, "
                f"channels) only, and keras.config.image_data_format() is "
                f"{keras.config.image_data_format()!r}: pass data_format='channels_last' "
                f"and channels-last inputs, or set the global format back"
            )
        return "channels_last"
    if data_format != "channels_last":
        raise ValueError(
            f"{layer_name} computes channels-last tensors (batch, height, width, channels) "
            f"only: data_format must be 'channels_last' or None, got {data_format!r}"
        )
    return data_format
