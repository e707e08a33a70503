"""Where examples come from: the course's HDF5 files, image folders, the bundled faces.

* :mod:`~logistic_neuron.data.dataset`: the :class:`Split` / :class:`Dataset`
  types (uint8 images, 0/1 labels) and the stratified split;
* :mod:`~logistic_neuron.data.course_h5`, :mod:`~logistic_neuron.data.folders`,
  :mod:`~logistic_neuron.data.faces`: one loader per kind of source;
* :mod:`~logistic_neuron.data.loading`: :func:`load_dataset`, one entry point for all;
* :mod:`~logistic_neuron.data.images`: decoding one image (Pillow) exactly as
  the model expects it; :mod:`~logistic_neuron.data.parallel`: many at once;
* :mod:`~logistic_neuron.data.files`: only regular files are opened (a FIFO would
  block, a device never end); :mod:`~logistic_neuron.data.shown_text`: names from
  files made safe to print.

May import: :mod:`logistic_neuron.neuron` (for its backend) and
:mod:`logistic_neuron.errors`. h5py, Pillow and scikit-image are imported only
when a source of theirs is read.
"""

from logistic_neuron.data.dataset import Dataset, Split
from logistic_neuron.data.loading import load_dataset

__all__ = ["Dataset", "Split", "load_dataset"]
