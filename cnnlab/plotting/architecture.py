"""Architecture diagrams drawn from the model itself, with matplotlib only.

``keras.utils.plot_model`` needs pydot and the graphviz system binary; this draws the
same kind of picture offline: one box per layer call (name, type, configuration, output
shape, optionally parameters), one arrow per tensor passed on, in a layered layout
where parallel branches sit side by side (:mod:`cnnlab.plotting.dag_layout`).
"""

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from .._checks import boolean, choice, fraction
from .dag_layout import layered_layout
from .model_graph import model_graph

# Fill colours by what a layer does; a darker edge of the same hue outlines each box.
CATEGORY_COLORS = {
    "input": "#f2f2f2",
    "conv": "#cfe2f3",
    "pool": "#fce5cd",
    "norm": "#e8e8e8",
    "activation": "#d9ead3",
    "merge": "#e4d7f5",
    "dense": "#f4cccc",
    "block": "#fff2cc",
    "other": "#ffffff",
}
_PAD = (0.08, 0.05)  # inches inside a box, across and along the text
_LINE_GAP = 0.03  # inches between the name and the lines below it


def plot_architecture(model, *, direction="TB", show_shapes=True, show_types=True, show_params=False,
                      expand_nested=False, collapse=None, fontsize=8.0, scale=1.0, ax=None, title=None):
    """Draw a functional model's layer graph: a box per layer, an arrow per edge.

    The layout is layered (Sugiyama): each layer one rank below its deepest input, so
    an inception module's four branches, a residual block's shortcut, a dense block's
    concatenations and U-Net's skips appear side by side; edges that skip ranks are
    routed between the boxes. Boxes are coloured by what the layer does
    (``CATEGORY_COLORS``: convolution, pooling/resampling, normalisation, activation,
    merge, dense, nested block).

    Args:
        model: a functional ``keras.Model`` or a built ``keras.Sequential``, e.g. a
            block built from Keras primitives in a notebook cell.
        direction: ``"TB"`` (inputs at the top) or ``"LR"`` (inputs on the left; better
            for long chains such as a U-Net).
        show_shapes: write each layer's output shape (without the batch axis).
        show_types: write each layer's class and configuration ("Conv2D 3x3, 64, /2").
        show_params: write each layer's parameter count.
        expand_nested: draw the layers of nested models instead of one box each.
        collapse: merge layers into one box per block: a sequence of layer-name
            prefixes, or a function from a layer's key to a block name (see
            :func:`cnnlab.plotting.model_graph`).
        fontsize: font size in points at ``scale=1``.
        scale: size factor of the whole figure (boxes and fonts); ignored with ``ax``.
        ax: axes to draw into (the diagram is scaled to fit it); a new figure sized to
            the diagram when None.
        title: text above the diagram.

    Returns:
        The matplotlib figure. Boxes are ``FancyBboxPatch`` artists with gid
        ``"box:<key>"``, arrows ``FancyArrowPatch`` with gid ``"edge:<source>-><target>"``,
        and the name written in each box a text with gid ``"name:<key>"``.

    Example:
        >>> inputs = keras.Input((32, 32, 64))
        >>> y = keras.layers.Conv2D(64, 3, padding="same", name="conv_a")(inputs)
        >>> y = keras.layers.Conv2D(64, 3, padding="same", name="conv_b")(y)
        >>> block = keras.Model(inputs, keras.layers.Add(name="add")([inputs, y]))
        >>> fig = plot_architecture(block)
    """
    choice(direction, "direction", ("TB", "LR"))
    for flag, name in ((show_shapes, "show_shapes"), (show_types, "show_types"),
                       (show_params, "show_params"), (expand_nested, "expand_nested")):
        boolean(flag, name)
    fontsize = fraction(fontsize, "fontsize", low=1.0, high=72.0)
    scale = fraction(scale, "scale", low=0.0, high=20.0, low_open=True)
    graph = model_graph(model, expand_nested=expand_nested, collapse=collapse)
    labels = {node.key: (node.name, _info(node, show_types, show_shapes, show_params))
              for node in graph.nodes}
    measured = _measure(labels, fontsize)
    tb = direction == "TB"
    sizes = {key: (w, h) if tb else (h, w) for key, (w, h, _) in measured.items()}
    layout = layered_layout([n.key for n in graph.nodes], list(graph.edges), sizes,
                            rank_gap=0.35 if tb else 0.45, node_gap=0.2 if tb else 0.15)

    def xy(across, along):
        return (across, along) if tb else (along, across)

    title_height = 2.2 * fontsize / 72 if title else 0.0
    margin = 0.1
    width, height = xy(*layout.extent)
    x_range = (-margin, width + margin)
    y_range = (-margin - title_height, height + margin)
    if ax is None:
        fig = plt.figure(figsize=((x_range[1] - x_range[0]) * scale, (y_range[1] - y_range[0]) * scale))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
        box = ax.get_position()
        fig_w, fig_h = fig.get_size_inches()
        scale = min(box.width * fig_w / (x_range[1] - x_range[0]),
                    box.height * fig_h / (y_range[1] - y_range[0]))
    ax.set_xlim(*x_range)
    ax.set_ylim(y_range[1], y_range[0])  # the first rank at the top
    ax.set_aspect("equal")
    ax.axis("off")
    size = fontsize * scale

    for node in graph.nodes:
        w, h, title_h = measured[node.key]
        across, along = layout.boxes[node.key]
        x0, y0 = (across - w / 2, along) if tb else (along, across - h / 2)
        color = CATEGORY_COLORS[node.category]
        ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor=color, edgecolor="0.35", linewidth=0.8, gid=f"box:{node.key}",
                                    zorder=2))
        name, info = labels[node.key]
        ax.text(x0 + w / 2, y0 + _PAD[1], name, ha="center", va="top", fontsize=size, fontweight="bold",
                gid=f"name:{node.key}", zorder=3)
        if info:
            ax.text(x0 + w / 2, y0 + _PAD[1] + title_h + _LINE_GAP, info, ha="center", va="top",
                    fontsize=size * 0.92, linespacing=1.15, color="0.15", gid=f"info:{node.key}", zorder=3)
    for (source, target), points in layout.routes.items():
        path = Path([xy(*p) for p in points])
        ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>,head_length=0.5,head_width=0.25",
                                     mutation_scale=size * 1.1, linewidth=0.9, color="0.3",
                                     shrinkA=0, shrinkB=0, gid=f"edge:{source}->{target}", zorder=1))
    if title:
        ax.text(width / 2, -margin - title_height / 2, title, ha="center", va="center",
                fontsize=size * 1.2)
    return fig


