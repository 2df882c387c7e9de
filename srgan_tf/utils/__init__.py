"""The ground floor every layer uses: ``atomic`` (atomic writes), ``messages`` (``srgan: warning:``
lines), ``imageio`` (bounded image decoding), ``ranges`` (the [0, 1] / [-1, 1] conventions),
``keras_compat`` (the private Keras, TensorFlow and LiteRT hooks the package relies on)."""
