"""CenterNet's targets and decoding (Zhou, Wang and Krähenbühl 2019, "Objects as Points").

An object is its centre: one peak of a heatmap at the output stride, plus its width
and height and the sub-cell offset of the centre, read at that peak. Training targets
put a Gaussian bump (radius from the box size, as CornerNet's) at every centre;
decoding keeps the local maxima of the predicted heatmap and reads the box there.

The detector's output is one tensor ``(batch, H/stride, W/stride, 5)``: heatmap
logit, width, height (in units of ``stride``), and the centre's x and y offset in
its cell. :func:`encode` returns targets of the same layout plus a sixth channel,
1 at every centre, that tells the loss where sizes and offsets are defined.
"""

import numpy as np

from .._checks import fraction, positive_int
from .boxes import as_boxes

HEATMAP, WIDTH, HEIGHT, OFFSET_X, OFFSET_Y, CENTRE = range(6)


def gaussian_radius(height, width, min_overlap=0.7):
    """The Gaussian radius CenterNet gives an object's peak, in the units of ``height`` and ``width``.

    CornerNet's rule (Law and Deng 2018), as CenterNet's code computes it: the
    smallest of three quadratic roots, one per way a predicted box can miss the
    true one (both corners inside, both outside, one of each). The roots were meant
    as the corner displacement that keeps IoU >= ``min_overlap``; as written in the
    published code (kept here, as every CenterNet reimplementation does) they come
    out larger, 0.27 of the side of a square box at 0.7. Only the width of
    the bumps depends on it: a softer target near each centre.
    """
    a1, b1 = 1.0, height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + np.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2 = 4.0, 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + np.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + np.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return float(min(r1, r2, r3))


def encode(boxes_per_image, image_size, stride=4, min_overlap=0.7):
    """Training targets ``(n, S/stride, S/stride, 6)`` for a batch of square images.

    Args:
        boxes_per_image: list, one "xyxy" ``(m_i, 4)`` array per image (pixels).
        image_size: side of the images, divisible by ``stride``.
        stride: output stride of the detector.
        min_overlap: IoU that sets the Gaussians' radius.

    Returns:
        float32 array: channel 0 the heatmap (1 at each centre cell, a Gaussian of
        ``sigma = (2 r + 1) / 6`` around it, maximum over objects), 1-2 width and
        height / stride, 3-4 the centre's offset in its cell, 5 the centre mask.
    """
    image_size = positive_int(image_size, "image_size")
    stride = positive_int(stride, "stride")
    min_overlap = fraction(min_overlap, "min_overlap", low=0.0, high=1.0, low_open=True, high_open=True)
    if image_size % stride:
        raise ValueError(f"image_size must be a multiple of stride={stride}, got {image_size}")
    cells = image_size // stride
    targets = np.zeros((len(boxes_per_image), cells, cells, 6), np.float32)
    grid = np.arange(cells, dtype=np.float32)
    for i, boxes in enumerate(boxes_per_image):
        for x0, y0, x1, y1 in as_boxes(boxes, f"boxes_per_image[{i}]") / stride:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            col, row = min(int(cx), cells - 1), min(int(cy), cells - 1)
            radius = max(0, int(gaussian_radius(y1 - y0, x1 - x0, min_overlap)))
            sigma = (2 * radius + 1) / 6
            bump = np.exp(-((grid[None, :] - col) ** 2 + (grid[:, None] - row) ** 2) / (2 * sigma ** 2))
            bump[np.abs(grid - row) > radius, :] = 0
            bump[:, np.abs(grid - col) > radius] = 0
            np.maximum(targets[i, :, :, HEATMAP], bump, out=targets[i, :, :, HEATMAP])
            targets[i, row, col, 1:] = (x1 - x0, y1 - y0, cx - col, cy - row, 1.0)
    return targets


def _local_maxima(heat):
    from scipy.ndimage import maximum_filter

    return heat == maximum_filter(heat, size=3, mode="constant", cval=-np.inf)


def decode(outputs, stride=4, max_detections=100, score_threshold=0.05):
    """Boxes from detector outputs: the heatmap's 3x3 local maxima, best first.

    Args:
        outputs: ``(n, h, w, 5)`` raw outputs (heatmap *logits*), NumPy or tensor.
        stride: the detector's output stride.
        max_detections: peaks kept per image.
        score_threshold: lowest heatmap probability kept.

    Returns:
        ``(boxes, scores)``: lists with one "xyxy" ``(m_i, 4)`` array (pixels) and one
        ``(m_i,)`` array of probabilities per image.
    """
    import keras

    stride = positive_int(stride, "stride")
    max_detections = positive_int(max_detections, "max_detections")
    score_threshold = fraction(score_threshold, "score_threshold", low=0.0, high=1.0)
    outputs = np.asarray(keras.ops.convert_to_numpy(outputs), dtype=np.float32)
    if outputs.ndim != 4 or outputs.shape[-1] != 5:
        raise ValueError(f"outputs must be (n, h, w, 5) detector outputs, got shape {outputs.shape}")
    heat = 1.0 / (1.0 + np.exp(-outputs[..., HEATMAP]))
    boxes, scores = [], []
    for image, out in zip(heat, outputs):
        rows, cols = np.nonzero(_local_maxima(image) & (image >= score_threshold))
        order = np.argsort(-image[rows, cols], kind="stable")[:max_detections]
        rows, cols = rows[order], cols[order]
        cx = (cols + out[rows, cols, OFFSET_X]) * stride
        cy = (rows + out[rows, cols, OFFSET_Y]) * stride
        w = np.maximum(out[rows, cols, WIDTH], 0) * stride
        h = np.maximum(out[rows, cols, HEIGHT], 0) * stride
        boxes.append(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float64))
        scores.append(image[rows, cols].astype(np.float64))
    return boxes, scores
