"""Optimisation of a refiner: `loop` (the training loop, validation, checkpoints, fine-tuning;
plain arguments), `optim` (AdamW with the parameters' own learning-rate hints) and
`distributed` (data parallelism: one process per device). `python -m refine.train` runs
the command-line tool, `refine.cli.train`."""
