"""The lesson's teaching tools: why backpropagation works, runnable and checkable.

* :mod:`~logistic_neuron.lesson.derivatives`: derivatives as slopes, by nudging;
* :mod:`~logistic_neuron.lesson.graph`: a small scalar computation graph with
  the chain rule applied right to left; :mod:`~logistic_neuron.lesson.graph_drawing`
  draws it (SVG, PNG with Pillow, text);
* :mod:`~logistic_neuron.lesson.per_example`: the lesson's for-loop over examples,
  the one vectorisation replaces;
* :mod:`~logistic_neuron.lesson.gradcheck`: gradient checking against finite
  differences and against the graph.

May import: :mod:`logistic_neuron.neuron`, :mod:`logistic_neuron.storage`
(atomic writes of drawings) and :mod:`logistic_neuron.errors`.
"""
