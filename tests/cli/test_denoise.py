"""refine-denoise and refine.inference.enhance: formats, rates, channels and lengths kept;
steps saved; every hostile input reported in one line that names the file; nothing overwritten."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from refine.cli.denoise import main
from refine.cli.train import refiner_spec
from refine.inference.enhance import Model, enhance, load_model, refine_settings, respace
from refine.process.build import build_refiner
from refine.process.checkpoint import save_checkpoint
from tests.inference.test_long_audio import refiner
from tests.train.test_train import tiny_config


def write_checkpoint(path, config, model):
    """A checkpoint at `path` of `model` built from the Hydra `config`, trained at 16 kHz."""
    spec = refiner_spec(config)
    save_checkpoint(
        path, spec=spec, model=model.state_dict(), config={"data": {"sample_rate": 16000}}
    )
    return path


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return write_checkpoint(
        tmp_path_factory.mktemp("model") / "checkpoint.pt", tiny_config(), refiner()
    )


def tone(seconds: float, rate: int, channels: int = 1) -> np.ndarray:
    """(T, C) a noisy 440 Hz tone at half scale."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(0)
    wave = 0.5 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.05 * rng.standard_normal(
        (len(t), channels)
    )
    return wave.astype(np.float32)


def denoise(capsys, *args) -> tuple[int, str]:
    """Run the command; (exit status, what it printed)."""
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_.value.code, captured.out + captured.err


@pytest.mark.parametrize(
    "name, rate, channels, subtype",
    [
        ("u8.wav", 8000, 1, "PCM_U8"),
        ("s16.wav", 16000, 2, "PCM_16"),
        ("s24.wav", 44100, 1, "PCM_24"),
        ("s32.wav", 22050, 1, "PCM_32"),
        ("f32.wav", 192000, 1, "FLOAT"),
        ("a.flac", 48000, 2, "PCM_16"),
        ("a.ogg", 16000, 1, "VORBIS"),
    ],
)
def test_outputs_keep_the_format_subtype_rate_channels_and_length(
    tmp_path, capsys, checkpoint, name, rate, channels, subtype
):
    source = tmp_path / name
    sf.write(source, tone(0.7, rate, channels), rate, subtype=subtype)
    status, printed = denoise(capsys, source, "-o", tmp_path / "out", "--checkpoint", checkpoint)
    assert status == 0, printed
    before, after = sf.info(source), sf.info(tmp_path / "out" / name)
    for key in ("samplerate", "channels", "frames", "format", "subtype"):
        assert getattr(after, key) == getattr(before, key), key


def test_save_steps_writes_every_step_and_the_last_is_the_output(tmp_path, capsys, checkpoint):
    sf.write(tmp_path / "a.wav", tone(0.5, 16000), 16000, subtype="FLOAT")
    out = tmp_path / "out"
    status, printed = denoise(
        capsys,
        tmp_path / "a.wav",
        "-o",
        out,
        "--checkpoint",
        checkpoint,
        "--steps",
        3,
        "--save-steps",
    )
    assert status == 0, printed
    steps = sorted((out / "a_steps").iterdir())
    assert [p.name for p in steps] == ["step_01.wav", "step_02.wav", "step_03.wav"]
    assert np.array_equal(sf.read(steps[-1])[0], sf.read(out / "a.wav")[0])
    assert not np.array_equal(sf.read(steps[0])[0], sf.read(steps[-1])[0])


def test_the_python_api_matches_the_file_tool(tmp_path, capsys, checkpoint):
    audio = tone(1.2, 16000, 2)
    sf.write(tmp_path / "a.wav", audio, 16000, subtype="FLOAT")
    denoise(capsys, tmp_path / "a.wav", "-o", tmp_path / "out", "--checkpoint", checkpoint)
    from_file, _ = sf.read(tmp_path / "out" / "a.wav", dtype="float32")
    in_memory = enhance(audio.T, 16000, load_model(checkpoint))
    assert in_memory.shape == audio.T.shape
    assert np.allclose(in_memory.T, from_file, atol=1e-6)
    mono = enhance(torch.from_numpy(audio[:, 0]), 16000, load_model(checkpoint))
    assert isinstance(mono, torch.Tensor) and mono.shape == (len(audio),)


