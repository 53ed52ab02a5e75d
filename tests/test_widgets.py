"""The conv explorer: the widget path driven programmatically, and the headless figure."""

import html

import matplotlib.pyplot as plt
import pytest

from cnnlab import shapes, widgets


@pytest.fixture
def interactive(monkeypatch):
    monkeypatch.setenv("CNNLAB_HEADLESS", "0")
    yield
    plt.close("all")


def output_title(figure):
    return figure.axes[1].get_title()


def test_widget_starts_on_the_requested_configuration(interactive):
    explorer = widgets.conv_explorer(input_size=7, kernel_size=3, stride=2)
    assert isinstance(explorer, widgets.ConvExplorer)
    assert explorer.values == dict(input_size=7, kernel_size=3, stride=2, padding=0, dilation=1)
    assert "output 3x3" in explorer.summary.value
    assert output_title(explorer.figure).startswith("output 3x3")
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_moving_sliders_updates_the_size_and_the_drawing(interactive):
    explorer = widgets.conv_explorer(input_size=7, kernel_size=3, stride=1)
    assert "output 5x5" in explorer.summary.value

    explorer.sliders["stride"].value = 3
    expected = shapes.conv_output_size(7, 3, stride=3)
    assert f"output {expected}x{expected}" in explorer.summary.value
    with pytest.raises(ValueError) as strict:
        shapes.conv_output_size(7, 3, stride=3, strict=True)
    assert f"strict convention: {strict.value}" in html.unescape(explorer.summary.value)
    assert output_title(explorer.figure).startswith(f"output {expected}x{expected}")
    assert "never covered" in output_title(explorer.figure)

    explorer.sliders["padding"].value = 1
    assert "fits exactly" in explorer.summary.value
    assert output_title(explorer.figure) == "output 3x3"

    explorer.sliders["dilation"].value = 2
    expected = shapes.conv_output_size(7, 3, stride=3, padding=1, dilation=2)
    assert f"output {expected}x{expected}" in explorer.summary.value


def test_kernel_larger_than_input_says_so_and_draws_nothing(interactive):
    explorer = widgets.conv_explorer(input_size=3, kernel_size=3)
    explorer.sliders["kernel_size"].value = 5
    assert "no output" in explorer.summary.value
    assert explorer.figure is None


def test_headless_draws_the_lecture_configurations(capsys):
    before = set(plt.get_fignums())
    assert widgets.conv_explorer() is None
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(widgets.STATIC_CONFIGURATIONS)
    assert "strict convention:" in printed[2] and "fits exactly" in printed[3]

    new = set(plt.get_fignums()) - before
    assert len(new) == 1
    figure = plt.figure(new.pop())
    titles = [ax.get_title() for ax in figure.axes if ax.get_title().startswith("output")]
    sizes = [shapes.conv_output_size(**_as_shape_args(c)) for c in widgets.STATIC_CONFIGURATIONS]
    assert [t.splitlines()[0] for t in titles] == [f"output {s}x{s}" for s in sizes]
    plt.close("all")


def test_headless_adds_the_requested_configuration(capsys):
    assert widgets.conv_explorer(input_size=9, kernel_size=5, stride=2) is None
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(widgets.STATIC_CONFIGURATIONS) + 1
    assert printed[0].startswith("W1=9, F=5, S=2, P=0")
    plt.close("all")


def _as_shape_args(config):
    return dict(
        size=config["input_size"],
        kernel_size=config["kernel_size"],
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
    )


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(input_size=0), ValueError),
        (dict(kernel_size=8), ValueError),
        (dict(stride=1.5), TypeError),
        (dict(padding=True), TypeError),
        (dict(dilation=-1), ValueError),
    ],
)
def test_bad_arguments_are_named(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=name):
        widgets.conv_explorer(**kwargs)
