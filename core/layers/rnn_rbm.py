from typing import Any

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="layerwise")
class RNNRBM(layers.Layer):
    """The RNN-RBM (Boulanger-Lewandowski, Bengio and Vincent 2012): a Bernoulli RBM per time
    step whose visible and hidden biases a tanh RNN sets from the frames before it.

    Input (batch, steps, keys) frames; output (batch, steps, keys): for each step, the
    probability of each key in the step after it, the RBM's marginals approximated by a few
    mean-field passes. Training (contrastive divergence per step) and Gibbs generation use
    the exact per-step RBM through ``conditional_biases`` and ``free_energy``.
    """

    def __init__(
        self, hidden_units: int, recurrent_units: int, mean_field_steps: int = 5, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("hidden_units", hidden_units), ("recurrent_units", recurrent_units)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(mean_field_steps, int) or mean_field_steps < 1:
            raise ValueError(
                f"mean_field_steps must be a positive integer, got {mean_field_steps!r}"
            )
        self.hidden_units = hidden_units
        self.recurrent_units = recurrent_units
        self.mean_field_steps = mean_field_steps

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        keys, hidden, state = int(input_shape[-1] or 0), self.hidden_units, self.recurrent_units
        small = keras.initializers.RandomNormal(stddev=0.01)

        def weight(name: str, shape: tuple[int, ...], init: Any = "zeros") -> Any:
            return self.add_weight(name=name, shape=shape, initializer=init)

        self.kernel = weight("kernel", (keys, hidden), small)
        self.visible_bias = weight("visible_bias", (keys,))
        self.hidden_bias = weight("hidden_bias", (hidden,))
        self.input_kernel = weight("input_kernel", (keys, state), small)
        self.recurrent_kernel = weight("recurrent_kernel", (state, state), small)
        self.recurrent_bias = weight("recurrent_bias", (state,))
        self.initial_state = weight("initial_state", (state,))
        self.state_to_visible = weight("state_to_visible", (state, keys), small)
        self.state_to_hidden = weight("state_to_hidden", (state, hidden), small)

    # ---- the RNN --------------------------------------------------------------------------

    def states(self, frames: Any) -> Any:
        """(batch, steps, units): the RNN's state after each frame."""
        batch = ops.shape(frames)[0]
        start = ops.broadcast_to(self.initial_state, (batch, self.recurrent_units))

        def step(state: Any, frame: Any) -> tuple[Any, Any]:
            new = ops.tanh(
                ops.matmul(frame, self.input_kernel)
                + ops.matmul(state, self.recurrent_kernel)
                + self.recurrent_bias
            )
            return new, new

        _, outputs = ops.scan(step, start, ops.transpose(frames, (1, 0, 2)))
        return ops.transpose(outputs, (1, 0, 2))

    def biases(self, states: Any) -> tuple[Any, Any]:
        """The visible and hidden biases of the RBM that follows each state."""
        visible = self.visible_bias + ops.matmul(states, self.state_to_visible)
        hidden = self.hidden_bias + ops.matmul(states, self.state_to_hidden)
        return visible, hidden

    def conditional_biases(self, frames: Any) -> tuple[Any, Any]:
        """For each step t, the biases of the RBM over frame t given the frames before it."""
        after = self.states(frames)
        batch = ops.shape(frames)[0]
        first = ops.broadcast_to(self.initial_state, (batch, 1, self.recurrent_units))
        return self.biases(ops.concatenate([first, after[:, :-1]], axis=1))

    # ---- the RBM of a step ----------------------------------------------------------------

    def hidden_probabilities(self, visible: Any, hidden_bias: Any) -> Any:
        return ops.sigmoid(ops.matmul(visible, self.kernel) + hidden_bias)

    def visible_probabilities(self, hidden: Any, visible_bias: Any) -> Any:
        return ops.sigmoid(ops.matmul(hidden, ops.transpose(self.kernel)) + visible_bias)

    def free_energy(self, visible: Any, visible_bias: Any, hidden_bias: Any) -> Any:
        """F(v) of each frame under its own step's biases (summed over keys and units)."""
        hidden_term = ops.sum(ops.softplus(ops.matmul(visible, self.kernel) + hidden_bias), -1)
        return -ops.sum(visible * visible_bias, axis=-1) - hidden_term

    def mean_field(self, visible_bias: Any, hidden_bias: Any) -> Any:
        """Approximate marginals of each step's RBM: mean-field passes from its visible bias."""
        visible = ops.sigmoid(visible_bias)
        for _ in range(self.mean_field_steps):
            hidden = self.hidden_probabilities(visible, hidden_bias)
            visible = self.visible_probabilities(hidden, visible_bias)
        return visible

    def call(self, inputs: Any) -> Any:
        return self.mean_field(*self.biases(self.states(inputs)))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "hidden_units": self.hidden_units,
            "recurrent_units": self.recurrent_units,
            "mean_field_steps": self.mean_field_steps,
        }
