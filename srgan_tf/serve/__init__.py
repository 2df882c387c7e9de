"""``srgan serve``: a local web page and TF Serving's REST API over any model.

- :mod:`~srgan_tf.serve.app`: the FastAPI application (the page, its job API, ``/v1/models``);
- :mod:`~srgan_tf.serve.rest`: TF Serving's protocol mapped onto the exported signatures;
- :mod:`~srgan_tf.serve.jobs`: the page's upscales, byte for byte what ``srgan upscale`` writes;
- :mod:`~srgan_tf.serve.models`: the models offered, by name, fixed at start;
- :mod:`~srgan_tf.serve.worker`: one inference at a time behind a bounded queue;
- :mod:`~srgan_tf.serve.header`: image sizes from headers, before decoding.

Needs the ``serve`` extra: ``pip install "srgan_tf[serve]"``.
"""
