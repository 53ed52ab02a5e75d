"""Topic generators about cost: parameters, multiply-accumulates, channels, bytes.

Each generator takes a ``random.Random`` and returns a ``Draft``; the answer is
computed with ``cnnlab.shapes`` (or, for DenseNet's channel bookkeeping, the
paper's formula), the explanation shows the arithmetic.
"""

import math

from cnnlab import shapes

from .problem import Draft

MEMORY_DTYPES = ("float32", "float16", "bfloat16")


def conv_params(rng):
    in_channels = rng.choice((1, 3, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512))
    filters = rng.choice((8, 10, 16, 32, 64, 96, 128, 256, 384))
    kernel = rng.choice((1, 3, 3, 5, 7, 11))
    use_bias = rng.random() < 0.8
    answer = shapes.conv2d_params(in_channels, filters, kernel, use_bias=use_bias)
    params = {"in_channels": in_channels, "filters": filters, "kernel_size": kernel, "use_bias": use_bias}
    question = (
        f"How many trainable parameters does a convolution with {filters} filters of size "
        f"{kernel}x{kernel} have on an input with {in_channels} channels "
        f"({'with' if use_bias else 'without'} bias)?"
    )
    bias = f" + {filters} biases" if use_bias else ""
    explanation = (
        f"Each filter has F*F*D = {kernel}*{kernel}*{in_channels} = {kernel * kernel * in_channels} weights, "
        f"one set per filter: {kernel * kernel * in_channels}*{filters}{bias} = **{answer}**. "
        "The input's height and width do not matter."
    )
    return Draft(question, params, answer, explanation)


def fc_vs_conv_params(rng):
    side = rng.choice((8, 12, 16, 24, 28, 32))
    channels = rng.choice((1, 3))
    filters = rng.choice((4, 6, 8, 10))
    kernel = rng.choice((3, 5))
    padding = rng.choice(("valid", "same"))
    out_shape = shapes.conv2d_output_shape((side, side, channels), filters, kernel, padding=padding)
    inputs = side * side * channels
    outputs = math.prod(out_shape)
    conv = shapes.conv2d_params(channels, filters, kernel)
    dense = shapes.dense_params(inputs, outputs)
    answer = [conv, dense]
    params = {"input_shape": [side, side, channels], "filters": filters, "kernel_size": kernel, "padding": padding}
    question = (
        f"A convolution with {filters} filters of size {kernel}x{kernel} (stride 1, padding `'{padding}'`, "
        f"with bias) maps a {side}x{side}x{channels} image to a feature map. (a) How many parameters does "
        "it have? (b) How many does a fully-connected layer (with bias) have that maps the same "
        "flattened input to the same number of outputs? Answer `[conv_parameters, dense_parameters]`."
    )
    h, w, c = out_shape
    explanation = (
        f"Conv: {kernel}*{kernel}*{channels}*{filters} + {filters} = {conv}. The output is {h}x{w}x{c} = "
        f"{outputs} values and the input {side}*{side}*{channels} = {inputs}; a dense layer connects "
        f"every input to every output: {inputs}*{outputs} + {outputs} = {dense}, "
        f"{dense / conv:,.0f} times as many, because the convolution shares one small filter over "
        f"all positions: **{answer}**."
    )
    return Draft(question, params, answer, explanation)


