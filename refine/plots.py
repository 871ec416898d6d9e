"""Figures made from recorded numbers (never recomputed here): matplotlib, headless."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402


def per_step_figure(
    curves: dict[str, list[float]], ylabel: str = "SI-SDR (dB)", title: str | None = None
) -> Figure:
    """One line per labelled curve of a per-step metric, step 0 being the noisy input."""
    figure, axes = plt.subplots(figsize=(6, 4), layout="constrained")
    if title:
        axes.set_title(title)
    for label, values in curves.items():
        axes.plot(range(len(values)), values, marker="o", markersize=3, label=label)
    axes.set_xlabel("refinement step t (0 = noisy input)")
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    return figure
