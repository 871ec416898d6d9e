"""Per-step evaluation: the quality of x̂_0 … x̂_N against the clean signal, clip by clip,
and of the until-convergence iteration. Used by training (validation) and `refine-eval`."""

import time

import torch
from torch.utils.data import DataLoader, Dataset

from refine.device import device_of
from refine.process.refiner import Refiner
from refine.study.metrics import mean_with_interval, segmental_snr, si_sdr, snr, speech_metrics


def refine_batch(refiner, batch: dict, **settings):
    """refiner.refine on a batch's noisy clips on the refiner's device; oracles (which need
    the truth, `needs_clean`) also get the clean clips. Outputs come back to the CPU."""
    device = device_of(refiner)
    if getattr(refiner, "needs_clean", False):
        settings["clean"] = batch["clean"].to(device)
    out = refiner.refine(batch["noisy"].to(device), **settings)
    out.output = out.output.cpu()
    if out.trajectory is not None:
        out.trajectory = [audio.cpu() for audio in out.trajectory]
    return out


@torch.no_grad()
def per_step_metrics(
    refiner: Refiner,
    dataset: Dataset,
    steps: int | None = None,
    eta: float | None = None,
    batch_size: int = 8,
    speech: bool = False,
    example_clip: int | None = None,
) -> dict:
    """Metrics of every refinement step for every clip of `dataset`.

    Returns, with E clips and N steps (default: the trained T), in dB unless noted:
        "si_sdr", "snr", "seg_snr": (N+1, E), step 0 being the noisy input;
        "pesq", "stoi", "estoi": (N+1, E) when `speech` (mono, 16 kHz);
        "update_norm": (N+1, E) ‖x̂_t − x̂_{t−1}‖/‖x̂_{t−1}‖, NaN at t = 0;
        "input_snr": (E,), "noise_kind": E names, "seconds": refinement wall time,
        "audio_seconds": total audio length, "example": the audio of x̂_0 … x̂_N and the
        clean signal of clip `example_clip` ((N+2) tensors (C, T)), if asked.
    Channels are averaged.
    """
    names = ["si_sdr", "snr", "seg_snr"] + (["pesq", "stoi", "estoi"] if speech else [])
    results: dict[str, list] = {name: [] for name in names}
    results.update(update_norm=[], input_snr=[], noise_kind=[])
    seconds, audio_seconds, example, seen = 0.0, 0.0, None, 0
    rate = getattr(dataset, "sample_rate", 16000)
    for batch in DataLoader(dataset, batch_size=batch_size):
        clean = batch["clean"]  # (B, C, T)
        start = time.perf_counter()
        out = refine_batch(
            refiner, batch, steps=steps, eta=eta, patience=None, return_trajectory=True
        )
        seconds += time.perf_counter() - start
        audio_seconds += clean.shape[0] * clean.shape[-1] / rate
        estimates = torch.stack(out.trajectory)  # (N+1, B, C, T)
        results["si_sdr"].append(si_sdr(estimates, clean[None]).mean(-1))  # (N+1, B)
        results["snr"].append(snr(estimates, clean[None]).mean(-1))
        results["seg_snr"].append(segmental_snr(estimates, clean[None]).mean(-1))
        if speech:
            scores = [
                [speech_metrics(est[b, 0], clean[b, 0], rate) for b in range(clean.shape[0])]
                for est in estimates
            ]
            for name in ("pesq", "stoi", "estoi"):
                results[name].append(torch.tensor([[s[name] for s in row] for row in scores]))
        nan_row = torch.full((1, clean.shape[0]), float("nan"))
        results["update_norm"].append(torch.cat([nan_row, out.update_norms.float().cpu()]))
        results["input_snr"].append(torch.as_tensor(batch["snr_db"], dtype=torch.float32))
        results["noise_kind"].extend(batch["noise_kind"])
        if example_clip is not None and seen <= example_clip < seen + clean.shape[0]:
            index = example_clip - seen
            example = list(estimates[:, index]) + [clean[index]]
        seen += clean.shape[0]
    metrics = {name: torch.cat(results[name], 1) for name in names + ["update_norm"]}
    metrics.update(
        input_snr=torch.cat(results["input_snr"]),
        noise_kind=results["noise_kind"],
        seconds=seconds,
        audio_seconds=audio_seconds,
        example=example,
    )
    return metrics


