"""digest.ingest.language maps py3langid's model from a cache file: what it maps must be
exactly what the library's own loader gives (weights widened to float32), and a missing,
damaged or foreign cache file must be rebuilt, never read."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from digest.ingest import language

_DECOMPRESSED_MODEL = language.decompressed_model  # (the fixture below replaces it)


@cache
def _reference() -> language.Model:
    return _DECOMPRESSED_MODEL(language.model_file())


def _assert_same(model: language.Model) -> None:
    ref = _reference()
    assert model[2] == ref[2]  # classes
    for got, want in zip(model[:2] + model[3:], ref[:2] + ref[3:], strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want)


def _only_file(folder: Path) -> Path:
    (path,) = folder.iterdir()
    return path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGEST_LANGID_CACHE", str(tmp_path / "langid"))
    return tmp_path / "langid"


@pytest.fixture(autouse=True)
def _decompress_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each (re)build of a cache file takes the model decompressed once for this module (~0.7 s
    each time otherwise); what is decompressed is checked against the library's own loader
    by test_reference_is_the_library_loader_widened."""
    monkeypatch.setattr(language, "decompressed_model", lambda model: _reference())


def test_reference_is_the_library_loader_widened() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    lib = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ref = _reference()
    assert ref[0].dtype == np.float32 and np.array_equal(ref[0], lib.nb_ptc.astype("float32"))
    assert np.array_equal(ref[1], lib.nb_pc) and ref[2] == list(lib.nb_classes)
    assert np.array_equal(ref[3], np.frombuffer(lib.tk_nextmove, dtype=np.uint32))
    assert ref[4].tolist() == list(lib.tk_row) and ref[5].tolist() == list(lib.tk_output)


def test_first_load_writes_the_cache_and_the_next_maps_it(folder: Path) -> None:
    first = language.load_model()
    _assert_same(first)
    path = _only_file(folder)
    assert path == language.cache_path(language.cache_key(language.model_file()))
    mtime = path.stat().st_mtime_ns
    second = language.load_model()
    _assert_same(second)
    assert path.stat().st_mtime_ns == mtime  # read, not rewritten
    assert not second[0].flags.writeable  # mapped read-only


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",  # empty
        lambda data: b"not a cache" + data[11:],  # foreign magic
        lambda data: data.replace(b'"key": "', b'"key": "x', 1),  # another model's arrays
        lambda data: data.replace(b'"<f4"', b'"<f8"', 1),  # other dtype
        lambda data: data[:30] + b"{broken json" + data[42:],
    ],
)
def test_a_damaged_cache_is_rebuilt(folder: Path, damage) -> None:
    language.load_model()
    path = _only_file(folder)
    path.write_bytes(damage(path.read_bytes()))
    _assert_same(language.load_model())
    _assert_same(language.load_model())  # and the rebuilt file reads back
    assert _only_file(folder) == path


def test_an_unwritable_folder_still_loads(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("DIGEST_LANGID_CACHE", str(blocker / "langid"))
    _assert_same(language.load_model())


def test_the_key_follows_the_model_and_the_library(tmp_path: Path, monkeypatch) -> None:
    import py3langid

    model = language.model_file()
    key = language.cache_key(model)
    other = tmp_path / "model.npz.xz"
    other.write_bytes(model.read_bytes() + b"\0")
    assert language.cache_key(other) != key
    monkeypatch.setattr(py3langid, "__version__", "9.9.9")
    assert language.cache_key(model) != key
