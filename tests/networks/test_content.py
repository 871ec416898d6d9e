"""Content conditioning: the labels' forms and refusals, label dropout, a content network that
starts as the network it was made from, labels that act per clip, and the refiner's
content_is context that tells them to every step."""

import pytest
import torch

from refine.networks.content import (
    CONTENTS,
    UNKNOWN,
    content_labels,
    dropped_labels,
    labels_for_batch,
)
from refine.networks.step_net import StepNetwork
from refine.networks.unet import LRU_UNet
from refine.process.domains import MagnitudeSTFT
from refine.process.refiner import Refiner
from refine.train.optim import param_groups

K = 6  # channels (bins)
SPEECH, MUSIC = CONTENTS.index("speech"), CONTENTS.index("music")


def step_network(**options) -> StepNetwork:
    torch.manual_seed(0)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=2, downsample_factor=2)
    net = StepNetwork(K, backbone, d_model=8, bin_gate=True, update="mask", **options).double()
    torch.nn.init.normal_(net.lower.weight, std=0.3)  # an output that depends on the input
    return net


def told(net: StepNetwork) -> StepNetwork:
    """The network with a learnt-looking content embedding (it starts at zero)."""
    torch.manual_seed(1)
    torch.nn.init.normal_(net.content.weight, std=0.5)
    return net


def test_labels_from_names_indices_and_tensors_and_the_refusals():
    assert content_labels(None) is None
    assert content_labels("music").tolist() == [MUSIC]
    assert content_labels(SPEECH).tolist() == [SPEECH]
    assert content_labels(torch.tensor([0, 1, 2])).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown, speech, music"):
        content_labels("birdsong")
    with pytest.raises(ValueError, match="indices 0-2"):
        content_labels(torch.tensor([1, 3]))
    with pytest.raises(ValueError, match="integers"):
        content_labels(torch.tensor([1.0]))


def test_labels_cover_a_batch_of_any_multiple_and_unknown_when_none():
    assert labels_for_batch(None, 3, "cpu").tolist() == [UNKNOWN] * 3
    assert labels_for_batch(torch.tensor([2]), 3, "cpu").tolist() == [2, 2, 2]
    assert labels_for_batch(torch.tensor([1, 2]), 4, "cpu").tolist() == [1, 2, 1, 2]
    with pytest.raises(ValueError, match="do not divide a batch of 3"):
        labels_for_batch(torch.tensor([1, 2]), 3, "cpu")


def test_label_dropout_is_seeded_and_drops_at_its_rate():
    labels = torch.full((4000,), MUSIC)

    def drop(rate, seed=0):
        return dropped_labels(labels, rate, torch.Generator().manual_seed(seed))

    assert torch.equal(drop(0.0), labels)
    assert (drop(1.0) == UNKNOWN).all()
    assert torch.equal(drop(0.25), drop(0.25))
    assert not torch.equal(drop(0.25), drop(0.25, seed=1))
    assert abs((drop(0.25) == UNKNOWN).float().mean().item() - 0.25) < 0.03
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        drop(1.5)


def test_a_new_content_network_is_the_network_it_was_made_from_whatever_it_is_told():
    plain, content = step_network(), step_network(content=True)
    content.load_state_dict(plain.state_dict(), strict=False)  # all but the embedding
    x = torch.rand(2, K, 32, dtype=torch.float64)
    expected = plain(x)
    for label in (None, torch.tensor([UNKNOWN]), torch.tensor([SPEECH, MUSIC])):
        torch.testing.assert_close(content(x, content=label), expected)


def test_each_clip_is_refined_as_its_own_label_says():
    net, x = told(step_network(content=True)), torch.rand(2, K, 32, dtype=torch.float64)
    both = net(x, content=torch.tensor([SPEECH, MUSIC]))
    torch.testing.assert_close(both[:1], net(x[:1], content=torch.tensor([SPEECH])))
    torch.testing.assert_close(both[1:], net(x[1:], content=torch.tensor([MUSIC])))
    assert not torch.allclose(both[:1], net(x[:1], content=torch.tensor([MUSIC])))
    torch.testing.assert_close(net(x), net(x, content=torch.tensor([UNKNOWN])))
    stacked = torch.cat([x, x])  # a batch repeated, as the teacher-forced refiner stacks steps
    torch.testing.assert_close(
        net(stacked, content=torch.tensor([SPEECH, MUSIC])), torch.cat([both, both])
    )


