"""``summarize``: a per-layer table of a built Keras model.

Keras is imported only inside :func:`summarize`, from the model it is handed;
importing this module imports no framework.
"""

import contextlib
import math

from ._arguments import _size
from .memory import DTYPE_SIZES
from .summary_table import Summary

# Layers whose output is their input, reshaped or untouched at inference:
# counting them again would double the memory of one tensor.
_VIEW_TYPES = frozenset({
    "ActivityRegularization", "AlphaDropout", "Dropout", "Flatten", "GaussianDropout",
    "GaussianNoise", "Identity", "Reshape", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D",
})


def _spatial(shape, data_format):
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def _prod(shape):
    return None if any(n is None for n in shape) else math.prod(shape)


def _weight_count(weights):
    return sum(math.prod(w.shape) for w in weights)


def _leaf_macs(keras, layer, input_shape, output_shape):
    """MACs of one built Keras layer given its input and output shape (with batch).

    Returns None when the layer has weights of a kind this function does not
    know, or a needed size is unknown.
    """
    layers = keras.layers
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        spatial = _prod(_spatial(output_shape, layer.data_format))
        kernels = math.prod(layer.depthwise_kernel.shape) + math.prod(layer.pointwise_kernel.shape)
        return None if spatial is None else spatial * kernels
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        # Each input value is scattered through the whole kernel.
        spatial = _prod(_spatial(input_shape, layer.data_format))
        return None if spatial is None else spatial * math.prod(layer.kernel.shape)
    if isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D,
                          layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        # The kernel holds kernel_size x (in_channels / groups) x filters, or
        # kernel_size x in_channels x multiplier: one product per weight per output position.
        spatial = _prod(_spatial(output_shape, layer.data_format))
        return None if spatial is None else spatial * math.prod(layer.kernel.shape)
    if isinstance(layer, layers.Dense):
        positions = _prod(output_shape[1:-1])
        return None if positions is None else positions * math.prod(layer.kernel.shape)
    if not layer.weights or isinstance(layer, (
        layers.BatchNormalization, layers.LayerNormalization, layers.GroupNormalization,
        layers.Normalization, layers.Embedding,
    )):
        return 0
    return None


def _composite_macs(keras, layer):
    """MACs of a custom layer made of sublayers, from the shapes they were built with."""
    total = 0
    for sub in layer._flatten_layers(include_self=False, recursive=True):
        if sub._flatten_layers(include_self=False, recursive=False):
            continue
        if not sub.weights:
            continue
        config = sub.get_build_config() or {}
        shape = config.get("input_shape")
        if shape is None:
            return None
        shape = tuple(shape)
        try:
            out = sub.compute_output_shape(shape)
        except NotImplementedError:
            return None
        macs = _leaf_macs(keras, sub, shape, tuple(out))
        if macs is None:
            return None
        total += macs
    return total


def _graph_of(model):
    """The Functional graph behind a Functional or Sequential model, else None."""
    if hasattr(model, "_functional"):
        return model._functional
    if hasattr(model, "_nodes") and hasattr(model, "_operations"):
        return model
    return None


def _graph_nodes(graph):
    """The graph's nodes (one per layer call), inputs first, in Keras' order."""
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        yield from graph._nodes_by_depth[depth]


def _propagate(keras, operation, node, specs):
    """Output specs of `node` for the (possibly new) input specs in `specs`."""
    args, kwargs = node.arguments.fill_in(specs)
    try:
        if isinstance(operation, keras.layers.Layer) and operation.input_spec is not None:
            # compute_output_spec trusts its input (Dense keeps its units for
            # any input length), so check the shape as Layer.__call__ would.
            from keras.src.layers.input_spec import assert_input_compatibility

            assert_input_compatibility(operation.input_spec, args[0] if args else None,
                                       operation.name)
        return keras.tree.flatten(operation.compute_output_spec(*args, **kwargs))
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`input_shape` does not fit layer {operation.name!r}: {error}"
        ) from None


