"""Per-step quality of a refiner: the metrics of x̂_0 … x̂_N against the clean signal."""

import torch
from torch.utils.data import DataLoader, Dataset

from refine.metrics import si_sdr, snr
from refine.process import Refiner


@torch.no_grad()
def per_step_metrics(
    refiner: Refiner, dataset: Dataset, steps: int | None = None, batch_size: int = 8
) -> dict[str, torch.Tensor]:
    """SI-SDR and SNR of every refinement step for every clip of `dataset`.

    Returns {"si_sdr": (N+1, E), "snr": (N+1, E), "input_snr": (E,)} in dB, step 0 being the
    noisy input, and "noise_kind": E names; channels are averaged. N defaults to the trained T.
    """
    results: dict[str, list] = {"si_sdr": [], "snr": [], "input_snr": [], "noise_kind": []}
    for batch in DataLoader(dataset, batch_size=batch_size):
        clean = batch["clean"]  # (B, C, T)
        path = refiner.refine(batch["noisy"], steps=steps, patience=None, return_trajectory=True)
        estimates = torch.stack(path.trajectory)  # (N+1, B, C, T)
        results["si_sdr"].append(si_sdr(estimates, clean[None]).mean(-1))  # (N+1, B)
        results["snr"].append(snr(estimates, clean[None]).mean(-1))
        results["input_snr"].append(torch.as_tensor(batch["snr_db"], dtype=torch.float32))
        results["noise_kind"].extend(batch["noise_kind"])
    return {
        "noise_kind": results["noise_kind"],
        "si_sdr": torch.cat(results["si_sdr"], 1),
        "snr": torch.cat(results["snr"], 1),
        "input_snr": torch.cat(results["input_snr"]),
    }