def test_the_labels_learning_rate_is_a_hint_the_optimiser_reads():
    net = step_network(content=True, content_lr_scale=10.0)
    groups = param_groups(net, lr=1e-3, weight_decay=0.05)
    (labels,) = [g for g in groups if any(p is net.content.weight for p in g["params"])]
    assert labels["lr"] == pytest.approx(1e-2) and len(labels["params"]) == 1
    with pytest.raises(ValueError, match="content_lr_scale must be > 0, and 1 without"):
        step_network(content_lr_scale=10.0)
    with pytest.raises(ValueError, match="content_lr_scale must be > 0"):
        step_network(content=True, content_lr_scale=0.0)


def test_a_network_without_content_refuses_to_be_told_it():
    with pytest.raises(ValueError, match="not trained with content labels"):
        step_network()(torch.rand(1, K, 32, dtype=torch.float64), content=torch.tensor([1]))


def refiner(**options) -> Refiner:
    torch.manual_seed(0)
    domain = MagnitudeSTFT(n_fft=16, hop_length=4)
    backbone = LRU_UNet(d_model=8, d_state=4, n_layers=1, downsample_factor=2)
    net = StepNetwork(9, backbone, d_model=8, bin_gate=True, update="mask", **options)
    torch.nn.init.normal_(net.lower.weight, std=0.3)
    return Refiner(net, steps=3, domain=domain, past_decay=0.5)


def test_the_refiner_tells_every_step_the_content_and_forgets_it_after_the_block():
    model = refiner(content=True)
    torch.nn.init.normal_(model.step_net.content.weight, std=0.5)
    noisy = torch.randn(2, 1, 256)
    with torch.no_grad():
        unknown = model.refine(noisy, steps=5, patience=None).output
        with model.content_is("music"):
            music = model.refine(noisy, steps=5, patience=None).output
        with model.content_is(torch.tensor([MUSIC, SPEECH])):
            mixed = model.refine(noisy, steps=5, patience=None).output
        with model.content_is("speech"):
            speech = model.refine(noisy, steps=5, patience=None).output
        torch.testing.assert_close(model.refine(noisy, steps=5, patience=None).output, unknown)
    assert not torch.allclose(music, unknown)
    torch.testing.assert_close(mixed[0], music[0])
    torch.testing.assert_close(mixed[1], speech[1])


def test_the_refiner_forgets_the_content_after_an_error_and_refuses_a_model_without_it():
    model = refiner(content=True)
    with pytest.raises(RuntimeError), model.content_is("music"):
        raise RuntimeError
    assert model._content is None
    with pytest.raises(ValueError, match="not trained with content labels"):
        refiner().content_is("music")
    with pytest.raises(ValueError, match="must be one of"):
        model.content_is("birdsong")


@pytest.mark.parametrize("mode", ["full", "teacher_forced"])
def test_the_training_loss_reads_the_labels_in_every_mode(mode):
    model = refiner(content=True)
    torch.nn.init.normal_(model.step_net.content.weight, std=0.5)
    noisy, noise = torch.randn(2, 1, 256), 0.5 * torch.randn(2, 1, 256)

    def loss(content):
        with model.content_is(content):
            return model.loss(noisy, noise, mode=mode)

    per_clip = loss(torch.tensor([SPEECH, MUSIC]))
    assert not torch.allclose(per_clip, loss(None))
    gradient = torch.autograd.grad(per_clip, model.step_net.content.weight)[0]
    assert gradient[[SPEECH, MUSIC]].abs().sum() > 0 and gradient[UNKNOWN].abs().sum() == 0