def write_hostile_files(folder):
    """The inputs a tool meets in the wild, by name."""
    folder.mkdir()
    sf.write(folder / "good.wav", tone(0.5, 16000), 16000)
    nan = tone(0.5, 16000)
    nan[1234] = np.nan
    sf.write(folder / "nan.wav", nan, 16000, subtype="FLOAT")
    sf.write(folder / "empty.wav", np.zeros((0, 1), np.float32), 16000)
    sf.write(folder / "three.wav", np.array([[0.1], [-0.2], [0.3]], np.float32), 16000)
    sf.write(folder / "silence.wav", np.zeros((8000, 1), np.float32), 16000)
    sf.write(folder / "clipped.wav", np.clip(tone(0.5, 16000) * 4, -1, 1), 16000)
    (folder / "text.wav").write_text("this is not audio\n" * 20)
    (folder / "header.wav").write_bytes((folder / "good.wav").read_bytes()[:30])


@pytest.mark.parametrize(
    "name, status, message",
    [
        ("nan.wav", 2, "holds NaN or Inf samples (the first at sample 1234, channel 0)"),
        ("empty.wav", 2, "holds no samples"),
        ("text.wav", 2, "not readable as audio"),
        ("header.wav", 2, "not readable as audio"),
        ("three.wav", 0, "very short (3 samples)"),
        ("silence.wav", 0, "the file is silent"),
        ("clipped.wav", 0, "at full scale (clipping)"),
    ],
)
def test_each_hostile_input_gets_one_line_naming_the_file(
    tmp_path, capsys, checkpoint, name, status, message
):
    write_hostile_files(tmp_path / "in")
    code, printed = denoise(
        capsys, tmp_path / "in" / name, "-o", tmp_path / "out", "--checkpoint", checkpoint
    )
    assert code == status
    lines = [line for line in printed.splitlines() if message in line]
    assert len(lines) == 1 and name in lines[0], printed
    assert "Traceback" not in printed
    assert (tmp_path / "out" / name).exists() == (status == 0)
    if name == "three.wav":
        assert sf.info(tmp_path / "out" / name).frames == 3


def test_a_folder_of_good_and_bad_files_denoises_the_good_ones(tmp_path, capsys, checkpoint):
    write_hostile_files(tmp_path / "in")
    (tmp_path / "in" / "notes.txt").write_text("not an audio suffix: skipped")
    code, printed = denoise(
        capsys, tmp_path / "in", "-o", tmp_path / "out", "--checkpoint", checkpoint
    )
    assert code == 1
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["clipped.wav", "good.wav", "silence.wav", "three.wav"]
    assert "4 of 8 inputs failed; 4 denoised" in printed
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporaries


def test_missing_inputs_models_and_unwritable_outputs_end_in_one_line(tmp_path, capsys, checkpoint):
    good = tmp_path / "good.wav"
    sf.write(good, tone(0.3, 16000), 16000)
    code, printed = denoise(
        capsys, tmp_path / "nope.wav", "-o", tmp_path / "out", "--checkpoint", checkpoint
    )
    assert code == 2 and "nope.wav: no such file or folder" in printed
    (tmp_path / "file").write_text("x")
    code, printed = denoise(capsys, good, "-o", tmp_path / "file", "--checkpoint", checkpoint)
    assert code == 2 and "file" in printed and "Traceback" not in printed
    code, printed = denoise(capsys, good, "-o", tmp_path / "clean.wav", "--checkpoint", checkpoint)
    assert code == 2 and "-o names an output folder" in printed
    assert not (tmp_path / "clean.wav").exists()  # no folder made under a file's name
    code, printed = denoise(capsys, good, "-o", tmp_path / "out", "--checkpoint", tmp_path / "x.pt")
    assert code == 2 and "x.pt: no such checkpoint file" in printed
    code, printed = denoise(capsys, good, "-o", tmp_path / "out", "--checkpoint", good)
    assert code == 2 and "not a loadable refine checkpoint" in printed


