"""The layer graph of a Keras model, as the architecture diagrams draw it.

Keras records a functional model as *nodes*: one per call of a layer (or of a
``keras.ops`` operation) inside the model. The graph here has one vertex per node, so
a layer called twice (shared weights) is two vertices, and an edge for every tensor one
node hands to another. Nested models are one vertex, or are opened into their own
layers; consecutive layers can be merged into one block by name.
"""

import re
from typing import NamedTuple

CATEGORIES = ("input", "conv", "pool", "norm", "activation", "merge", "dense", "block", "other")

_CATEGORY_PATTERNS = (
    ("input", r"^InputLayer$"),
    ("conv", r"Conv|^Deformable"),
    ("pool", r"Pool|UpSampling|Unpooling|^Resizing$|^ZeroPadding|^Cropping"),
    ("norm", r"Normalization$"),
    ("activation", r"^(ReLU|LeakyReLU|PReLU|ELU|Softmax|Activation|Dropout|SpatialDropout\dD)$"),
    ("merge", r"^(Add|Subtract|Multiply|Average|Maximum|Minimum|Concatenate|Dot)$"),
    ("dense", r"^(Dense|EinsumDense)$"),
    ("pool", r"^(Flatten|Reshape|Permute|RepeatVector)$"),
)


class GraphNode(NamedTuple):
    """One box of an architecture diagram.

    ``key``: unique id (``"name"``, ``"outer/inner"`` inside an opened nested model,
    ``"name#2"`` for the second call of a shared layer). ``name``: the layer's (or
    block's) name. ``kind``: its class name, ``"Model"`` for a nested model, ``"Block"``
    for merged layers. ``detail``: a short summary of its configuration (``"3x3, 64, /2"``
    for a strided convolution, ``""`` when there is nothing to say). ``shapes``: output
    shapes without the batch axis, one per output. ``params``: parameter count (None
    for a later call of a shared layer, whose weights the first call already counts).
    ``category``: one of ``CATEGORIES``, what the box's colour says. ``members``:
    the layer names a block merges, ``(name,)`` otherwise.
    """

    key: str
    name: str
    kind: str
    detail: str
    shapes: tuple
    params: object
    category: str
    members: tuple


class ModelGraph(NamedTuple):
    """``nodes`` in topological order (inputs first) and ``edges`` as ``(source key,
    target key)`` pairs, each pair once, ordered by the target's argument order."""

    nodes: tuple
    edges: tuple

    def node(self, key):
        for node in self.nodes:
            if node.key == key:
                return node
        raise KeyError(key)


def model_graph(model, *, expand_nested=False, collapse=None):
    """The graph :func:`plot_architecture` draws: one node per layer call, one edge per
    tensor passed between them.

    Args:
        model: a functional ``keras.Model`` or a built ``keras.Sequential``.
        expand_nested: open nested models into their layers (their ``InputLayer`` is
            left out: the outer layer that feeds it connects straight to its consumers);
            False keeps each nested model as one node.
        collapse: merge layers into blocks: None; a sequence of name prefixes (every
            layer whose name starts with one becomes part of the block named by it); or
            a function from a layer's key to a block name (None keeps the layer). A
            block's outputs are those of its layers that feed a layer outside it.

    Returns:
        A :class:`ModelGraph`.

    Raises:
        TypeError: ``model`` is not a functional or built Sequential model.
        ValueError: a block of ``collapse`` is not contiguous (merging it would make a
            cycle: some layer outside it both reads from and feeds into it).
    """
    functional = _functional_of(model)
    nodes, edges, _, created = _walk(functional, prefix="", feed={}, expand=expand_nested)
    graph = ModelGraph(tuple(_creation_order(nodes, edges, created)), tuple(edges))
    if collapse is not None:
        graph = _collapse(graph, _grouping(collapse))
    return graph


def _functional_of(model):
    import keras

    if isinstance(model, keras.Sequential):
        functional = getattr(model, "_functional", None)
        if functional is None:
            raise ValueError(
                "model is a Sequential model that is not built yet: give it a keras.Input "
                "first (keras.Sequential([keras.Input(shape), ...])) or call model.build(shape)"
            )
        return functional
    if not isinstance(model, keras.Model) or not hasattr(model, "_nodes_by_depth"):
        raise TypeError(
            "model must be a functional keras.Model or a built keras.Sequential; a subclassed "
            f"model has no static layer graph to draw, got {type(model).__name__}"
        )
    return model


def _history(tensor):
    history = tensor._keras_history
    return id(history.operation), history.node_index, history.tensor_index


