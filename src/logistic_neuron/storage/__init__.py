"""What is written to disk and read back: safely, atomically, validated.

* :mod:`~logistic_neuron.storage.atomic`: temporary file + rename, nothing half-written;
* :mod:`~logistic_neuron.storage.archive`: the safe ``.npz`` archive (no pickles,
  checksummed, bounded);
* :mod:`~logistic_neuron.storage.model_file`: trained models;
* :mod:`~logistic_neuron.storage.checkpoint`: checkpoints for exact resume;
* :mod:`~logistic_neuron.storage.schema`: what the metadata of both may hold, checked
  field by field before use (the one place to add a field);
* :mod:`~logistic_neuron.storage.paths`: outputs that never replace an input, another
  output or a non-regular file.

May import: :mod:`logistic_neuron.neuron`, :mod:`logistic_neuron.data` (a
checkpoint fingerprints its data) and :mod:`logistic_neuron.errors`.
"""
