"""What a person looks at: plots, training curves and the self-contained HTML report.

* :mod:`~logistic_neuron.pictures.plots`: every figure (matplotlib, never ``show()``);
* :mod:`~logistic_neuron.pictures.curves`: the overfitting curve and the
  learning-rate comparison (they train, through :mod:`logistic_neuron.engines`);
* :mod:`~logistic_neuron.pictures.report`: one HTML page with the pictures embedded.

May import: :mod:`logistic_neuron.neuron`, :mod:`logistic_neuron.engines`,
:mod:`logistic_neuron.data`, :mod:`logistic_neuron.storage`,
:mod:`logistic_neuron.errors`. matplotlib is imported only when a picture is drawn.
"""
