"""Generators trained elsewhere, converted to srgan_tf's Keras networks from their own files."""