@torch.no_grad()
def convergence_runs(
    refiner: Refiner,
    dataset: Dataset,
    tolerances: list[float],
    max_steps: int,
    eta: float | None = None,
    batch_size: int = 8,
    anderson: int = 0,
    radius: bool = True,
) -> list[dict]:
    """Run until ‖Δx‖/‖x‖ < tol for each tolerance: one row per clip and tolerance,
    {"clip", "input_snr_db", "noise_kind", "tol", "steps", "converged", "snr", "si_sdr",
    "diverged", "spectral_radius"}: converged when it stopped below tol (not at max_steps, not
    by the guard); the spectral radius of the fixed-point map where it stopped (a trained
    refiner's; empty for a classical method, or with `radius` False: its power iteration
    costs about as many passes as the run, which on long files is the larger part)."""
    rows = []
    for tol in tolerances:
        clip = 0
        for batch in DataLoader(dataset, batch_size=batch_size):
            out = refine_batch(
                refiner, batch, tol=tol, max_steps=max_steps, eta=eta, anderson=anderson
            )
            quality_sdr = si_sdr(out.output, batch["clean"]).mean(-1)  # (B,)
            quality_snr = snr(out.output, batch["clean"]).mean(-1)
            radii = fixed_point_radius(refiner, batch, out.features, eta) if radius else None
            last = out.update_norms[out.steps.clamp(min=1) - 1, torch.arange(len(out.steps))]
            converged = (out.steps > 0) & (last < tol) & ~out.diverged
            for b in range(len(quality_sdr)):
                rows.append(
                    {
                        "clip": clip,
                        "input_snr_db": float(batch["snr_db"][b]),
                        "noise_kind": batch["noise_kind"][b],
                        "tol": tol,
                        "steps": int(out.steps[b]),
                        "converged": int(converged[b]),
                        "snr": float(quality_snr[b]),
                        "si_sdr": float(quality_sdr[b]),
                        "diverged": int(out.diverged[b]),
                        "spectral_radius": "" if radii is None else round(float(radii[b]), 4),
                    }
                )
                clip += 1
    return rows


@torch.no_grad()
def radii_at_trained_steps(refiner: Refiner, dataset: Dataset, batch_size: int = 8) -> torch.Tensor:
    """Per clip, ρ of the fixed-point map at x̂_T, where the iteration past T starts: (E,).
    Above 1 the steps past T expand errors; training logs it to see convergence coming."""
    radii = []
    for batch in DataLoader(dataset, batch_size=batch_size):
        out = refine_batch(refiner, batch, patience=None)
        radii.append(fixed_point_radius(refiner, batch, out.features, None))
    return torch.cat(radii)


def fixed_point_radius(refiner, batch: dict, features: torch.Tensor, eta: float | None):
    """Per clip, ρ of the fixed-point map at the iterate where it stopped: (B,), or None for
    a classical method (no learned map to linearise)."""
    if not isinstance(refiner, Refiner):
        return None
    device = device_of(refiner)
    observation = refiner.domain.encode(batch["noisy"].to(device))
    return refiner.spectral_radius(features.to(device), observation, eta).cpu()


def groups_of(metrics: dict) -> dict[str, torch.Tensor]:
    """Clip masks of every bucket: "<snr>dB", "<kind>" and "<snr>dB_<kind>"."""
    snrs, kinds = metrics["input_snr"], metrics["noise_kind"]
    is_kind = {k: torch.tensor([n == k for n in kinds]) for k in sorted(set(kinds))}
    groups = {}
    for value in sorted(set(snrs.tolist())):
        groups[f"{value:g}dB"] = snrs == value
        for kind, mask in is_kind.items():
            groups[f"{value:g}dB_{kind}"] = (snrs == value) & mask
    groups.update(is_kind)
    return {name: mask for name, mask in groups.items() if mask.any()}


def summarise(values: torch.Tensor) -> dict:
    """{"mean", "ci"} of one step's values over clips: mean and 95 % t-interval."""
    mean, low, high = mean_with_interval(values)
    return {"mean": mean, "ci": [low, high]}