def _summary_rows(keras, model, prefix, nested, seen, unknown, inputs):
    """Rows of a graph model fed with `inputs` (KerasTensors); returns its output specs."""
    graph = _graph_of(model)
    specs = {id(ref): spec for ref, spec in zip(graph.inputs, inputs)}
    for node in _graph_nodes(graph):
        operation = node.operation
        in_specs = [specs[id(t)] for t in node.input_tensors]
        changed = any(a is not b for a, b in zip(in_specs, node.input_tensors))
        if isinstance(operation, keras.Model) and _graph_of(operation) is not None:
            outputs = yield from _summary_rows(keras, operation, f"{prefix}{operation.name}/",
                                               True, seen, unknown, in_specs)
        else:
            if node.is_input:
                outputs = [specs.get(id(t), t) for t in node.outputs]
            elif changed:
                outputs = _propagate(keras, operation, node, specs)
            else:
                outputs = node.outputs
            # A nested model's input is the outer tensor under another name.
            yield _row(keras, operation, f"{prefix}{operation.name}", seen, unknown,
                       in_specs, outputs, changed, view=nested and node.is_input)
        specs.update((id(ref), out) for ref, out in zip(node.outputs, outputs))
    return [specs[id(t)] for t in graph.outputs]


def _row(keras, operation, name, seen, unknown, inputs, outputs, changed, view):
    first_call = id(operation) not in seen
    seen.add(id(operation))
    kind = type(operation).__name__
    inputs = [tuple(t.shape) for t in inputs]
    shapes = [tuple(t.shape) for t in outputs]
    per_example = [shape[1:] for shape in shapes]
    counts = [_prod(shape) for shape in per_example]
    activations = None if None in counts else sum(counts)
    sizes = [DTYPE_SIZES.get(str(t.dtype)) for t in outputs]
    memory = (None if activations is None or None in sizes
              else sum(c * s for c, s in zip(counts, sizes)))
    weights = getattr(operation, "weights", [])
    if not weights:
        macs = 0
    elif len(inputs) == 1 and len(shapes) == 1:
        macs = _leaf_macs(keras, operation, inputs[0], shapes[0])
        # A composite's sublayers were built for its original input shape.
        if macs is None and not changed and operation._flatten_layers(
                include_self=False, recursive=False):
            macs = _composite_macs(keras, operation)
    else:
        macs = None
    if activations is None or any(None in shape[1:] for shape in inputs):
        unknown["sizes"].append(name)
    elif macs is None:
        unknown["macs"].append(f"{name} ({kind})")
    trainable = getattr(operation, "trainable_weights", [])
    return {
        "name": name if first_call else f"{name} (again)",
        "type": kind,
        "output_shape": per_example[0] if len(per_example) == 1 else per_example,
        "params": _weight_count(weights) if first_call else 0,
        "trainable_params": _weight_count(trainable) if first_call else 0,
        "activations": activations,
        "activation_bytes": memory,
        "macs": macs,
        "view": view or kind in _VIEW_TYPES,
    }


def _listing(names, shown=5):
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _input_specs(keras, graph, input_shape):
    if input_shape is None:
        return list(graph.inputs)
    if not isinstance(input_shape, (list, tuple)):
        raise TypeError(f"`input_shape` must be a tuple of sizes, got {input_shape!r}.")
    single = not any(isinstance(n, (list, tuple)) for n in input_shape)
    per_input = [input_shape] if single else input_shape
    if len(per_input) != len(graph.inputs):
        raise ValueError(
            f"`input_shape` must be one tuple per model input ({len(graph.inputs)}), without "
            f"the batch axis; got {input_shape!r}."
        )
    specs = []
    for i, (shape, ref) in enumerate(zip(per_input, graph.inputs)):
        label = "input_shape" if single else f"input_shape[{i}]"
        if not isinstance(shape, (list, tuple)) or len(shape) != len(ref.shape) - 1:
            raise ValueError(
                f"`{label}` must be a tuple of {len(ref.shape) - 1} sizes (the model input "
                f"{tuple(ref.shape)} without the batch axis), got {shape!r}."
            )
        sizes = tuple(_size(n, f"{label}[{j}]") for j, n in enumerate(shape))
        specs.append(keras.KerasTensor((ref.shape[0], *sizes), dtype=ref.dtype))
    return specs


