"""Interactive explorers for the lessons, with a static figure when the notebook runs headless.

In JupyterLab, :func:`conv_explorer` shows sliders for the input size, kernel, stride,
padding and dilation, the output size under both conventions (from :mod:`cnnlab.shapes`)
and the sliding-window drawing. Under nbval or ``make course`` (``CNNLAB_HEADLESS=1``)
there is no browser to move a slider, so it draws a few representative configurations
instead, which keeps the executed notebook deterministic.
"""

import html
import numbers

import matplotlib.pyplot as plt

from cnnlab import notebook
from cnnlab.plotting.conv import plot_conv_arithmetic

# (name, label, minimum, maximum) of each slider.
SLIDERS = (
    ("input_size", "input W1", 1, 16),
    ("kernel_size", "kernel F", 1, 7),
    ("stride", "stride S", 1, 4),
    ("padding", "padding P", 0, 3),
    ("dilation", "dilation", 1, 3),
)

# The lecture's 7x7 input and 3x3 filter: strides 1 and 2 fit, 3 does not, padding 1 fixes it.
STATIC_CONFIGURATIONS = (
    dict(input_size=7, kernel_size=3, stride=1, padding=0, dilation=1),
    dict(input_size=7, kernel_size=3, stride=2, padding=0, dilation=1),
    dict(input_size=7, kernel_size=3, stride=3, padding=0, dilation=1),
    dict(input_size=7, kernel_size=3, stride=3, padding=1, dilation=1),
)


def describe(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """The output size of a square convolution in words, under both conventions.

    Uses ``cnnlab.shapes.conv_output_size``: the floor convention (Keras) and the
    strict one (the lecture), whose error message explains a stride that does not fit.
    """
    from cnnlab import shapes

    settings = f"W1={input_size}, F={kernel_size}, S={stride}, P={padding}, dilation={dilation}"
    try:
        floor = shapes.conv_output_size(input_size, kernel_size, stride, padding, dilation)
    except ValueError as error:
        return f"{settings}: no output ({error})"
    try:
        shapes.conv_output_size(input_size, kernel_size, stride, padding, dilation, strict=True)
    except ValueError as error:
        return f"{settings}: output {floor}x{floor} with floor (Keras); strict convention: {error}"
    return f"{settings}: output {floor}x{floor} (fits exactly)"


def _check(name, value, minimum, maximum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return int(value)


def _draw(config, axes=None):
    """The sliding-window figure, or None when the kernel is larger than the padded input."""
    span = (config["kernel_size"] - 1) * config["dilation"] + 1
    if span > config["input_size"] + 2 * config["padding"]:
        return None
    return plot_conv_arithmetic(**config, axes=axes)


class ConvExplorer:
    """Sliders for a square convolution, the output size in words, and the drawing.

    Displays as its ``widget`` (an ``ipywidgets.VBox``). ``sliders`` maps each
    argument name to its ``IntSlider``; ``summary`` is the text line and ``figure``
    the last figure drawn (``None`` when the kernel does not fit at all).
    """

    def __init__(self, **values):
        import ipywidgets as widgets

        self.sliders = {
            name: widgets.IntSlider(
                value=values[name],
                min=low,
                max=high,
                description=label,
                continuous_update=False,
                style={"description_width": "initial"},
            )
            for name, label, low, high in SLIDERS
        }
        self.summary = widgets.HTML()
        self.output = widgets.Output()
        self.figure = None
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.sliders.values())[:3]),
             widgets.HBox(list(self.sliders.values())[3:]),
             self.summary,
             self.output]
        )
        for slider in self.sliders.values():
            slider.observe(self._update, names="value")
        self._update()

    @property
    def values(self):
        """The current slider settings, as keyword arguments of ``plot_conv_arithmetic``."""
        return {name: slider.value for name, slider in self.sliders.items()}

    def _update(self, change=None):
        from IPython.display import clear_output, display

        config = self.values
        self.summary.value = f"<code>{html.escape(describe(**config))}</code>"
        with self.output:
            clear_output(wait=True)
            self.figure = _draw(config)
            if self.figure is not None:
                display(self.figure)
                plt.close(self.figure)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def conv_explorer(input_size=7, kernel_size=3, stride=1, padding=0, dilation=1):
    """Explore output sizes of a square convolution with sliders.

    Args:
        input_size: starting input side ``W1`` (1 to 16).
        kernel_size: starting kernel side ``F`` (1 to 7).
        stride: starting stride ``S`` (1 to 4).
        padding: starting zero padding ``P`` (0 to 3).
        dilation: starting dilation (1 to 3).

    Returns:
        A :class:`ConvExplorer` to display, or ``None`` when
        ``cnnlab.notebook.is_headless()``: then it prints the output sizes of the
        requested configuration and of the lecture's (7x7 input, 3x3 kernel, strides
        1, 2, 3 and stride 3 with padding 1) and draws them in one figure.

    Example:
        >>> conv_explorer(input_size=7, kernel_size=3, stride=2)  # doctest: +SKIP
    """
    values = dict(
        input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
        dilation=dilation,
    )
    for name, _, low, high in SLIDERS:
        _check(name, values[name], low, high)
    if not notebook.is_headless():
        return ConvExplorer(**values)

    configs = STATIC_CONFIGURATIONS
    if values not in configs:
        configs = (values, *configs)
    rows = -(-len(configs) // 2)
    fig, axes = plt.subplots(
        rows, 4, figsize=(13, 3.2 * rows), gridspec_kw={"width_ratios": [3, 2, 3, 2]},
        squeeze=False,
    )
    for ax in axes.flat:
        ax.axis("off")
    for index, config in enumerate(configs):
        print(describe(**config))
        row, col = divmod(index, 2)
        pair = axes[row, 2 * col : 2 * col + 2]
        if _draw(config, axes=pair) is None:
            pair[0].set_title("kernel larger than the padded input", fontsize=9)
    fig.suptitle("conv_explorer (static: the notebook runs headless)")
    fig.tight_layout()
    return None