def _model_nodes(model):
    """The model's own nodes, ``(operation, node_index)``, in topological order."""
    from keras.src.ops.function import make_node_key

    own = set(model._nodes)
    order = []
    for operation in model.operations:
        for index, _ in enumerate(operation._inbound_nodes):
            if make_node_key(operation, index) in own:
                order.append((operation, index))
    # model.operations is sorted by depth, which a shared layer called at several depths
    # can break for its later calls: a stable topological sort restores it.
    position = {(id(op), index): k for k, (op, index) in enumerate(order)}
    placed, result = set(), []

    def place(item):
        op, index = item
        ident = (id(op), index)
        if ident in placed:
            return
        placed.add(ident)
        for tensor in op._inbound_nodes[index].input_tensors:
            parent = _history(tensor)[:2]
            if parent in position:
                place(order[position[parent]])
        result.append(item)

    for item in order:
        place(item)
    return result


def _walk(model, prefix, feed, expand):
    """Nodes and edges of ``model``; ``feed`` maps the history of its input tensors to
    the outer keys that produce them (empty at the top level)."""
    import keras

    produced = dict(feed)  # tensor history -> key of the node that computes it
    for tensor in model.inputs:
        if _history(tensor) not in produced and feed:
            raise ValueError(f"nested model {model.name!r} has an input that nothing feeds")
    calls = {}
    for operation, index in _model_nodes(model):
        calls.setdefault(id(operation), []).append(index)
    nodes, edges, seen, created = [], [], set(), {}
    for operation, index in _model_nodes(model):
        node = operation._inbound_nodes[index]
        outputs = node.output_tensors
        if isinstance(operation, keras.layers.InputLayer) and feed:
            continue  # an opened nested model's input: its feeder is drawn instead
        sources, positions = [], []
        for tensor in node.input_tensors:
            history = _history(tensor)
            if history not in produced:
                raise ValueError(f"cannot find the layer that feeds {operation.name!r}")
            sources.append(produced[history])
            # Where this call comes among the calls that read the same layer: the order
            # in which the code wrote the branches.
            feeder = tensor._keras_history.operation._outbound_nodes
            positions.append(feeder.index(node) if node in feeder else 0)
        own_calls = calls[id(operation)]
        if expand and isinstance(operation, keras.Model) and hasattr(operation, "_nodes_by_depth"):
            inner_prefix = f"{prefix}{operation.name}"
            if len(own_calls) > 1:
                inner_prefix += f"#{own_calls.index(index) + 1}"
            inner_feed = {_history(t): key for t, key in zip(operation.inputs, sources)}
            inner_nodes, inner_edges, inner_out, inner_created = _walk(operation, inner_prefix + "/",
                                                                       inner_feed, expand)
            nodes.extend(inner_nodes)
            created.update(inner_created)
            for edge in inner_edges:
                if edge not in seen:
                    seen.add(edge)
                    edges.append(edge)
            for k, tensor in enumerate(outputs):
                produced[(id(operation), index, k)] = inner_out[k]
            continue
        key = f"{prefix}{operation.name}"
        call = own_calls.index(index)
        if len(own_calls) > 1:
            key += f"#{call + 1}"
        nodes.append(_describe(operation, key, outputs, first_call=call == 0,
                               calls=len(own_calls)))
        for source, position in zip(sources, positions):
            if (source, key) not in seen:
                seen.add((source, key))
                edges.append((source, key))
                created[source, key] = position
        for k, _ in enumerate(outputs):
            produced[(id(operation), index, k)] = key
    out_keys = [produced[_history(t)] for t in model.outputs]
    return nodes, edges, out_keys, created


def _creation_order(nodes, edges, created):
    """A topological order in which the consumers of a layer come in the order the code
    called them (Keras sorts by depth instead, which puts a short branch last).

    Reverse post-order of a depth-first search that visits each node's consumers
    latest-created first.
    """
    consumers = {node.key: [] for node in nodes}
    has_input = set()
    for source, target in edges:
        consumers[source].append(target)
        has_input.add(target)
    by_key = {node.key: node for node in nodes}
    seen, post = set(), []
    for root in [n.key for n in nodes if n.key not in has_input][::-1]:
        stack = [(root, iter(sorted(consumers[root], key=lambda t, r=root: -created.get((r, t), 0))))]
        seen.add(root)
        while stack:
            key, children = stack[-1]
            child = next((c for c in children if c not in seen), None)
            if child is None:
                stack.pop()
                post.append(key)
            else:
                seen.add(child)
                stack.append((child, iter(sorted(consumers[child],
                                                 key=lambda t, c=child: -created.get((c, t), 0)))))
    return [by_key[key] for key in reversed(post)]


def _describe(operation, key, outputs, *, first_call, calls):
    import keras

    kind = "Model" if isinstance(operation, keras.Model) else type(operation).__name__
    params = None
    if first_call and isinstance(operation, keras.layers.Layer):
        params = int(sum(int(_size(w.shape)) for w in operation.weights))
    detail = _detail(operation)
    if calls > 1:
        detail = ", ".join(filter(None, [detail, f"shared x{calls}"]))
    shapes = tuple(tuple(t.shape[1:]) for t in outputs)
    return GraphNode(key, operation.name, kind, detail, shapes, params, _category(operation),
                     (operation.name,))


def _size(shape):
    total = 1
    for dim in shape:
        total *= dim
    return total


