import os

import numpy as np
import pytest
import soundfile as sf
import torch

from refine.audio import AudioError, load_audio, resample, save_audio


def sine(channels: int, length: int, rate: int, freq: float = 440.0) -> torch.Tensor:
    t = torch.arange(length) / rate
    return torch.stack(
        [0.5 * torch.sin(2 * torch.pi * freq * (c + 1) * t) for c in range(channels)]
    )


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(
    ("suffix", "subtype", "atol"),
    [
        (".wav", "FLOAT", 0.0),
        (".wav", "PCM_16", 2**-15),
        (".wav", "PCM_24", 2**-23),
        (".flac", None, 2**-15),
    ],
)
def test_save_then_load_round_trips(tmp_path, channels, suffix, subtype, atol):
    audio = sine(channels, 1000, 16000)  # (C, T)
    path = tmp_path / f"a{suffix}"
    save_audio(path, audio, 16000, subtype)
    loaded, rate = load_audio(path)
    assert rate == 16000 and loaded.dtype == torch.float32
    assert loaded.shape == (channels, 1000)
    torch.testing.assert_close(loaded, audio, rtol=0, atol=atol)


def test_ogg_is_read(tmp_path):
    save_audio(tmp_path / "a.ogg", sine(1, 16000, 16000), 16000)
    loaded, rate = load_audio(tmp_path / "a.ogg")
    assert rate == 16000 and loaded.shape[0] == 1 and loaded.abs().max() > 0.3


def test_save_is_atomic_and_creates_folders(tmp_path):
    path = tmp_path / "deep" / "er" / "a.wav"
    save_audio(path, sine(1, 100, 8000), 8000)
    save_audio(path, sine(1, 200, 8000), 8000)  # overwrite in place
    assert os.listdir(path.parent) == ["a.wav"]  # no temporary file left behind
    assert load_audio(path)[0].shape == (1, 200)


def test_failed_save_leaves_no_temporary_file(tmp_path, monkeypatch):
    def write_then_fail(file, *args, **kwargs):
        original_write(file, *args, **kwargs)
        raise OSError("disk full")

    original_write = sf.write
    monkeypatch.setattr(sf, "write", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_audio(tmp_path / "a.wav", sine(1, 100, 8000), 8000)
    assert os.listdir(tmp_path) == []


def test_save_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="extension"):
        save_audio(tmp_path / "a.xyz", sine(1, 10, 8000), 8000)
    with pytest.raises(ValueError, match="subtype"):
        save_audio(tmp_path / "a.flac", sine(1, 10, 8000), 8000, "FLOAT")
    with pytest.raises(ValueError, match=r"\(C, T\)"):
        save_audio(tmp_path / "a.wav", torch.zeros(10), 8000)
    with pytest.raises(ValueError, match="sample_rate"):
        save_audio(tmp_path / "a.wav", torch.zeros(1, 10), 0)


@pytest.mark.parametrize(("file_rate", "channels"), [(22050, 1), (44100, 2)])
def test_load_resamples_to_the_requested_rate(tmp_path, file_rate, channels):
    audio = sine(channels, file_rate // 2, file_rate)  # 0.5 s
    save_audio(tmp_path / "a.wav", audio, file_rate, "FLOAT")
    loaded, rate = load_audio(tmp_path / "a.wav", sample_rate=16000)
    assert rate == 16000 and loaded.shape == (channels, 8000)
    # The resampled sine is the sine at the new rate, away from the edges.
    expected = sine(channels, 8000, 16000)
    torch.testing.assert_close(loaded[:, 500:-500], expected[:, 500:-500], rtol=0, atol=1e-3)


def test_resample_keeps_shape_dtype_and_identity():
    audio = torch.randn(2, 441)
    assert resample(audio, 16000, 16000) is audio
    out = resample(audio, 44100, 16000)
    assert out.shape == (2, 160) and out.dtype == torch.float32
    assert resample(audio.double(), 44100, 16000).dtype == torch.float64
    with pytest.raises(ValueError, match=r"\(C, T\)"):
        resample(torch.zeros(5), 8000, 16000)


def test_load_errors_name_the_file(tmp_path):
    missing = tmp_path / "missing.wav"
    with pytest.raises(AudioError, match="missing.wav.*no such file"):
        load_audio(missing)
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(AudioError, match="notes.wav.*not readable as audio"):
        load_audio(text)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(AudioError, match="empty.wav.*no samples"):
        load_audio(empty)
    with pytest.raises(AudioError, match="not a file"):
        load_audio(tmp_path)
    assert issubclass(AudioError, ValueError)