def _shape_text(shape):
    return "x".join("?" if d is None else str(d) for d in shape) if shape else "scalar"


def _info(node, show_types, show_shapes, show_params):
    lines = []
    if show_types:
        lines.append(" ".join(filter(None, [node.kind, node.detail])))
    if show_shapes:
        lines.append(" | ".join(_shape_text(s) for s in node.shapes))
    if show_params and node.params is not None:
        lines.append(f"{node.params:,} params")
    return "\n".join(lines)


def _measure(labels, fontsize):
    """Box width, height and name height in inches, from the rendered text extents."""
    figure = Figure(dpi=100)
    renderer = FigureCanvasAgg(figure).get_renderer()
    measured = {}
    for key, (name, info) in labels.items():
        head = figure.text(0, 0, name, fontsize=fontsize, fontweight="bold").get_window_extent(renderer)
        width, height = head.width, head.height
        if info:
            body = figure.text(0, 0, info, fontsize=fontsize * 0.92,
                               linespacing=1.15).get_window_extent(renderer)
            width = max(width, body.width)
            height += body.height + _LINE_GAP * figure.dpi
        measured[key] = (width / figure.dpi + 2 * _PAD[0], height / figure.dpi + 2 * _PAD[1],
                         head.height / figure.dpi)
    return measured
