"""What a network learnt, drawn: first-layer filters and class activation maps.

ZFNet's argument (Zeiler & Fergus 2014) is made with pictures of AlexNet's first-layer
filters: with an 11x11 kernel at stride 4 many are dead or aliased, with 7x7 at stride 2
they are clean edge and colour detectors. :func:`plot_filters` draws such a grid from a
trained layer; :func:`plot_class_activation_maps` overlays :mod:`cnnlab.cam`'s maps on
the images they explain.
"""

import matplotlib.pyplot as plt
import numpy as np

from .._checks import choice, fraction, positive_int

NORMALIZATIONS = ("per_filter", "symmetric", "global")


def _kernel_array(kernel_or_layer):
    """A ``(kh, kw, in, out)`` NumPy kernel from an array, a variable, a layer or a model."""
    import keras

    source = kernel_or_layer
    if isinstance(source, keras.Model):
        convs = [layer for layer in _layers(source)
                 if getattr(layer, "kernel", None) is not None and len(layer.kernel.shape) == 4]
        if not convs:
            raise ValueError(f"kernel_or_layer: model {source.name!r} has no convolution with a 4-D kernel")
        source = convs[0]
    if isinstance(source, keras.layers.Layer):
        if getattr(source, "kernel", None) is None or len(source.kernel.shape) != 4:
            raise ValueError(f"kernel_or_layer: layer {source.name!r} has no 4-D convolution kernel")
        source = source.kernel
    kernel = np.asarray(keras.ops.convert_to_numpy(source), dtype="float64")
    if kernel.ndim != 4:
        raise ValueError(f"kernel_or_layer must be a (height, width, in, out) kernel, got shape {kernel.shape}")
    return kernel


def _layers(model):
    """Every layer of ``model``, nested models opened, in order."""
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _layers(layer)
        else:
            yield layer


def filter_images(kernel_or_layer, normalize="per_filter"):
    """A convolution's filters as images in [0, 1]: ``(out, height, width, in)``.

    Args:
        kernel_or_layer: a ``(kh, kw, in, out)`` kernel (NumPy array or Keras
            variable), a convolution layer, or a model (its first convolution).
        normalize: how weights become grey levels:
            ``"per_filter"``: each filter stretched to [0, 1] (its min to 0, its max to
            1), the usual picture; every filter looks equally strong.
            ``"symmetric"``: per filter, zero weight at 0.5 and the largest magnitude at 0
            or 1, so the sign of each weight stays readable.
            ``"global"``: one stretch for all filters, so weak ("dead") filters look flat.

    Returns:
        float array ``(out, kh, kw, in)``.
    """
    choice(normalize, "normalize", NORMALIZATIONS)
    kernel = np.moveaxis(_kernel_array(kernel_or_layer), 3, 0)  # (out, kh, kw, in)
    axes = (1, 2, 3)
    if normalize == "global":
        low, high = kernel.min(), kernel.max()
        return (kernel - low) / (high - low if high > low else 1.0)
    if normalize == "symmetric":
        limit = np.abs(kernel).max(axis=axes, keepdims=True)
        return 0.5 + kernel / (2 * np.where(limit > 0, limit, 1.0))
    low = kernel.min(axis=axes, keepdims=True)
    span = kernel.max(axis=axes, keepdims=True) - low
    return (kernel - low) / np.where(span > 0, span, 1.0)


