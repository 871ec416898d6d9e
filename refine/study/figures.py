"""Figures made from recorded numbers (never recomputed here): matplotlib, headless.

Every builder takes plain numbers (lists, numpy arrays, `Band`s) and returns a Figure, so the
training loop can log a figure to TensorBoard and `refine.cli.plot` can draw an evaluation folder
with the same code; reading the numbers from files is the caller's job, `save_figure` writes a
figure in each format asked for. The one transform done here is the log-magnitude spectrogram:
a view of recorded audio, not a metric.
"""

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

STEP_LABEL = "refinement step t (0 = noisy input)"
# Font sizes that stay readable when a 10-12 inch wide figure is shrunk to a page column.
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "figure.titlesize": 12,
}
PNG_DPI = 150
# Markers for the chosen steps (best, knee, ...) in the order they are given.
MARK_STYLES = ("*", "D", "s", "^", "v")


@dataclass
class Band:
    """A per-step mean with its 95 % confidence interval: each (N+1,), NaN where not recorded."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def steps(self) -> np.ndarray:
        return np.arange(len(self.mean))  # (N+1,) t = 0 … N


# No creation date in the files: the same records draw the same bytes, so a redrawn figure
# shows up in a diff only when what it shows changed.
UNDATED = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}


def save_figure(figure: Figure, out_dir: Path, name: str, formats: list[str]) -> list[Path]:
    """Write out_dir/name.<format> for each format (PNG at PNG_DPI), close the figure and
    return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.{fmt}" for fmt in formats]
    for path, fmt in zip(paths, formats, strict=True):
        figure.savefig(path, dpi=PNG_DPI, metadata=UNDATED.get(fmt))
    plt.close(figure)
    return paths


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


def plot_band(axes: Axes, band: Band, label: str, color, linewidth: float = 1.5) -> Line2D:
    """The mean as a line with small markers and its confidence interval as a shaded band."""
    (line,) = axes.plot(
        band.steps, band.mean, color=color, label=label, lw=linewidth, marker="o", markersize=3
    )
    axes.fill_between(band.steps, band.low, band.high, color=color, alpha=0.18, linewidth=0)
    return line


def _step_axis(axes: Axes, ylabel: str) -> None:
    axes.set_xlabel(STEP_LABEL)
    axes.set_ylabel(ylabel)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)


def _unique_handles(figure: Figure) -> list:
    """The legend handles of all panels, each label once, in order of appearance."""
    seen: dict[str, object] = {}
    for axes in figure.axes:
        for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    return list(seen.values())


def _legend_below(figure: Figure, columns: int = 4) -> None:
    """One legend for all panels, under them, so it never covers a curve."""
    handles = _unique_handles(figure)
    figure.legend(handles=handles, loc="outside lower center", ncols=min(columns, len(handles)))


def per_step_bands_figure(
    panels: dict[str, dict[str, Band]],
    highlight: str,
    trained_steps: int | None = None,
    marks: dict[str, dict[str, int]] | None = None,
    title: str | None = None,
) -> Figure:
    """Panels side by side of per-step metrics, one line and 95 % band per curve.

    panels: {y-axis label: {curve label: Band}}. The curve labelled `highlight` (all clips) is
    drawn black and thick; the others take a sequential colour map in the order given, so
    buckets given in ascending input SNR read from dark to light.
    trained_steps: a dashed vertical line at the trained T.
    marks: {y-axis label: {mark label: step}}, chosen steps (best, knee) marked on the
    highlighted curve of that panel; a label keeps its marker across panels.
    """
    marks = marks or {}
    labels = dict.fromkeys(label for points in marks.values() for label in points)
    mark_styles = dict(zip(labels, itertools.cycle(MARK_STYLES), strict=False))
    with plt.rc_context(STYLE):
        figure, axes_row = plt.subplots(
            1, len(panels), figsize=(5.5 * len(panels), 4.8), layout="constrained", squeeze=False
        )
        for axes, (ylabel, curves) in zip(axes_row[0], panels.items(), strict=True):
            others = [label for label in curves if label != highlight]
            colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.85, max(1, len(others))))
            for label, colour in zip(others, colours, strict=False):
                plot_band(axes, curves[label], label, colour)
            if highlight in curves:
                plot_band(axes, curves[highlight], highlight, "black", linewidth=2.5)
            if trained_steps is not None:
                axes.axvline(trained_steps, color="0.3", ls="--", lw=1.2, label="trained T")
            for label, step in marks.get(ylabel, {}).items() if highlight in curves else ():
                axes.plot(
                    step,
                    curves[highlight].mean[step],
                    ls="none",
                    marker=mark_styles[label],
                    markersize=11,
                    markerfacecolor="none",  # the curve stays visible through the mark
                    markeredgecolor="crimson",
                    markeredgewidth=1.8,
                    zorder=5,
                    label=label,
                )
            _step_axis(axes, ylabel)
            axes.set_title(ylabel.split(" (")[0])
            if trained_steps is not None:
                _focus_on_trained_range(axes, [(band, trained_steps) for band in curves.values()])
        _legend_below(figure)
        if title:
            figure.suptitle(title)
    return figure