def test_a_read_only_output_folder_is_refused(tmp_path, capsys, checkpoint, monkeypatch):
    sf.write(tmp_path / "good.wav", tone(0.3, 16000), 16000)
    (tmp_path / "out").mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes into read-only folders: let os.access say it cannot
        access = os.access

        def denied(path, mode, **options):
            return Path(path) != tmp_path / "out" and access(path, mode, **options)

        monkeypatch.setattr(os, "access", denied)
    code, printed = denoise(
        capsys, tmp_path / "good.wav", "-o", tmp_path / "out", "--checkpoint", checkpoint
    )
    assert code == 2 and "not writable" in printed


def test_inputs_and_existing_outputs_are_not_overwritten_without_force(
    tmp_path, capsys, checkpoint
):
    source = tmp_path / "a.wav"
    sf.write(source, tone(0.3, 16000), 16000)
    original = source.read_bytes()
    code, printed = denoise(capsys, source, "-o", tmp_path, "--checkpoint", checkpoint)
    assert code == 2 and "would overwrite this input (use --force" in printed
    assert source.read_bytes() == original
    code, _ = denoise(capsys, source, "-o", tmp_path, "--checkpoint", checkpoint, "--force")
    assert code == 0 and source.read_bytes() != original

    sf.write(source, tone(0.3, 16000), 16000)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.wav").write_bytes(b"precious")
    code, printed = denoise(capsys, source, "-o", tmp_path / "out", "--checkpoint", checkpoint)
    assert code == 2 and "exists (use --force" in printed
    assert (tmp_path / "out" / "a.wav").read_bytes() == b"precious"


def test_two_inputs_aimed_at_one_output_are_refused(tmp_path, capsys, checkpoint):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        sf.write(tmp_path / folder / "a.wav", tone(0.3, 16000), 16000)
    code, printed = denoise(
        capsys,
        tmp_path / "x" / "a.wav",
        tmp_path / "y" / "a.wav",
        "-o",
        tmp_path / "out",
        "--checkpoint",
        checkpoint,
    )
    assert code == 1 and "is already the output of" in printed


def test_schedule_steps_respaces_the_model_and_runs_on_past_it(tmp_path, capsys):
    model = refiner()
    torch.nn.init.normal_(model.step_net.lower.weight, std=1.0)  # steps that move the audio
    path = write_checkpoint(tmp_path / "checkpoint.pt", tiny_config(), model)
    audio = tone(1.0, 16000)
    sf.write(tmp_path / "a.wav", audio, 16000, subtype="FLOAT")
    status, printed = denoise(
        capsys,
        tmp_path / "a.wav",
        "-o",
        tmp_path / "out",
        "--checkpoint",
        path,
        "--schedule-steps",
        1,
        "--steps",
        3,
    )
    assert status == 0 and "3 steps" in printed
    from_file, _ = sf.read(tmp_path / "out" / "a.wav", dtype="float32")
    loaded = load_model(path)
    respaced = enhance(audio[:, 0], 16000, respace(loaded, 1), steps=3)
    assert np.allclose(respaced, from_file, atol=1e-6)
    trained = enhance(audio[:, 0], 16000, loaded, steps=3)  # T = 2 and one step past it
    assert np.abs(trained - from_file).max() > 1e-2


def test_the_stored_step_count_runs_with_the_stored_step_size_it_was_chosen_with():
    """refine-eval's knee was measured with its eta: the default runs it the same way as the
    same count given as --steps."""
    model = Model(refiner(), 16000, {"steps": 7, "eta": 0.5}, "memory")
    assert refine_settings(model) == refine_settings(model, steps=7) == {"steps": 7, "eta": 0.5}


