"""py3langid's model, kept decompressed in a cache file that later runs map instead of loading.

Why: the library ships its model LZMA-compressed (4.5 MB → ~100 MB of arrays); decompressing
it, then widening the float16 weights to the float32 that scoring uses, was ~0.7 s of CPU at
the start of every ingest, on the serial path (the workers fork after it).  Mapping the
arrays from a file costs a few milliseconds, and the pages are the OS's page cache, shared by
every process, instead of each run's private copy.

The cache file (see :func:`cache_path`):

* lives in ``$DIGEST_LANGID_CACHE`` when set, else in the repository's ``cache/langid/``
  folder (ignored by git, emptied by ``make clean``);
* is named after the SHA-256 of the model file, py3langid's version and this format's
  version, so an upgraded library or model never reads a stale copy (old files are left
  for ``make clean``);
* holds exactly the arrays py3langid's own loader returns (weights already float32: every
  float16 is exactly a float32), so scoring gives the same floats;
* is written atomically (:func:`digest.store.write_atomic`): a killed run leaves no half
  file; one that cannot be read or does not match its header — absent, truncated, foreign,
  a key that differs — is rebuilt from the model, and when the folder is not writable the
  arrays are used from memory (the cache is only ever an optimisation).
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
MAGIC = b"digest-langid-cache\n"
_ALIGN = 4096  # arrays start on a page boundary of the mapping
_ROOT = Path(__file__).resolve().parents[2]
# The arrays, in py3langid's load order (``modelio.load_model``), with the dtype stored.
_ARRAYS = (("ptc", "float32"), ("pc", "float32"), ("nextmove", "uint32"), ("row", "uint32"))
_OUTPUT = ("output", "int32")


def model_file() -> Path:
    """The model file py3langid's default identifier loads."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def cache_key(model: Path) -> str:
    """What the cached arrays were derived from: the model's bytes and the library's version
    (a reader would also change with it), and this file format."""
    import py3langid

    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    return f"{digest[:32]}-py3langid{py3langid.__version__}-f{FORMAT}"


def cache_path(key: str) -> Path:
    """Where the arrays for ``key`` are kept."""
    folder = os.environ.get("DIGEST_LANGID_CACHE") or str(_ROOT / "cache" / "langid")
    return Path(folder) / f"model-{key}.bin"


Model = tuple[np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray, np.ndarray]


def decompressed_model(model: Path) -> Model:
    """py3langid's own loader, its arrays as numpy arrays of the dtypes cached: ``(ptc, pc,
    classes, nextmove, row, output)`` — the reference :func:`load_model` must equal."""
    from py3langid.modelio import load_model as library_load

    ptc, pc, classes, nextmove, row, output = library_load(model)
    return (
        np.asarray(ptc).astype(np.float32),
        np.asarray(pc, dtype=np.float32),
        [str(c) for c in classes],
        np.frombuffer(nextmove, dtype=np.uint32),
        np.frombuffer(row, dtype=np.uint16 if row.itemsize == 2 else np.uint32).astype(np.uint32),
        np.asarray(output, dtype=np.int32),
    )


def _encode(key: str, model: Model) -> bytes:
    """The cache file: magic, a one-line JSON header, then each array page-aligned."""
    ptc, pc, classes, nextmove, row, output = model
    names = (*(n for n, _ in _ARRAYS), _OUTPUT[0])
    arrays = dict(zip(names, (ptc, pc, nextmove, row, output), strict=True))
    layout: dict[str, list[Any]] = {}
    header = {"key": key, "classes": classes, "arrays": layout, "size": 0}
    # offsets depend on the header's length: lay out after a generous header allowance
    start = _ALIGN * (1 + (len(MAGIC) + len(json.dumps(header)) + 4096) // _ALIGN)
    offset = start
    for name, arr in arrays.items():
        layout[name] = [arr.dtype.str, list(arr.shape), offset]
        offset += -(-arr.nbytes // _ALIGN) * _ALIGN
    header["size"] = offset
    head = MAGIC + json.dumps(header).encode() + b"\n"
    if len(head) > start:
        raise ValueError("cache header longer than its allowance")
    out = bytearray(offset)
    out[: len(head)] = head
    for name, arr in arrays.items():
        at = layout[name][2]
        out[at : at + arr.nbytes] = np.ascontiguousarray(arr).tobytes()
    return bytes(out)


def _decode(path: Path, key: str) -> Model | None:
    """The arrays mapped from ``path`` (read-only), or ``None`` when it is absent or is not a
    whole cache file for ``key``."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                return None
            header = json.loads(handle.readline(1 << 20))
            if header.get("key") != key or os.fstat(handle.fileno()).st_size != header["size"]:
                return None
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        arrays = {}
        for name, dtype in (*_ARRAYS, _OUTPUT):
            stored, shape, offset = header["arrays"][name]
            if np.dtype(stored) != np.dtype(dtype):
                return None
            count = int(np.prod(shape))
            arrays[name] = np.frombuffer(mapped, dtype, count, offset).reshape(shape)
        classes = [str(c) for c in header["classes"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return (
        arrays["ptc"],
        arrays["pc"],
        classes,
        arrays["nextmove"],
        arrays["row"],
        arrays["output"],
    )


def load_model(model: Path | None = None) -> Model:
    """:func:`decompressed_model` of py3langid's model, from the cache file when there is a
    good one (mapped, read-only), else decompressed and cached for the next run."""
    from digest.store import write_atomic

    model = model_file() if model is None else model
    key = cache_key(model)
    path = cache_path(key)
    cached = _decode(path, key)
    if cached is not None:
        return cached
    arrays = decompressed_model(model)
    try:
        write_atomic(path, _encode(key, arrays))
    except OSError:
        return arrays  # a folder we cannot write: this run uses its own copy
    return _decode(path, key) or arrays
