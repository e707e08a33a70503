"""The web page: try your own photo, and watch the neuron learn (``logistic-neuron serve``).

* :mod:`~logistic_neuron.web.settings`: what a server is started with (model, data,
  limits) and the data sets the page may train on;
* :mod:`~logistic_neuron.web.limits`: the upload size limit, enforced while the body
  arrives (413 before a byte too many is read);
* :mod:`~logistic_neuron.web.uploads`: uploaded photos decoded exactly as ``predict``
  decodes files, and scored;
* :mod:`~logistic_neuron.web.pictures`: what the page shows of a model and a photo
  (the image as the model sees it, the contribution map, the weights) as PNG;
* :mod:`~logistic_neuron.web.training`: one training run at a time on a worker thread,
  its live events, stop, and the model it leaves;
* :mod:`~logistic_neuron.web.app`: the Starlette application (the page and the JSON API);
* :mod:`~logistic_neuron.web.server`: binding a localhost socket and running uvicorn;
* ``static/``: the page itself (HTML, JavaScript, CSS), shipped inside the package:
  no CDN, no web fonts, it works offline.

Why Starlette on uvicorn (and not FastAPI, Flask or a hand-written server): the
app is one page and six JSON endpoints, so FastAPI's gifts (pydantic models,
OpenAPI pages) would add a heavy dependency for little; Starlette is the small
ASGI toolkit FastAPI itself is built on, with what this app needs and nothing
more: routing, multipart uploads (python-multipart), static files from a
package, streaming responses for server-sent events, and a test client.
uvicorn is the reference ASGI server: one event loop serves many slow clients
at once, so a slow upload or a long-lived event stream never blocks another
request, while decoding and training run on worker threads. A synchronous WSGI
server (Flask) would tie a thread to every open event stream.

The web stack is optional (``pip install "logistic-neuron[web]"``) and imported
only when the server starts; ``import logistic_neuron`` never loads it.

May import: :mod:`logistic_neuron.errors`, :mod:`logistic_neuron.version`,
:mod:`logistic_neuron.neuron`, :mod:`logistic_neuron.data`,
:mod:`logistic_neuron.engines`, :mod:`logistic_neuron.storage`,
:mod:`logistic_neuron.pictures`. Only :mod:`logistic_neuron.cli` imports it. It does
no maths of its own: it calls the rooms below and turns their answers into JSON.
"""
