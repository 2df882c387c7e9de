"""Runtimes for every model format behind one call, ``runner(lr_images) -> sr_images``
(:mod:`srgan_tf.runtimes.runners`): what export parity verifies is what ``srgan upscale`` runs."""
