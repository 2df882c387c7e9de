"""Scores and figures: ``metrics`` (Y-PSNR/SSIM as SR papers report them, LPIPS), ``scoring``
(a model and bicubic on a folder of held-out photos), ``plots`` (comparisons, loss curves)."""