def _focus_on_trained_range(axes, curves: list[tuple[Band, int]], margin_db: float = 10):
    """Keep the y axis on the useful range when extrapolated steps collapse: down to
    margin_db below the lowest value of any curve up to its trained T, saying where curves
    leave it. curves: [(band, its trained T)]."""
    floor = min(float(np.nanmin(band.mean[: t + 1])) for band, t in curves) - margin_db
    below = [t for band, _ in curves for t, v in enumerate(band.mean) if v < floor]
    if not below:
        return
    axes.set_ylim(bottom=floor)
    axes.text(
        0.98,
        0.97,
        f"curves leave the axis\nfrom t = {min(below)} on",
        transform=axes.transAxes,
        ha="right",
        va="top",
        fontsize="small",
        color="0.3",
    )


def overlay_figure(
    runs: dict[str, dict[str, Band]],
    trained_steps: dict[str, int | None],
    title: str | None = None,
) -> Figure:
    """Several runs' per-step curves with their 95 % bands: {run label: {y-axis label: Band}}.

    Each run's trained T (trained_steps[label]) is marked by a white circle on its line. A
    y-axis label that ends in "(log)" gets a logarithmic axis (the relative update, which
    a converging iteration drives down by decades).
    """
    ylabels = list(next(iter(runs.values())))
    with plt.rc_context(STYLE):
        figure, axes_row = plt.subplots(
            1, len(ylabels), figsize=(5.5 * len(ylabels), 4.8), layout="constrained", squeeze=False
        )
        colours = plt.get_cmap("tab10").colors
        for axes, ylabel in zip(axes_row[0], ylabels, strict=True):
            logarithmic = ylabel.endswith("(log)")
            for i, (label, bands) in enumerate(runs.items()):
                band, colour = bands[ylabel], colours[i % len(colours)]
                if logarithmic:
                    band = Band(_positive(band.mean), _positive(band.low), _positive(band.high))
                plot_band(axes, band, label, colour)
                t = trained_steps.get(label)
                if t is not None and 0 <= t < len(band.mean):
                    axes.plot(
                        t,
                        band.mean[t],
                        ls="none",
                        marker="o",
                        markersize=9,
                        markerfacecolor="white",
                        markeredgecolor=colour,
                        markeredgewidth=2,
                        zorder=5,
                    )
            _step_axis(axes, ylabel)
            axes.set_title(ylabel.split(" (")[0])
            if logarithmic:
                axes.set_yscale("log")
                continue
            known = [(bands[ylabel], trained_steps[k]) for k, bands in runs.items()]
            known = [(band, t) for band, t in known if t is not None and 0 <= t < len(band.mean)]
            if known:
                _focus_on_trained_range(axes, known)
        handles = _unique_handles(figure)
        handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="black", mew=2, ms=9))
        labels = [h.get_label() for h in handles[:-1]] + ["trained T of the run"]
        figure.legend(handles, labels, loc="outside lower center", ncols=min(4, len(handles)))
        if title:
            figure.suptitle(title)
    return figure


