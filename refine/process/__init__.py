"""The refinement process: the `Refiner` (targets, unroll, loss, inference by count or
tolerance) in `refiner.py`, and what it is made of: the noise schedules, the domains the
steps run in, Anderson acceleration of the fixed-point steps, `build` (a refiner from the
plain spec that checkpoints store) and `checkpoint` (that spec and the weights on disk)."""
