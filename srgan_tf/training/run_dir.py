"""The run directory: where one training run keeps everything, and when it may be resumed.

RUN/config.json              the resolved config (later commands need nothing else)
RUN/checkpoints/{pretrain,gan}/   both networks, both optimizers, the step (last K)
RUN/logs/{pretrain,gan}/     TensorBoard scalars and images; RUN/logs/*.csv per-step scalars
RUN/samples/*.png            bicubic | SR | HR after every epoch; loss curves at the end
RUN/srresnet.keras           the stage-1 generator (SRResNet)
RUN/generator.keras          the final generator
"""

import dataclasses
import os
import re
from dataclasses import dataclass

from srgan_tf.config import CONTENT_LAYERS, load_config
from srgan_tf.errors import SRGANError
from srgan_tf.utils.atomic import atomic_path


@dataclass
class RunDir:
    """The paths inside a run directory."""

    root: str

    def __post_init__(self):
        self.root = os.fspath(self.root)

    config = property(lambda self: os.path.join(self.root, "config.json"))
    srresnet = property(lambda self: os.path.join(self.root, "srresnet.keras"))
    generator = property(lambda self: os.path.join(self.root, "generator.keras"))
    samples = property(lambda self: os.path.join(self.root, "samples"))

    def checkpoints(self, stage):
        return os.path.join(self.root, "checkpoints", stage)

    def logs(self, stage):
        return os.path.join(self.root, "logs", stage)

    def csv(self, stage):
        return os.path.join(self.root, "logs", f"{stage}.csv")

    def loss_curves(self, stage):
        return os.path.join(self.samples, f"{stage}_loss_curves.png")


def checkpoint_prefix(spec):
    """A checkpoint's prefix (``…/ckpt-400``) from what a user may type for it: the prefix, or one
    of its files (``ckpt-400.index``, ``ckpt-400.data-00000-of-00001``, as a shell completes)."""
    return re.sub(r"\.(index|data-\d+-of-\d+)$", "", os.fspath(spec).rstrip("/\\"))


def existing_checkpoint(spec):
    """The prefix of the checkpoint ``spec`` names when it exists (its ``.index`` file is there),
    else None: how ``--init`` tells a checkpoint from a model name, file or run dir."""
    if not spec:
        return None
    prefix = checkpoint_prefix(spec)
    return prefix if os.path.isfile(f"{prefix}.index") else None


def checkpoint_in_run(spec):
    """(run dir, stage, step) when ``spec`` names one of a run's checkpoints
    (``RUN/checkpoints/gan/ckpt-400``, or one of its files), else None."""
    if not spec:
        return None
    match = re.fullmatch(r"(.+)[/\\]checkpoints[/\\](pretrain|gan)[/\\]ckpt-(\d+)", checkpoint_prefix(spec))
    return (match.group(1), match.group(2), int(match.group(3))) if match else None


def save_model_atomically(model, path):
    """``model.save`` to a temporary name, then rename: a crash never leaves half a file."""
    with atomic_path(path) as tmp:
        model.save(tmp)


def check_resumable(run, config):
    """Re-running in a run dir must not silently change the networks being resumed."""
    if not os.path.exists(run.config):
        return
    old = load_config(run.config)
    for section in ("model", "loss"):
        if _comparable(getattr(old, section)) != _comparable(getattr(config, section)):
            raise SRGANError(
                f"{run.root} was trained with a different {section} config; use a new --run-dir "
                "or the same settings to resume"
            )
    if (old.train.ema_decay > 0) != (config.train.ema_decay > 0):
        # The optimizer's checkpointed state (its averages) and the checkpoint's networks differ.
        raise SRGANError(f"{run.root} was trained with train.ema_decay={old.train.ema_decay}; keep it on or off")
    if old.data.patch_size != config.data.patch_size:
        raise SRGANError(f"{run.root} was trained with data.patch_size={old.data.patch_size}")


def _comparable(section):
    """A config section as it acts: the VGG feature rescale resolved (a run dir written before
    ``null`` meant "the content layers' own" stores the number; a pixel-space content loss
    uses none)."""
    if not hasattr(section, "vgg_feature_rescale"):
        return section
    spec = CONTENT_LAYERS.get(section.content)
    rescale = section.vgg_feature_rescale
    if spec is None:
        rescale = None
    elif rescale is None:
        rescale = spec.rescale
    return dataclasses.replace(section, vgg_feature_rescale=rescale)