@contextlib.contextmanager
def shapes_only():
    """Build Keras models whose weights have shapes but no values, to count them.

    :func:`summarize`, ``count_params`` and layer shapes need no values, and
    drawing the random initial ones is most of the time it takes to build a
    large model: seconds on TensorFlow and PyTorch, a minute or more on JAX,
    which compiles one initializer per weight shape. A model built inside
    cannot be called, trained or saved; build it again outside to use it.

    Example:
        >>> import keras
        >>> with shapes_only():
        ...     model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(10, 5)])
        >>> summarize(model).totals["params"]
        760
    """
    import keras
    from keras.src.backend.common import global_state

    # Keras defers the values of variables made in a stateless scope to the
    # next time any stateless scope closes (a JAX training step does): forget
    # this block's variables so that they are never drawn.
    pending = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    already = len(pending)
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        pending = global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
        del pending[already:]


def summarize(model, input_shape=None):
    """Per-layer table of a built Keras model: shapes, parameters, memory, MACs.

    Nested Functional and Sequential models (a pre-trained base inside a
    transfer-learning model) are flattened: their layers appear as
    ``"outer/inner"`` rows, and their input layers as views. Any other layer
    is one row; for a custom layer made of sublayers, its MACs are the sum of
    its convolution and dense sublayers', from the shapes they were built with.

    What counts:

    * **params**: the layer's weights (trainable and not); a layer called
      twice counts once.
    * **activations**: values in the layer's output for one example; the
      model input counts; views (``Flatten``, ``Reshape``, ``Dropout`` and
      friends, nested inputs) are shown in parentheses and not added again.
      Summed over the model, this is the forward-pass activation memory of
      the CS231n VGG16 table.
    * **activation_bytes**: activations times the output dtype's size.
    * **macs**: multiply-adds with weights: ``Conv1D/2D/3D`` (groups,
      strides, dilation), ``DepthwiseConv``, ``SeparableConv``,
      ``ConvTranspose`` (input positions x kernel size), ``Dense`` (per
      position); 0 for weightless layers (pooling, activations, merges,
      reshapes) and for normalisation and embedding layers; bias additions
      are not counted.

    Args:
        model: a built ``keras.Model`` (Functional or Sequential; a
            subclassed model is reported as one row).
        input_shape: optional shape of one example, without the batch axis
            (a list of them for several inputs), to summarise a model built
            with unknown sizes, such as ``keras.Input((None, None, 3))``, at a
            concrete size; it must fit the model's layers.

    Returns:
        Summary: ``.rows`` (list of dicts), ``.totals`` (dict), ``.notes``;
        ``print(summary)`` draws the table.

    Raises:
        TypeError: ``model`` is not a Keras model.
        ValueError: the model is not built, or ``input_shape`` does not fit it.

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(10, 5)])
        >>> summary = summarize(model)
        >>> summary.rows[-1]["output_shape"], summary.totals["params"]
        ((28, 28, 10), 760)
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}.")
    if not model.built:
        raise ValueError(
            f"`model` {model.name!r} is not built: start it with keras.Input(shape), or call "
            f"model.build(input_shape) or the model on a batch first."
        )
    unknown = {"macs": [], "sizes": []}
    notes = []
    if _graph_of(model) is None:
        if input_shape is not None:
            raise ValueError(
                f"`input_shape` needs a Functional or Sequential model; {model.name!r} is a "
                f"subclassed model: call it on a batch of that shape instead."
            )
        macs = _composite_macs(keras, model)
        if macs is None:
            unknown["macs"].append(model.name)
        notes.append("a subclassed model has no layer graph: reported as one row.")
        rows = [{
            "name": model.name, "type": type(model).__name__, "output_shape": None,
            "params": model.count_params(),
            "trainable_params": _weight_count(model.trainable_weights),
            "activations": None, "activation_bytes": None, "macs": macs, "view": False,
        }]
    else:
        inputs = _input_specs(keras, _graph_of(model), input_shape)
        rows = list(_summary_rows(keras, model, "", False, set(), unknown, inputs))
        if unknown["sizes"]:
            notes.append(f"sizes not fully known, so activations and MACs are not either "
                         f"(pass input_shape=): {_listing(unknown['sizes'])}.")
    if unknown["macs"]:
        notes.append(f"MACs unknown (a layer type with weights that summarize does not "
                     f"know): {_listing(unknown['macs'])}.")
    return Summary(model.name, rows, notes)