def bottleneck_macs(rng):
    side = rng.choice((7, 14, 28, 56))
    in_channels = rng.choice((64, 128, 192, 256, 480, 512))
    filters = rng.choice((16, 32, 48, 64, 96, 128))
    kernel = rng.choice((3, 5))
    reduced = rng.choice([r for r in (16, 24, 32, 48, 64, 96) if r < in_channels])
    shape = (side, side, in_channels)
    direct = shapes.conv2d_macs(shape, filters, kernel, padding="same")
    reduce = shapes.conv2d_macs(shape, reduced, 1)
    spatial = shapes.conv2d_macs((side, side, reduced), filters, kernel, padding="same")
    answer = [direct, reduce + spatial]
    params = {"input_shape": list(shape), "filters": filters, "kernel_size": kernel, "reduced_channels": reduced}
    question = (
        f"A {kernel}x{kernel} convolution with {filters} filters (stride 1, `'same'` padding) runs on a "
        f"{side}x{side}x{in_channels} feature map. (a) How many multiply-accumulates (MACs) does it take? "
        f"(b) How many if a 1x1 convolution first reduces the input to {reduced} channels (count both "
        "layers)? Answer `[direct_macs, bottleneck_macs]`."
    )
    explanation = (
        f"Each output value costs F*F*C_in MACs. Direct: {side}*{side}*{filters} outputs * "
        f"{kernel}*{kernel}*{in_channels} = {direct}. With the bottleneck: the 1x1 layer costs "
        f"{side}*{side}*{reduced}*{in_channels} = {reduce}, the {kernel}x{kernel} layer "
        f"{side}*{side}*{filters}*{kernel}*{kernel}*{reduced} = {spatial}, together {reduce + spatial}: "
        f"{direct / (reduce + spatial):.1f} times fewer: **{answer}**."
    )
    return Draft(question, params, answer, explanation)


def densenet_channels(rng):
    initial = rng.choice((6, 16, 24, 32, 64))
    growth = rng.choice((4, 12, 24, 32))
    layers = rng.choice((2, 4, 6, 12, 16, 24))
    compression = rng.choice((0.5, 0.5, 0.25, 1.0))
    after_block = initial + growth * layers
    # DenseNet-BC and keras.applications truncate: int(channels * compression).
    after_transition = math.floor(after_block * compression)
    answer = [after_block, after_transition]
    params = {"input_channels": initial, "growth_rate": growth, "layers": layers, "compression": compression}
    question = (
        f"A dense block with growth rate k = {growth} and {layers} layers receives {initial} channels. "
        f"(a) How many channels leave the block? (b) How many leave the transition layer after it, "
        f"with compression theta = {compression}? Answer `[block_channels, transition_channels]`."
    )
    explanation = (
        f"Every layer concatenates k new channels to all earlier ones: c0 + k*l = {initial} + "
        f"{growth}*{layers} = {after_block}. The transition's 1x1 convolution keeps "
        f"floor(theta*m) = floor({compression}*{after_block}) = {after_transition} "
        f"(its 2x2 average pooling halves height and width, not channels): **{answer}**."
    )
    return Draft(question, params, answer, explanation)


def memory(rng):
    side = rng.choice((28, 32, 56, 64, 112, 128, 224))
    channels = rng.choice((3, 16, 32, 64))
    filters = rng.choice((16, 32, 64, 96, 128))
    kernel = rng.choice((1, 3, 5))
    stride = rng.choice((1, 1, 2))
    padding = rng.choice(("valid", "same"))
    batch = rng.choice((1, 8, 16, 32, 64))
    dtype = rng.choice(MEMORY_DTYPES)
    out_shape = shapes.conv2d_output_shape((side, side, channels), filters, kernel, strides=stride, padding=padding)
    values = batch * math.prod(out_shape)
    answer = batch * shapes.activation_bytes(out_shape, dtype)
    params = {
        "input_shape": [side, side, channels],
        "filters": filters,
        "kernel_size": kernel,
        "strides": stride,
        "padding": padding,
        "batch_size": batch,
        "dtype": dtype,
    }
    question = (
        f"A convolution with {filters} filters of size {kernel}x{kernel}, stride {stride} and padding "
        f"`'{padding}'` runs on a batch of {batch} images of {side}x{side}x{channels}, in `{dtype}`. "
        "How many bytes does its output activation take?"
    )
    h, w, c = out_shape
    explanation = (
        f"The output is {batch}x{h}x{w}x{c} = {values} values of {answer // values} bytes "
        f"({dtype}): **{answer}** bytes ({answer / 2**20:.2f} MiB). Training keeps it until the "
        "backward pass, once per layer."
    )
    return Draft(question, params, answer, explanation)
