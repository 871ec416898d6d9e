"""Denoising with a trained refiner: `enhance` (arrays and files at any rate, the Python API
behind refine-denoise), `long_audio` (any length in bounded memory: overlapping chunks,
cross-faded) and `streaming` (exact causal streaming, block by block, with a fixed latency)."""