def plot_filters(kernel_or_layer, *, normalize="per_filter", channels="auto", max_filters=64, ncols=None,
                 size=0.6, title=None):
    """Draw a convolution's filters as a grid of small images.

    Args:
        kernel_or_layer: a ``(kh, kw, in, out)`` kernel, a convolution layer, or a model
            (its first convolution).
        normalize: ``"per_filter"``, ``"symmetric"`` or ``"global"`` (see
            :func:`filter_images`).
        channels: ``"rgb"``: one colour image per filter (needs 3 input channels);
            ``"separate"``: one grey image per filter and input channel, a row per
            filter; ``"auto"``: RGB for 3 input channels, else separate (one image
            per filter for a grey input).
        max_filters: draw at most this many filters (the first ones).
        ncols: images per row (RGB or single-channel); by default about square.
        size: inches per image.
        title: figure title.

    Returns:
        The matplotlib figure, one axes per image (filter ``k`` is ``fig.axes[k]``; in
        "separate" mode, filter ``k``'s channel ``c`` is ``fig.axes[k * in + c]``).

    Example:
        >>> model = cnnlab.transfer.backbone("cnnlab-mini", include_top=True)
        >>> fig = plot_filters(model.get_layer("block1_conv"), normalize="symmetric")
    """
    choice(channels, "channels", ("auto", "rgb", "separate"))
    max_filters = positive_int(max_filters, "max_filters")
    size = fraction(size, "size", low=0.0, high=10.0, low_open=True)
    images = filter_images(kernel_or_layer, normalize)[:max_filters]
    count, _, _, inputs = images.shape
    if channels == "rgb" and inputs != 3:
        raise ValueError(f"channels='rgb' needs a kernel with 3 input channels, got {inputs}")
    rgb = channels == "rgb" or (channels == "auto" and inputs == 3)
    if rgb or inputs == 1:
        panels = [image if rgb else image[..., 0] for image in images]
        ncols = positive_int(ncols, "ncols") if ncols is not None else int(np.ceil(np.sqrt(count)))
        ncols = min(ncols, count)
    else:
        panels = [image[..., c] for image in images for c in range(inputs)]
        ncols = inputs
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if title else 0)),
                             squeeze=False)
    flat = list(axes.flat)
    for ax in flat:
        ax.axis("off")
    for ax, panel in zip(flat, panels):
        ax.imshow(panel, cmap=None if panel.ndim == 3 else "gray", vmin=0, vmax=1, interpolation="nearest")
    for ax in flat[len(panels):]:
        fig.delaxes(ax)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99 - (0.3 / (size * nrows + 0.3) if title else 0),
                        wspace=0.08, hspace=0.08)
    return fig


def plot_class_activation_maps(images, maps, *, titles=None, alpha=0.5, cmap="jet", show_images=True,
                               ncols=None, size=1.8):
    """Class activation maps laid over the images they explain.

    Each map is stretched to [0, 1] on its own (a map's absolute level is the class
    score, which the title can state) and drawn with ``cmap`` at opacity ``alpha``
    over its image.

    Args:
        images: ``(N, H, W)`` or ``(N, H, W, C)`` images in [0, 1] (C = 1 or 3).
        maps: ``(N, H, W)`` maps, e.g. ``cnnlab.cam.class_activation_maps(...).maps``
            (upsampled to the images' size).
        titles: one title per image, or None.
        alpha: opacity of the map, in (0, 1].
        cmap: colour map of the maps.
        show_images: also draw each image alone, in a row above its overlay.
        ncols: images per row (default: all of them, up to 8).
        size: inches per panel.

    Returns:
        The matplotlib figure. Overlay ``i``'s axes holds two images: the picture
        (``ax.images[0]``) and the map (``ax.images[1]``).
    """
    images, maps = np.asarray(images, dtype="float64"), np.asarray(maps, dtype="float64")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(f"images must be (N, H, W), (N, H, W, 1) or (N, H, W, 3), got shape {images.shape}")
    if maps.shape != images.shape[:3]:
        raise ValueError(f"maps must have shape {images.shape[:3]} (one map per image, at the image size), "
                         f"got {maps.shape}; pass size='input' to class_activation_maps")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have {len(images)} entries, got {len(titles)}")
    alpha = fraction(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    count = len(images)
    ncols = min(positive_int(ncols, "ncols") if ncols is not None else 8, count)
    blocks = -(-count // ncols)
    rows_per = 2 if show_images else 1
    fig, axes = plt.subplots(blocks * rows_per, ncols, figsize=(size * ncols, size * blocks * rows_per),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    low = maps.reshape(count, -1).min(axis=1)[:, None, None]
    span = np.ptp(maps.reshape(count, -1), axis=1)[:, None, None]
    stretched = (maps - low) / np.where(span > 0, span, 1.0)
    gray = images.ndim == 3
    for i in range(count):
        block, col = divmod(i, ncols)
        overlay = axes[block * rows_per + rows_per - 1, col]
        if show_images:
            axes[block * rows_per, col].imshow(images[i], cmap="gray" if gray else None, vmin=0, vmax=1)
            if titles is not None:
                axes[block * rows_per, col].set_title(titles[i], fontsize=8)
        elif titles is not None:
            overlay.set_title(titles[i], fontsize=8)
        overlay.imshow(images[i], cmap="gray" if gray else None, vmin=0, vmax=1)
        overlay.imshow(stretched[i], cmap=cmap, alpha=alpha, vmin=0, vmax=1, interpolation="bilinear")
    fig.tight_layout()
    return fig
