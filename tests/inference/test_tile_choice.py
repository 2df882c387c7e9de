"""The tile size `srgan upscale` picks from the model's memory per pixel and the memory available."""

import pytest

from srgan_tf.inference.tiling import DEFAULT_TILE, MEMORY_SHARE, MIN_AUTO_TILE, choose_tile, tile_memory

GIB = 2**30


def test_whole_image_when_it_fits_and_tiles_that_fit_when_not():
    per_pixel = 20_000  # bytes per LR pixel, runtime overhead included
    # 600x400 at 20 kB/px: ~4.8 GB of activations. Plenty of memory: one run, no overlap recomputed.
    assert choose_tile(400, 600, 4, 40, per_pixel, available=64 * GIB) == 0
    for available in (8 * GIB, 4 * GIB, 2 * GIB):
        tile = choose_tile(400, 600, 4, 40, per_pixel, available=available)
        assert tile > 0 and tile % 64 == 0
        assert tile_memory(400, 600, 4, tile, 40, per_pixel) <= available * MEMORY_SHARE
        # The next larger tile would not have fitted: the largest that does was taken.
        assert tile_memory(400, 600, 4, tile + 64, 40, per_pixel) > available * MEMORY_SHARE


def test_unknown_memory_keeps_the_fixed_default_and_tiny_budgets_the_smallest_tile():
    assert choose_tile(400, 600, 4, 40, None, available=8 * GIB) == DEFAULT_TILE
    assert choose_tile(400, 600, 4, 40, 20_000, available=0) == DEFAULT_TILE
    assert choose_tile(4000, 6000, 4, 40, 20_000, available=64 * 2**20) == MIN_AUTO_TILE


def test_tile_memory_counts_context_output_and_bands():
    # Whole 100x50 image, scale 2: model 100*50*10, SR 200*100*3*4, one band of the same size.
    assert tile_memory(100, 50, 2, 0, 8, 10) == 100 * 50 * 10 + 2 * (200 * 100 * 12)
    # Tiles of 32 with overlap 8: a context of 48x48; three bands of 32 rows of the 100-px-wide output.
    assert tile_memory(100, 50, 2, 32, 8, 10) == 48 * 48 * 10 + 96 * 96 * 12 + 3 * 64 * 100 * 12


@pytest.mark.parametrize("height,width", [(64, 64), (401, 599)])
def test_tile_memory_grows_with_the_tile(height, width):
    sizes = [tile_memory(height, width, 4, tile, 40, 5000) for tile in (64, 128, 256)]
    assert sizes == sorted(sizes)