def test_a_respaced_model_defaults_to_its_new_step_count():
    model = Model(refiner(), 16000, {"steps": 7, "max_steps": 40}, "memory")
    respaced = respace(model, 3)
    assert respaced.refiner.steps == 3 and model.refiner.steps == 2
    assert refine_settings(respaced) == {"steps": 3, "eta": None}
    assert respaced.inference == {"max_steps": 40}  # the trained schedule's count is dropped
    with pytest.raises(ValueError, match="must be >= 1"):
        respace(model, 0)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--schedule-steps", 0], "--schedule-steps must be >= 1, got 0"),
        (["--chunk-seconds", "inf"], "--chunk-seconds must be a finite number of seconds"),
        (["--chunk-seconds", "1"], "at least 2 (twice the 1 s overlap), got 1.0"),
    ],
)
def test_bad_numbers_end_in_one_line(tmp_path, capsys, checkpoint, extra, message):
    sf.write(tmp_path / "a.wav", tone(0.5, 16000), 16000)
    status, printed = denoise(
        capsys, tmp_path / "a.wav", "-o", tmp_path / "out", "--checkpoint", checkpoint, *extra
    )
    assert status == 2 and message in printed and "Traceback" not in printed


def test_a_content_model_keeps_what_it_is_told_the_recordings_hold(tmp_path, capsys):
    config = tiny_config("model.content=true")
    model = build_refiner(refiner_spec(config))
    torch.nn.init.normal_(model.step_net.lower.weight, std=1.0)  # steps that move the audio
    torch.nn.init.normal_(model.step_net.content.weight, std=1.0)
    path = write_checkpoint(tmp_path / "content.pt", config, model)
    audio = tone(1.0, 16000)
    sf.write(tmp_path / "a.wav", audio, 16000, subtype="FLOAT")
    outputs = {}
    for content in ("music", "speech", None):
        told = ["--content", content] if content else []
        out = tmp_path / f"out_{content}"
        status, _ = denoise(capsys, tmp_path / "a.wav", "-o", out, "--checkpoint", path, *told)
        assert status == 0
        outputs[content] = sf.read(out / "a.wav", dtype="float32")[0]
    loaded = load_model(path)
    with loaded.refiner.content_is("music"):
        assert np.allclose(enhance(audio[:, 0], 16000, loaded), outputs["music"], atol=1e-6)
    assert np.allclose(enhance(audio[:, 0], 16000, loaded), outputs[None], atol=1e-6)
    assert np.abs(outputs["music"] - outputs["speech"]).max() > 1e-3
    assert np.abs(outputs["music"] - outputs[None]).max() > 1e-3


def test_content_for_a_model_without_it_ends_in_one_line(tmp_path, capsys, checkpoint):
    sf.write(tmp_path / "a.wav", tone(0.5, 16000), 16000)
    args = (tmp_path / "a.wav", "-o", tmp_path / "out", "--checkpoint", checkpoint, "--content")
    status, printed = denoise(capsys, *args, "music")
    assert status == 2 and "not trained with content labels" in printed
    assert "Traceback" not in printed and not (tmp_path / "out" / "a.wav").exists()
    status, printed = denoise(capsys, *args, "birdsong")
    assert status == 2 and "invalid choice: 'birdsong'" in printed


def test_a_model_that_cannot_be_respaced_ends_in_one_line(tmp_path, capsys):
    config = tiny_config("model.parameterisation=increment", "model.update=affine")
    path = write_checkpoint(tmp_path / "increment.pt", config, build_refiner(refiner_spec(config)))
    sf.write(tmp_path / "a.wav", tone(0.5, 16000), 16000)
    status, printed = denoise(
        capsys,
        tmp_path / "a.wav",
        "-o",
        tmp_path / "out",
        "--checkpoint",
        path,
        "--schedule-steps",
        1,
    )
    assert status == 2 and "only the residual and clean-estimate" in printed
    assert "Traceback" not in printed and not (tmp_path / "out" / "a.wav").exists()
