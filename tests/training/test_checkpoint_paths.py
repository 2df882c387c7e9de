"""How a run's checkpoint may be named on the command line: its prefix or one of its files."""

import pytest

from srgan_tf.training.run_dir import checkpoint_in_run, checkpoint_prefix, existing_checkpoint


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


def test_only_a_checkpoint_whose_index_exists_is_an_existing_checkpoint(tmp_path):
    stage = tmp_path / "run" / "checkpoints" / "gan"
    stage.mkdir(parents=True)
    (stage / "ckpt-4.index").write_bytes(b"")
    (stage / "ckpt-4.data-00000-of-00001").write_bytes(b"")
    (tmp_path / "generator.keras").write_bytes(b"")
    prefix = str(stage / "ckpt-4")
    for typed in (prefix, f"{prefix}.index", f"{prefix}.data-00000-of-00001", f"{prefix}/"):
        assert existing_checkpoint(typed) == prefix
    for other in (
        None,
        "",
        str(stage / "ckpt-8"),
        str(tmp_path / "generator.keras"),
        str(tmp_path / "run"),
        "srgan-x4",
    ):
        assert existing_checkpoint(other) is None
