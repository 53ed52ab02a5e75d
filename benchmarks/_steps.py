"""Compiled steps on the Keras backend in use (KERAS_BACKEND), shared by the benchmarks.

Each backend runs the way its own training loop does: TensorFlow traces a
``tf.function`` (``jit=True``: XLA), JAX compiles with ``jax.jit`` (always XLA),
PyTorch runs eagerly (Keras' torch trainer does too). Not a benchmark itself.
"""

import keras


def gradient_step(fn, variables=(), jit=False):
    """A compiled ``step(x)`` computing the gradients of the scalar ``fn(x)``
    with respect to ``x`` and ``variables``; it returns them once computed."""
    variables = list(variables)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(jit_compile=jit)
        def step(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = fn(x)
            return tape.gradient(loss, [x, *[v.value for v in variables]])

        return lambda x: [g.numpy() for g in step(x)]
    if backend == "jax":
        import jax

        def pure(x, values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(x)

        compiled = jax.jit(jax.grad(pure, argnums=(0, 1)))
        return lambda x: jax.block_until_ready(compiled(x, [v.value for v in variables]))
    import torch

    def step(x):
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(fn(x), [x, *[v.value for v in variables]])

    return step


def forward_step(model):
    """The model's compiled inference pass, as deployment would run it."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        forward = tf.function(lambda x: model(x, training=False))
        return lambda x: forward(x).numpy()
    if backend == "jax":
        import jax

        def pure(values, x):
            return model.stateless_call(values, [v.value for v in model.non_trainable_variables], x, training=False)[0]

        compiled = jax.jit(pure)
        return lambda x: jax.block_until_ready(compiled([v.value for v in model.trainable_variables], x))
    import torch

    def forward(x):
        with torch.no_grad():
            return keras.ops.convert_to_numpy(model(x, training=False))

    return forward


def tensor(array):
    """``array`` as a tensor of the backend, on its default device."""
    return keras.ops.convert_to_tensor(array)


def device():
    import cnnlab.notebook

    return f"{keras.backend.backend()} on {cnnlab.notebook.accelerator()}"