def _category(operation):
    import keras

    if isinstance(operation, keras.Model):
        return "block"
    name = type(operation).__name__
    for category, pattern in _CATEGORY_PATTERNS:
        if re.search(pattern, name):
            return category
    if type(operation).__module__.startswith("cnnlab.layers"):
        return "block"  # the library's residual, dense, inception, SE ... blocks
    if not isinstance(operation, keras.layers.Layer):
        return "merge"  # keras.ops on symbolic tensors: add, concatenate, multiply ...
    return "other"


def _pair(value):
    if isinstance(value, (list, tuple)):
        return "x".join(str(v) for v in value) if len(set(value)) > 1 else str(value[0])
    return str(value)


def _detail(operation):
    """A few words on the layer's configuration, from its public ``get_config``."""
    import keras

    if isinstance(operation, keras.Model) or not isinstance(operation, keras.layers.Layer):
        return ""
    try:
        config = operation.get_config()
    except (NotImplementedError, TypeError):
        return ""
    parts = []
    window = config.get("kernel_size", config.get("pool_size"))
    if window is not None:
        parts.append("x".join(str(s) for s in (window if isinstance(window, (list, tuple)) else (window,) * 2)))
    for field in ("filters", "units"):
        if config.get(field) is not None:
            parts.append(str(config[field]))
    strides = config.get("strides")
    if strides is not None and _pair(strides) != "1":
        parts.append(f"/{_pair(strides)}")
    dilation = config.get("dilation_rate")
    if dilation is not None and _pair(dilation) != "1":
        parts.append(f"dilation {_pair(dilation)}")
    if "rate" in config and isinstance(config["rate"], float):
        parts.append(f"rate {config['rate']:g}")
    activation = config.get("activation")
    if isinstance(activation, str) and activation != "linear":
        parts.append(activation)
    return ", ".join(parts)


def _grouping(collapse):
    if callable(collapse):
        return collapse
    if isinstance(collapse, str) or not all(isinstance(p, str) and p for p in collapse):
        raise TypeError(
            f"collapse must be None, a sequence of layer-name prefixes (str) or a function "
            f"from a layer's key to a block name, got {collapse!r}"
        )
    prefixes = sorted(collapse, key=len, reverse=True)  # the longest matching prefix wins

    def group(key):
        name = key.rsplit("/", 1)[-1]
        return next((p for p in prefixes if name.startswith(p)), None)

    return group


def _collapse(graph, group):
    block_of = {}
    for node in graph.nodes:
        block = group(node.key)
        if block is not None and not isinstance(block, str):
            raise TypeError(f"collapse must map a layer key to a block name (str) or None, got {block!r}")
        block_of[node.key] = node.key if block is None else block
    keys = {node.key for node in graph.nodes}
    clash = sorted(b for b in set(block_of.values()) if b in keys and block_of[b] != b)
    if clash:
        raise ValueError(f"collapse names blocks after layers outside them: {clash}")
    edges, seen = [], set()
    for source, target in graph.edges:
        pair = (block_of[source], block_of[target])
        if pair[0] != pair[1] and pair not in seen:
            seen.add(pair)
            edges.append(pair)
    members = {}
    for node in graph.nodes:
        members.setdefault(block_of[node.key], []).append(node)
    leaving = {source for source, target in graph.edges if block_of[source] != block_of[target]}
    nodes = []
    for block, inner in members.items():
        if len(inner) == 1 and inner[0].key == block:
            nodes.append(inner[0])
            continue
        exits = [n for n in inner if n.key in leaving] or inner[-1:]
        params = sum(n.params or 0 for n in inner)
        nodes.append(GraphNode(block, block, "Block", f"{len(inner)} layers",
                               tuple(s for n in exits for s in n.shapes), params, "block",
                               tuple(n.name for n in inner)))
    return ModelGraph(tuple(_topological(nodes, edges)), tuple(edges))


def _topological(nodes, edges):
    """Kahn's algorithm, keeping the given order among ready nodes; a cycle means a block
    that is not contiguous."""
    order = {node.key: k for k, node in enumerate(nodes)}
    indegree = {node.key: 0 for node in nodes}
    successors = {node.key: [] for node in nodes}
    for source, target in edges:
        indegree[target] += 1
        successors[source].append(target)
    ready = sorted((k for k, d in indegree.items() if d == 0), key=order.get)
    result = []
    while ready:
        key = ready.pop(0)
        result.append(key)
        for target in successors[key]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
                ready.sort(key=order.get)
    if len(result) < len(nodes):
        stuck = sorted(k for k, d in indegree.items() if d > 0 and nodes[order[k]].kind == "Block")
        raise ValueError(
            f"collapse would merge layers that are not contiguous into one block: {stuck or 'a cycle'} "
            "(a layer outside the block both reads from it and feeds it); choose prefixes "
            "that cover a connected stretch of the model"
        )
    by_key = {node.key: node for node in nodes}
    return [by_key[k] for k in result]
