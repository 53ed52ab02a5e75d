"""``LayerwiseLR``: per-layer learning-rate multipliers for any Keras optimizer.

The last step of :mod:`cnnlab.transfer`'s recipe (and importable from there):
fine-tune the upper layers at the full rate and the lower ones at a fraction.
"""

import math
import numbers

import keras
from keras.src.utils import tracking


@keras.saving.register_keras_serializable(package="cnnlab")
class LayerwiseLR(keras.optimizers.Optimizer):
    """Per-layer learning-rate multipliers for any optimizer, with plain ``model.fit``.

    The lecture's "learning rate 0 for the frozen conv layers, lr/10 for the
    fine-tuned ones, lr for the new head" in one optimizer.

    The *step* is scaled, not the gradient: for Adam or RMSprop, multiplying
    the gradient by 0.1 would barely change the step (they divide by the
    gradient's running magnitude). Every Keras optimizer's update is linear in
    its learning rate, so the wrapper lets the inner optimizer take its step
    and then keeps ``multiplier`` times that step. This equals a separate
    optimizer per layer with learning rate ``multiplier * lr`` (PyTorch's
    parameter groups), for SGD, momentum, Adam, AdamW's decoupled decay and
    RMSprop alike. Variables with multiplier 0 are never handed to the inner
    optimizer, so they stay bit-identical and get no optimizer state.

    Args:
        inner_optimizer: the ``keras.optimizers.Optimizer`` that computes steps.
        multipliers: dict from layer name to a float >= 0. A variable takes
            the multiplier of the innermost named layer on its path (so a
            nested backbone's name covers all its layers, and a layer inside
            it can override that); unnamed layers take ``default``.
        default: multiplier of every other variable.
        name: optimizer name.

    Example:
        >>> opt = LayerwiseLR(keras.optimizers.Adam(1e-3), {"block1_conv": 0.0, "block3_conv": 0.1})
        >>> model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")

    Limitations: TensorFlow and PyTorch backends (the stateful ``apply``);
    variable constraints act on the inner step before it is scaled.
    """

    def __init__(self, inner_optimizer, multipliers, default=1.0, name=None, **kwargs):
        if not isinstance(inner_optimizer, keras.optimizers.Optimizer):
            raise TypeError(f"inner_optimizer must be a keras.optimizers.Optimizer, got {inner_optimizer!r}")
        if not isinstance(multipliers, dict):
            raise TypeError(f"multipliers must be a dict from layer name to float, got {multipliers!r}")
        for key, value in list(multipliers.items()) + [("default", default)]:
            if not isinstance(key, str) or not key or "/" in key:
                raise ValueError(f"multipliers keys must be layer names (str without '/'), got {key!r}")
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"multiplier for {key!r} must be a finite float >= 0, got {value!r}")
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"multiplier for {key!r} must be a finite float >= 0, got {value!r}")
        if kwargs:
            raise ValueError(f"LayerwiseLR takes no optimizer arguments (set them on inner_optimizer), got {sorted(kwargs)}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.multipliers = {key: float(value) for key, value in multipliers.items()}
        self.default = float(default)

    def multiplier_of(self, variable):
        """The learning-rate multiplier that applies to ``variable``."""
        for part in reversed(variable.path.split("/")[:-1]):
            if part in self.multipliers:
                return self.multipliers[part]
        return self.default

    @tracking.no_automatic_dependency_tracking
    def build(self, var_list):
        used = {part for v in var_list for part in v.path.split("/")[:-1]}
        unknown = sorted(set(self.multipliers) - used)
        if unknown:
            raise ValueError(f"multipliers name layers that own no trainable variable: {unknown}; "
                             f"layers with variables: {sorted(used)}")
        self.inner_optimizer.build([v for v in var_list if self.multiplier_of(v) > 0])
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    def apply(self, grads, trainable_variables=None):
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            with keras.name_scope(self.name, caller=self):
                self.build(trainable_variables)
            self.built = True
        pairs = [(g, v, self.multiplier_of(v)) for g, v in zip(grads, trainable_variables)]
        moving = [(g, v, m) for g, v, m in pairs if m > 0 and g is not None]
        if not moving:
            return
        scaled = [(v, m, keras.ops.copy(v.value)) for _, v, m in moving if m != 1.0]
        self.inner_optimizer.apply([g for g, _, _ in moving], [v for _, v, _ in moving])
        for variable, multiplier, before in scaled:
            variable.assign(before + multiplier * (variable.value - before))

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        # The base class sets its own (unused) rate of 0 before the inner
        # optimizer exists.
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values([v for v in var_list if self.multiplier_of(v) > 0])

    def get_config(self):
        return {
            "name": self.name,
            "inner_optimizer": keras.saving.serialize_keras_object(self.inner_optimizer),
            "multipliers": dict(self.multipliers),
            "default": self.default,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = keras.saving.deserialize_keras_object(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
