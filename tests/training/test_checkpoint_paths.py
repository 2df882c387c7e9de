"""How a run's checkpoint may be named on the command line: its prefix or one of its files."""

import pytest

from srgan_tf.training.run_dir import checkpoint_in_run, checkpoint_prefix


@pytest.mark.parametrize(
    "typed",
    [
        "runs/p3/checkpoints/gan/ckpt-400",
        "runs/p3/checkpoints/gan/ckpt-400/",
        "runs/p3/checkpoints/gan/ckpt-400.index",
        "runs/p3/checkpoints/gan/ckpt-400.data-00000-of-00001",
    ],
)
def test_a_checkpoint_is_found_from_its_prefix_or_its_files(typed):
    assert checkpoint_prefix(typed) == "runs/p3/checkpoints/gan/ckpt-400"
    assert checkpoint_in_run(typed) == ("runs/p3", "gan", 400)


@pytest.mark.parametrize("other", [None, "", "srresnet-x4", "runs/p3", "runs/p3/generator.keras", "runs/ckpt-4"])
def test_other_specs_are_not_checkpoints(other):
    assert checkpoint_in_run(other) is None
