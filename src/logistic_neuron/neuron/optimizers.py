r"""Update rules: how one gradient moves the parameters (gd, momentum, RMSprop, Adam).

The course's formulas and names (*Improving deep neural networks*, week 2), for
one neuron with parameters ``{"w": w, "b": b}`` and gradients ``{"dw", "db"}``;
every rule is applied to ``w`` and to ``b`` alike:

``gd`` (:func:`update_parameters_with_gd`)
    :math:`w := w - \alpha\, dw`
``momentum`` (:func:`update_parameters_with_momentum`)
    :math:`v := \beta v + (1 - \beta)\, dw`, then :math:`w := w - \alpha v`
``rmsprop`` (:func:`update_parameters_with_rmsprop`)
    :math:`s := \beta_2 s + (1 - \beta_2)\, dw^2`, then
    :math:`w := w - \alpha\, dw / (\sqrt{s} + \varepsilon)`
``adam`` (:func:`update_parameters_with_adam`)
    both averages, bias-corrected with the step count ``t`` (counted from 1):
    :math:`\hat v = v / (1 - \beta_1^t)`, :math:`\hat s = s / (1 - \beta_2^t)`,
    :math:`w := w - \alpha\, \hat v / (\sqrt{\hat s} + \varepsilon)`

The velocities ``v`` and second moments ``s`` start at zero
(:func:`initialize_velocity`, :func:`initialize_rmsprop`, :func:`initialize_adam`).
:class:`OptimizerState` carries them, and ``t``, from one step to the next in the
training loop; a checkpoint stores it so that a resumed run is bit for bit
the uninterrupted one. Array API code: ``w``'s library and dtype are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from numbers import Real
from typing import Any

from logistic_neuron.neuron.backend import Array, namespace

#: The update rules, by the names the command line and the model file use.
OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")

#: The course's defaults.
DEFAULT_BETA = 0.9
DEFAULT_BETA1 = 0.9
DEFAULT_BETA2 = 0.999
DEFAULT_EPSILON = 1e-8


def check_optimizer(name: Any) -> str:
    """Check an optimiser's name (one of :data:`OPTIMIZERS`)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}")
    return str(name)


def check_beta(value: Any, name: str = "beta") -> float:
    """Check an averaging factor: a number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    beta = float(value)
    if not 0 <= beta < 1:
        raise ValueError(
            f"{name} must be in [0, 1) (the weight of the past in the running average), "
            f"got {beta:g}; the course uses 0.9 (0.999 for beta2)"
        )
    return beta


def check_epsilon(value: Any) -> float:
    """Check Adam's and RMSprop's ``epsilon``: a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"epsilon must be a number > 0, got {value!r}")
    epsilon = float(value)
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise ValueError(
            f"epsilon must be a finite number > 0 (it keeps the division defined), "
            f"got {epsilon:g}; the course uses 1e-8"
        )
    return epsilon


def _grad(grads: Any, key: str) -> Any:
    return grads[key]


def update_parameters_with_gd(
    parameters: dict[str, Any], grads: Any, learning_rate: float
) -> dict[str, Any]:
    r"""One gradient-descent step: :math:`w := w - \alpha\, dw`, :math:`b := b - \alpha\, db`."""
    return {
        "w": parameters["w"] - learning_rate * _grad(grads, "dw"),
        "b": parameters["b"] - learning_rate * _grad(grads, "db"),
    }


def initialize_velocity(parameters: dict[str, Any]) -> dict[str, Any]:
    """Zero velocities ``{"dw": zeros like w, "db": 0.0}``."""
    w = parameters["w"]
    xp = namespace(w)
    return {"dw": xp.zeros_like(w), "db": 0.0}


def update_parameters_with_momentum(
    parameters: dict[str, Any],
    grads: Any,
    v: dict[str, Any],
    beta: float,
    learning_rate: float,
) -> tuple[dict[str, Any], dict[str, Any]]:
    r"""One momentum step: :math:`v := \beta v + (1 - \beta) dw`, :math:`w := w - \alpha v`.

    Returns
    -------
    parameters, v : dict
        The new parameters and velocities (the inputs are not modified).
    """
    v = {
        "dw": beta * v["dw"] + (1 - beta) * _grad(grads, "dw"),
        "db": beta * v["db"] + (1 - beta) * _grad(grads, "db"),
    }
    parameters = {
        "w": parameters["w"] - learning_rate * v["dw"],
        "b": parameters["b"] - learning_rate * v["db"],
    }
    return parameters, v


def initialize_rmsprop(parameters: dict[str, Any]) -> dict[str, Any]:
    """Zero second moments ``{"dw": zeros like w, "db": 0.0}``."""
    return initialize_velocity(parameters)


def _sqrt(xp: Any, x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float) else xp.sqrt(x)


def update_parameters_with_rmsprop(
    parameters: dict[str, Any],
    grads: Any,
    s: dict[str, Any],
    beta2: float,
    learning_rate: float,
    epsilon: float = DEFAULT_EPSILON,
) -> tuple[dict[str, Any], dict[str, Any]]:
    r"""One RMSprop step: :math:`s := \beta_2 s + (1 - \beta_2) dw^2`,
    :math:`w := w - \alpha\, dw / (\sqrt{s} + \varepsilon)`.

    Returns
    -------
    parameters, s : dict
    """
    xp = namespace(parameters["w"])
    dw, db = _grad(grads, "dw"), _grad(grads, "db")
    s = {
        "dw": beta2 * s["dw"] + (1 - beta2) * (dw * dw),
        "db": beta2 * s["db"] + (1 - beta2) * (db * db),
    }
    parameters = {
        "w": parameters["w"] - learning_rate * (dw / (_sqrt(xp, s["dw"]) + epsilon)),
        "b": parameters["b"] - learning_rate * (db / (_sqrt(xp, s["db"]) + epsilon)),
    }
    return parameters, s