def _positive(values) -> np.ndarray:
    """values with those at or below 0 replaced by NaN (a gap on a log axis)."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


def convergence_figure(
    update_norm: Band,
    per_clip: list[np.ndarray] | None = None,
    steps_to_converge: dict[str, np.ndarray] | None = None,
    trained_steps: int | None = None,
    title: str | None = None,
) -> Figure:
    """How the refinement settles: the relative update ‖Δx‖/‖x‖ per step (log scale) with its
    95 % band over thin grey per-clip lines (per_clip: each (N+1,), NaN at t = 0), and, when
    steps_to_converge is given ({legend label: (clips,) step counts}), a histogram of the steps
    each clip needed to converge, one colour per tolerance. Values at or below 0 (a band's
    lower end, a norm rounded to 0) are left out: they have no place on a log axis.
    """
    panels = 1 if steps_to_converge is None else 2
    with plt.rc_context(STYLE):
        figure, axes_row = plt.subplots(
            1, panels, figsize=(5.5 * panels, 4.6), layout="constrained", squeeze=False
        )
        axes = axes_row[0, 0]
        if per_clip:
            lines = [np.column_stack([np.arange(len(v)), _positive(v)]) for v in per_clip]
            axes.add_collection(  # lines: each (N+1, 2) points (t, norm)
                LineCollection(lines, colors="0.6", linewidths=0.6, alpha=0.5, label="one clip")
            )
        positive = Band(*map(_positive, (update_norm.mean, update_norm.low, update_norm.high)))
        plot_band(axes, positive, "mean of the clips", "C0", linewidth=2.2)
        axes.set_yscale("log")
        if trained_steps is not None:
            axes.axvline(trained_steps, color="0.3", ls="--", lw=1.2, label="trained T")
        _step_axis(axes, "relative update ‖Δx‖ / ‖x‖")
        axes.set_title("update norm per step")
        axes.legend(loc="best")
        if steps_to_converge is not None:
            axes = axes_row[0, 1]
            counts = [np.asarray(v, dtype=int) for v in steps_to_converge.values()]
            seen = np.concatenate(counts + [np.zeros(0, int)])  # (all runs,)
            low, high = (seen.min(), seen.max()) if seen.size else (0, 1)
            edges = np.arange(low, high + 2) - 0.5  # one bin per whole step
            axes.hist(counts, bins=edges, label=list(steps_to_converge), rwidth=0.9)
            if trained_steps is not None:
                axes.axvline(trained_steps, color="0.3", ls="--", lw=1.2, label="trained T")
            axes.set_xlabel("steps to convergence")
            axes.set_ylabel("clips")
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(alpha=0.3, axis="y")
            axes.set_title("steps until ‖Δx‖ / ‖x‖ < tol")
            axes.legend(loc="best")
        if title:
            figure.suptitle(title)
    return figure


def log_spectrogram(
    audio: np.ndarray, sample_rate: int, window_seconds: float = 0.032
) -> np.ndarray:
    """Magnitude in dB of a Hann-windowed STFT with centred frames: (T,) -> (F, frames).

    n_fft is the power of two nearest window_seconds (512 at 16 kHz), F = n_fft / 2 + 1, and
    the hop is n_fft / 4, so frame k is centred on sample k · hop.
    """
    n_fft = 2 ** round(math.log2(window_seconds * sample_rate))
    hop = n_fft // 4
    padded = np.pad(np.asarray(audio, dtype=np.float64), n_fft // 2)  # (T + n_fft,)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]  # (frames, n_fft)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=-1))  # (frames, F)
    return 20 * np.log10(spectrum.T + 1e-10)  # (F, frames)


def spectrogram_grid_figure(
    panels: list[tuple[str, np.ndarray]],
    sample_rate: int,
    dynamic_range_db: float = 80.0,
    columns: int = 4,
    title: str | None = None,
) -> Figure:
    """A grid of log-magnitude spectrograms, one per (label, (T,) audio), on one colour scale:
    0 dB is the loudest bin of the first panel (the noisy input) and the scale spans
    dynamic_range_db below it, so a step that blows up saturates instead of blacking out the
    others."""
    spectra = [log_spectrogram(audio, sample_rate) for _, audio in panels]  # each (F, frames)
    loudest = float(spectra[0].max())
    columns = min(columns, len(panels))
    rows = math.ceil(len(panels) / columns)
    with plt.rc_context(STYLE):
        figure, grid = plt.subplots(
            rows,
            columns,
            figsize=(3.2 * columns + 1.0, 2.5 * rows + 0.6),
            layout="constrained",
            sharex=True,
            sharey=True,
            squeeze=False,
        )
        for i, axes in enumerate(grid.flat):
            if i >= len(panels):
                axes.set_visible(False)
                continue
            (label, audio), spectrum = panels[i], spectra[i]
            image = axes.imshow(
                spectrum - loudest,
                origin="lower",
                aspect="auto",
                extent=(0, len(audio) / sample_rate, 0, sample_rate / 2000),
                vmin=-dynamic_range_db,
                vmax=0,
                cmap="magma",
                interpolation="nearest",
            )
            axes.set_title(label)
            # Tick labels on the panels at the bottom of each column and the left of each row.
            if i + columns >= len(panels):
                axes.set_xlabel("time (s)")
                axes.tick_params(labelbottom=True)
            if i % columns == 0:
                axes.set_ylabel("frequency (kHz)")
        figure.colorbar(image, ax=grid, label="magnitude (dB re. loudest input bin)", shrink=0.9)
        if title:
            figure.suptitle(title)
    return figure
