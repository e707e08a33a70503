"""How gradient descent runs: one resolver, several engines with the same results.

* :mod:`~logistic_neuron.engines.resolver`: :func:`fit`, the entry point, and
  ``engine="auto"``'s choice;
* the ``reference`` engine is the course's own loop,
  :func:`logistic_neuron.neuron.optimization.optimize`;
* :mod:`~logistic_neuron.engines.dual`: the dual engine (``w = X α``, one
  Gram matrix, then ``m²`` work per iteration);
* :mod:`~logistic_neuron.engines.general`: runs with options beyond plain
  gradient descent (optimisers, mini-batches, L2, decay, validation, L-BFGS):
  the validation split, then the engine;
* :mod:`~logistic_neuron.engines.dual_descent`: gd and momentum with those
  options on the dual engine (they keep ``w`` in the span of the examples);
* :mod:`~logistic_neuron.engines.one_pass`: the loop of the one-pass engines;
* :mod:`~logistic_neuron.engines.kernels`: their kernels, compiled with numba
  or blocked through NumPy's BLAS;
* :mod:`~logistic_neuron.engines.step_size`: ``learning_rate="auto"``, a step
  from the data with which the cost never rises;
* :mod:`~logistic_neuron.engines.training`: the course's ``model()``, which
  ties training and prediction together (it lives here, above the maths,
  because it is where a run meets an engine).

May import: :mod:`logistic_neuron.neuron`, :mod:`logistic_neuron.data`,
:mod:`logistic_neuron.errors`. numba is imported only when its engine runs.
"""

from logistic_neuron.engines.resolver import ENGINES, as_features, fit, resolve_engine

__all__ = ["ENGINES", "as_features", "fit", "resolve_engine"]