def initialize_adam(parameters: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Zero first and second moments ``v, s`` (each ``{"dw": zeros like w, "db": 0.0}``)."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(
    parameters: dict[str, Any],
    grads: Any,
    v: dict[str, Any],
    s: dict[str, Any],
    t: int,
    learning_rate: float = 0.01,
    beta1: float = DEFAULT_BETA1,
    beta2: float = DEFAULT_BETA2,
    epsilon: float = DEFAULT_EPSILON,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    r"""One Adam step, with the bias correction of step ``t`` (1 for the first step).

    Returns
    -------
    parameters, v, s, v_corrected, s_corrected : dict
        As the course's function returns them.
    """
    if isinstance(t, bool) or not isinstance(t, int) or t < 1:
        raise ValueError(f"Adam's step count t starts at 1, got {t!r}")
    xp = namespace(parameters["w"])
    dw, db = _grad(grads, "dw"), _grad(grads, "db")
    v = {"dw": beta1 * v["dw"] + (1 - beta1) * dw, "db": beta1 * v["db"] + (1 - beta1) * db}
    s = {
        "dw": beta2 * s["dw"] + (1 - beta2) * (dw * dw),
        "db": beta2 * s["db"] + (1 - beta2) * (db * db),
    }
    # The averages start at 0, so early on they underestimate: divide the bias out.
    v_corrected = {key: value / (1 - beta1**t) for key, value in v.items()}
    s_corrected = {key: value / (1 - beta2**t) for key, value in s.items()}
    parameters = {
        "w": parameters["w"]
        - learning_rate * (v_corrected["dw"] / (_sqrt(xp, s_corrected["dw"]) + epsilon)),
        "b": parameters["b"]
        - learning_rate * (v_corrected["db"] / (_sqrt(xp, s_corrected["db"]) + epsilon)),
    }
    return parameters, v, s, v_corrected, s_corrected


@dataclass(frozen=True)
class OptimizerSettings:
    """Which update rule and its hyper-parameters.

    Attributes
    ----------
    optimizer : {"gd", "momentum", "rmsprop", "adam"}
    beta1 : float
        Momentum's ``beta`` and Adam's ``beta1`` (the same first-moment average).
    beta2 : float
        RMSprop's and Adam's second-moment average.
    epsilon : float
    """

    optimizer: str = "gd"
    beta1: float = DEFAULT_BETA1
    beta2: float = DEFAULT_BETA2
    epsilon: float = DEFAULT_EPSILON

    def checked(self) -> OptimizerSettings:
        """These settings validated (one-line ``ValueError`` otherwise)."""
        return replace(
            self,
            optimizer=check_optimizer(self.optimizer),
            beta1=check_beta(self.beta1, "beta1"),
            beta2=check_beta(self.beta2, "beta2"),
            epsilon=check_epsilon(self.epsilon),
        )


@dataclass(frozen=True)
class OptimizerState:
    """What an update rule remembers between steps.

    Attributes
    ----------
    v_w : array, shape (n_x, 1), or None
        First moment (velocity) of ``dw``; None for gd and RMSprop.
    v_b : float
    s_w : array, shape (n_x, 1), or None
        Second moment of ``dw``; None for gd and momentum.
    s_b : float
    t : int
        Steps taken so far (Adam's bias correction uses ``t + 1`` for the next one).
    """

    v_w: Array | None = None
    v_b: float = 0.0
    s_w: Array | None = None
    s_b: float = 0.0
    t: int = 0


def initial_state(settings: OptimizerSettings, w: Array) -> OptimizerState:
    """The state before the first step: zero moments for the rules that keep them."""
    xp = namespace(w)
    keeps_v = settings.optimizer in ("momentum", "adam")
    keeps_s = settings.optimizer in ("rmsprop", "adam")
    return OptimizerState(
        v_w=xp.zeros_like(w) if keeps_v else None,
        s_w=xp.zeros_like(w) if keeps_s else None,
    )


def step(
    settings: OptimizerSettings,
    state: OptimizerState,
    w: Array,
    b: float,
    grads: Any,
    learning_rate: float,
) -> tuple[Array, float, OptimizerState]:
    """Apply one update of ``settings.optimizer``; return ``w``, ``b`` and the new state."""
    parameters = {"w": w, "b": b}
    t = state.t + 1
    name = settings.optimizer
    if name == "gd":
        new = update_parameters_with_gd(parameters, grads, learning_rate)
        return new["w"], float(new["b"]), replace(state, t=t)
    if name == "momentum":
        v = {"dw": state.v_w, "db": state.v_b}
        new, v = update_parameters_with_momentum(
            parameters, grads, v, settings.beta1, learning_rate
        )
        return new["w"], float(new["b"]), replace(state, v_w=v["dw"], v_b=float(v["db"]), t=t)
    if name == "rmsprop":
        s = {"dw": state.s_w, "db": state.s_b}
        new, s = update_parameters_with_rmsprop(
            parameters, grads, s, settings.beta2, learning_rate, settings.epsilon
        )
        return new["w"], float(new["b"]), replace(state, s_w=s["dw"], s_b=float(s["db"]), t=t)
    v = {"dw": state.v_w, "db": state.v_b}
    s = {"dw": state.s_w, "db": state.s_b}
    new, v, s, _, _ = update_parameters_with_adam(
        parameters, grads, v, s, t, learning_rate, settings.beta1, settings.beta2, settings.epsilon
    )
    moments = OptimizerState(v["dw"], float(v["db"]), s["dw"], float(s["db"]), t)
    return new["w"], float(new["b"]), moments
