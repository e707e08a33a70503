"""The course's maths, in the lesson's order: one neuron, its cost and its gradients.

Modules, read top to bottom as the lecture goes:

* :mod:`~logistic_neuron.neuron.backend`: the one module that imports array
  libraries (NumPy, ``array_api_compat``); everything else asks it for ``xp``;
* :mod:`~logistic_neuron.neuron.validation`: shape and value checks shared by the maths;
* :mod:`~logistic_neuron.neuron.containers`: the course's dicts, with attribute access on top;
* :mod:`~logistic_neuron.neuron.activation`: ``sigmoid``;
* :mod:`~logistic_neuron.neuron.propagation`: ``initialize_with_zeros`` and
  ``propagate`` (forward pass, cost from ``z``, backward pass);
* :mod:`~logistic_neuron.neuron.optimization`: ``optimize``, the course's
  gradient-descent loop (the reference engine); :mod:`~logistic_neuron.neuron.costs`:
  the costs a run records, in amortised O(1);
* :mod:`~logistic_neuron.neuron.prediction`: ``predict`` and ``accuracy``;
* beyond plain gradient descent (the course's *Improving deep neural networks*):
  :mod:`~logistic_neuron.neuron.regularization` (L2),
  :mod:`~logistic_neuron.neuron.minibatches`,
  :mod:`~logistic_neuron.neuron.optimizers` (gd, momentum, RMSprop, Adam),
  :mod:`~logistic_neuron.neuron.learning_rate_decay`,
  :mod:`~logistic_neuron.neuron.validation_split`,
  :mod:`~logistic_neuron.neuron.early_stopping` (keep-best),
  :mod:`~logistic_neuron.neuron.training_options` (all of them in one checked record),
  :mod:`~logistic_neuron.neuron.descent` (the general loop) and
  :mod:`~logistic_neuron.neuron.lbfgs` (SciPy's L-BFGS on the same cost);
* :mod:`~logistic_neuron.neuron.metrics`: confusion matrix, precision, recall, log loss.

May import: nothing of the package but itself and :mod:`logistic_neuron.errors`.
Written once against the Python Array API, so it runs on NumPy, PyTorch,
``array_api_strict`` and Dask alike.
"""
