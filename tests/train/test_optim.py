import torch
from torch import nn

from refine.networks.lru import LRU
from refine.train.optim import build_optimizer, param_groups


def test_groups_follow_hints_and_shapes():
    model = nn.Sequential(nn.Linear(3, 3), LRU(3, 2))
    groups = param_groups(model, lr=1e-2, weight_decay=0.05)
    settings = sorted((g["lr"], g["weight_decay"], len(g["params"])) for g in groups)
    # 5 hinted LRU parameters; Linear.weight, C_re, C_im decay; bias and D do not.
    assert settings == [(5e-3, 0.0, 5), (1e-2, 0.0, 2), (1e-2, 0.05, 3)]
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))


def test_schedules_keep_the_lower_rate_of_recurrent_parameters():
    model = LRU(3, 2)
    optimiser = build_optimizer(model, lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 0.1)
    model(torch.randn(1, 4, 3))[0].sum().backward()
    optimiser.step()
    scheduler.step()
    assert sorted(g["lr"] for g in optimiser.param_groups) == [5e-5, 1e-4, 1e-4]
