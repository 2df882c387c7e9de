"""Keras callbacks that make a long GAN run safe to leave alone.

- :class:`NonFiniteGuard` stops at the first NaN/inf loss, naming the step;
- :class:`CheckpointSaver` writes both networks, both optimizers and the step
  every N steps (never after a non-finite step), keeping the last K;
- :class:`StopAtStep` ends ``fit`` exactly at the configured step, also mid-epoch
  after a resume;
- :class:`StepLogger` appends per-step scalars to a CSV and TensorBoard, on the
  global step axis (so resumed runs continue the same curves);
- :class:`GANHealth` warns once when the discriminator has won or the losses
  stopped moving — the usual ways an SRGAN run silently fails;
- :class:`SampleWriter` draws bicubic | SR | HR after every epoch;
- :class:`Validator` scores whole validation images on the chief when there are several replicas.
"""

from srgan_tf.training.callbacks.health import GANHealth
from srgan_tf.training.callbacks.safety import CheckpointSaver, NonFiniteGuard, StopAtStep
from srgan_tf.training.callbacks.samples import SampleWriter
from srgan_tf.training.callbacks.step_log import StepLogger
from srgan_tf.training.callbacks.validation import Validator

__all__ = ["CheckpointSaver", "GANHealth", "NonFiniteGuard", "SampleWriter", "StepLogger", "StopAtStep", "Validator"]
