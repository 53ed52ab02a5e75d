"""Topic generators about spatial sizes: output sizes and receptive fields.

Each generator takes a ``random.Random`` and returns a ``Draft``; the answer is
computed with ``cnnlab.shapes``, the explanation shows the arithmetic.
"""

from cnnlab import shapes

from .problem import Draft


def _strict_size(size, kernel, stride, padding, dilation):
    try:
        return shapes.conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation, strict=True)
    except ValueError:
        return None


def conv_output(rng):
    want_fit = rng.random() < 0.7
    while True:
        size = rng.randint(5, 64)
        kernel = rng.choice((1, 2, 3, 3, 3, 5, 5, 7, 11))
        stride = rng.choice((1, 1, 2, 2, 3, 4))
        dilation = rng.choice((1, 1, 1, 1, 2, 3)) if kernel > 1 else 1
        span = dilation * (kernel - 1) + 1
        padding = rng.randint(0, (span - 1) // 2)
        if span > size + 2 * padding:
            continue
        answer = _strict_size(size, kernel, stride, padding, dilation)
        if (answer is not None) == want_fit:
            break
    params = {"input_size": size, "kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    question = (
        f"A convolution with a {kernel}x{kernel} kernel, stride {stride}, zero padding {padding} "
        f"and dilation {dilation} slides over a {size}x{size} input. What is the output size "
        "along one side? Use the strict convention: if the windows do not tile the padded "
        "input exactly (the stride does not fit), the answer is `None`."
    )
    covered = size + 2 * padding - span
    steps = (
        f"The dilated kernel spans d(F-1)+1 = {dilation}*({kernel}-1)+1 = {span} pixels. "
        f"(W + 2P - {span})/S = ({size} + 2*{padding} - {span})/{stride} = {covered}/{stride}"
    )
    if answer is not None:
        explanation = f"{steps} = {covered // stride}, plus 1 for the first position: **{answer}**."
    else:
        floor = shapes.conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
        explanation = (
            f"{steps} is not an integer: after the last full step {covered % stride} row(s) of the "
            "padded input are left over, so the stride does not fit: **None**. Keras and PyTorch "
            f"floor instead and return {floor}, silently ignoring those rows."
        )
    return Draft(question, params, answer, explanation)


def pool_output(rng):
    while True:
        height = rng.randint(7, 64)
        width = height if rng.random() < 0.5 else rng.randint(7, 64)
        channels = rng.choice((1, 3, 16, 32, 64, 96, 128, 256))
        pool = rng.choice((2, 2, 3))
        stride = rng.choice((pool, pool, 1, 2))
        padding = rng.choice(("valid", "same"))
        if pool <= min(height, width):
            break
    answer = list(shapes.pool2d_output_shape((height, width, channels), pool, strides=stride, padding=padding))
    params = {"input_shape": [height, width, channels], "pool_size": pool, "strides": stride, "padding": padding}
    question = (
        f"A {pool}x{pool} max-pooling layer with stride {stride} and padding `'{padding}'` is applied "
        f"to a {height}x{width}x{channels} feature map (height x width x channels). What is the "
        "output shape? Answer `[height, width, channels]`."
    )
    if padding == "valid":
        sides = ", ".join(
            f"floor(({n} - {pool})/{stride}) + 1 = {out}" for n, out in ((height, answer[0]), (width, answer[1]))
        )
        rule = f"With `'valid'` padding only whole windows count: {sides}."
    else:
        sides = ", ".join(f"ceil({n}/{stride}) = {out}" for n, out in ((height, answer[0]), (width, answer[1])))
        rule = f"`'same'` pads just enough that one window starts every {stride} pixel(s): {sides}."
    explanation = f"{rule} Pooling works on each channel separately, so the {channels} channels stay: **{answer}**."
    return Draft(question, params, answer, explanation)


def transposed_conv_output(rng):
    height = rng.randint(2, 16)
    width = height if rng.random() < 0.6 else rng.randint(2, 16)
    channels = rng.choice((16, 32, 64, 128))
    filters = rng.choice((1, 3, 16, 32, 64))
    kernel = rng.choice((2, 3, 4, 5))
    stride = rng.choice((1, 2, 2, 3))
    padding = rng.choice(("valid", "same"))
    # output_padding only where it means something: it picks among the output
    # sizes a stride > 1 leaves open. With 'same' and an even kernel Keras'
    # formula shrinks the output, and TensorFlow's kernel refuses it.
    use_output_padding = rng.random() < 0.35 and stride > 1 and (padding == "valid" or kernel % 2 == 1)
    output_padding = rng.randint(0, stride - 1) if use_output_padding else None
    answer = list(
        shapes.conv2d_transpose_output_shape(
            (height, width, channels), filters, kernel, strides=stride, padding=padding, output_padding=output_padding
        )
    )
    params = {
        "input_shape": [height, width, channels],
        "filters": filters,
        "kernel_size": kernel,
        "strides": stride,
        "padding": padding,
        "output_padding": output_padding,
    }
    question = (
        f"A `Conv2DTranspose` layer with {filters} filter{'s' if filters > 1 else ''} of size "
        f"{kernel}x{kernel}, stride {stride}, "
        f"padding `'{padding}'` and output_padding `{output_padding}` is applied to a "
        f"{height}x{width}x{channels} feature map. What is the output shape (Keras' convention)? "
        "Answer `[height, width, channels]`."
    )
    if output_padding is None and padding == "same":
        rule = "With `'same'` padding and no output_padding, Keras multiplies each side by the stride: H*S"
        sides = [f"{n}*{stride} = {out}" for n, out in ((height, answer[0]), (width, answer[1]))]
    elif output_padding is None:
        rule = "With `'valid'` padding and no output_padding, Keras gives H*S + max(F - S, 0)"
        sides = [
            f"{n}*{stride} + {max(kernel - stride, 0)} = {out}" for n, out in ((height, answer[0]), (width, answer[1]))
        ]
    else:
        pad = kernel // 2 if padding == "same" else 0
        rule = f"With output_padding set, (H - 1)*S + F - 2P + output_padding, where P = {pad} for `'{padding}'`"
        sides = [
            f"({n} - 1)*{stride} + {kernel} - 2*{pad} + {output_padding} = {out}"
            for n, out in ((height, answer[0]), (width, answer[1]))
        ]
    explanation = f"{rule}: {', '.join(sides)}. One channel per filter: **{answer}**."
    return Draft(question, params, answer, explanation)


def receptive_field(rng):
    layers = []
    for index in range(rng.randint(2, 5)):
        if index > 0 and rng.random() < 0.25:
            layers.append({"type": "pool", "kernel_size": 2, "stride": 2, "dilation": 1})
        else:
            kernel = rng.choice((1, 3, 3, 3, 5, 7))
            layers.append(
                {
                    "type": "conv",
                    "kernel_size": kernel,
                    "stride": rng.choice((1, 1, 1, 2)),
                    "dilation": rng.choice((1, 1, 1, 2)) if kernel > 1 else 1,
                }
            )
    fields = _receptive_fields(layers)
    answer = fields[-1]["size"]
    listing = "\n".join(
        f"{i}. {'max pooling' if layer['type'] == 'pool' else 'convolution'} {layer['kernel_size']}x"
        f"{layer['kernel_size']}, stride {layer['stride']}, dilation {layer['dilation']}"
        for i, layer in enumerate(layers, 1)
    )
    question = (
        f"A network applies these layers to an image, in order:\n\n{listing}\n\nHow many input pixels "
        "along one side does one unit of the last layer see (its receptive field)?"
    )
    rows = ["r0 = 1, j0 = 1"]
    for i, (layer, field) in enumerate(zip(layers, fields), 1):
        rows.append(
            f"layer {i}: r = {field['previous_size']} + ({layer['kernel_size']} - 1)*{layer['dilation']}*"
            f"{field['previous_jump']} = {field['size']}, "
            f"j = {field['previous_jump']}*{layer['stride']} = {field['jump']}"
        )
    explanation = (
        "Each layer grows the field by (F - 1)*D times the jump j (the input distance between "
        "neighbouring units of the previous layer); a stride multiplies the jump.\n\n"
        + "\n".join(f"- {row}" for row in rows)
        + f"\n\nReceptive field: **{answer}**."
    )
    return Draft(question, {"layers": layers}, answer, explanation)


def _receptive_fields(layers):
    """Per-layer size and jump from ``shapes.receptive_field``, with the previous layer's values."""
    specs = [
        (layer["kernel_size"], layer["stride"], (layer["kernel_size"] - 1) * layer["dilation"] // 2, layer["dilation"])
        for layer in layers
    ]
    fields = []
    size, jump = 1, 1
    for entry in shapes.receptive_field(specs):
        fields.append({"previous_size": size, "previous_jump": jump, "size": entry.size, "jump": entry.jump})
        size, jump = entry.size, entry.jump
    return fields


def stacked_3x3(rng):
    count = rng.randint(2, 5)
    channels = rng.choice((16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512))
    use_bias = rng.random() < 0.5
    field = _receptive_fields([{"kernel_size": 3, "stride": 1, "dilation": 1}] * count)[-1]["size"]
    stacked = count * shapes.conv2d_params(channels, channels, 3, use_bias=use_bias)
    single = shapes.conv2d_params(channels, channels, field, use_bias=use_bias)
    answer = [field, stacked, single]
    params = {"layers": count, "channels": channels, "use_bias": use_bias}
    question = (
        f"Stack {count} convolutions of 3x3, stride 1, each mapping {channels} channels to {channels} "
        f"channels ({'with' if use_bias else 'without'} bias). (a) What is the receptive field of the "
        "stack along one side? (b) How many parameters does the stack have? (c) How many does a single "
        f"convolution with the same receptive field and the same {channels} -> {channels} channels have? "
        "Answer `[receptive_field, stack_parameters, single_parameters]`."
    )
    bias = f" + {channels}" if use_bias else ""
    explanation = (
        f"Each 3x3 layer adds 2 pixels: 1 + 2*{count} = {field}. The stack: {count}*(3*3*{channels}*{channels}"
        f"{bias}) = {stacked}. One {field}x{field} layer: {field}*{field}*{channels}*{channels}{bias} = {single}. "
        f"The stack needs {stacked / single:.0%} of the parameters and adds {count - 1} more non-linearities: "
        f"**{answer}**."
    )
    return Draft(question, params, answer, explanation)
