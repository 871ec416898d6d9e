"""The command-line tools, the only modules that know Hydra or argparse: each turns its
config or arguments into plain calls of the library.

    train        refine-train     (Hydra, configs/config.yaml)
    eval         refine-eval      (Hydra, configs/eval.yaml)
    plot         refine-plot
    denoise      refine-denoise
    demo         python -m refine.cli.demo
    equal_time   python -m refine.cli.equal_time (the experiments' equal training time)
    settings     refine-train's settings, checked before any work
    arguments    the argument checks the argparse tools share
"""

from pathlib import Path

CONFIG_DIR = str(Path(__file__).resolve().parents[2] / "configs")  # the Hydra config groups
