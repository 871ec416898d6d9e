"""`python -m refine.train` is `refine-train` (the name design.md fixes; torchrun -m uses it)."""

from refine.cli.train import main

main()
