"""The prepared, restricted language model kept uncompressed on disk and memory-mapped.

Loading py3langid's bundled model costs every process ~0.8 s of CPU, 0.5 s of it LZMA
decompression, and each backfill or daemon worker and many CLI runs pay it. The arrays
`FastIdentifier` scores with (53 MB for the desk's 32 languages) are therefore written once,
uncompressed, to one file per cache key, and later processes map that file: a few
milliseconds, and the pages are shared by every process through the page cache.

File layout: MAGIC, the header's length (8 bytes, little-endian), a JSON header (format,
key, the restricted class list, each array's dtype, shape and offset), then the arrays
from the next page boundary, each 64-byte aligned. The key (`cache_key`) names the
format, the py3langid version, the model file (path, size, mtime) and the language list;
its digest is in the file name so different installs or desks keep separate files.

A cache is never trusted: a wrong magic, header, key, dtype, shape or file size makes
`load` return None and the caller rebuilds it. Writers write a temporary file in the
same folder and `os.replace` it, so readers see a whole file or none and two processes
building at once both succeed (the last rename wins; both files are equal). Any failure
to write is logged at debug level and ignored: the cache only saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import mmap
import os
import secrets
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE

__all__ = ["FORMAT", "cache_dir", "cache_key", "cache_path", "load", "store"]

FORMAT = 1  # bump when the layout or the meaning of an array changes
MAGIC = b"KMLANGID"
_PREFIX = len(MAGIC) + 8
_PAGE = 4096
_ALIGN = 64
_MAX_HEADER = 1 << 20
_STALE_TEMP = 3600.0  # seconds after which a temporary file is a crashed writer's
# The arrays a cache holds and the dtypes each may have (native byte order: the key
# holds sys.byteorder, so a file from another architecture is never read).
DTYPES: dict[str, set[str]] = {
    "nextmove": {np.dtype(np.uint32).str},
    "row": {np.dtype(np.uint16).str, np.dtype(np.uint32).str},
    "out": {np.dtype(np.int32).str},
    "ptc": {np.dtype(np.float32).str},
    "pc": {np.dtype(np.float32).str},
}

log = logging.getLogger(__name__)


class _Invalid(Exception):
    """The cache file is not one this process may use."""


def cache_dir() -> Path:
    """$MONITOR_CACHE_DIR, else $XDG_CACHE_HOME/kashmir-monitor, else ~/.cache/kashmir-monitor."""
    explicit = os.environ.get("MONITOR_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "kashmir-monitor"


def cache_key(languages: Sequence[str]) -> dict[str, Any]:
    """What the cached arrays depend on; any change gives another file."""
    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()
    try:
        version = importlib.metadata.version("py3langid")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "format": FORMAT,
        "py3langid": version,
        "model": [str(model.resolve()), stat.st_size, stat.st_mtime_ns],
        "languages": list(languages),
        "byteorder": sys.byteorder,
    }


def cache_path(key: Mapping[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return cache_dir() / f"langid-{digest[:16]}.bin"


def load(languages: Sequence[str]) -> tuple[dict[str, np.ndarray], list[str]] | None:
    """(read-only arrays mapped from the cache file, the restricted classes), or None
    when there is no valid cache for `languages` (missing, foreign, truncated, corrupt)."""
    try:
        key = cache_key(languages)
        path = cache_path(key)
        return _read(path, key)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, _Invalid) as exc:
        log.debug("language model cache unusable, rebuilding: %r", exc)
        return None


def _read(path: Path, key: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], list[str]]:
    with open(path, "rb") as f:
        prefix = f.read(_PREFIX)
        if len(prefix) != _PREFIX or not prefix.startswith(MAGIC):
            raise _Invalid(f"{path}: not a language model cache")
        length = int.from_bytes(prefix[len(MAGIC):], "little")
        if length > _MAX_HEADER:
            raise _Invalid(f"{path}: header of {length} bytes")
        try:
            header = json.loads(f.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Invalid(f"{path}: unreadable header") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _Invalid(f"{path}: not format {FORMAT}")
        if header.get("key") != key:
            raise _Invalid(f"{path}: written for {header.get('key')!r}")
        start = _aligned(_PREFIX + length, _PAGE)
        size = os.fstat(f.fileno()).st_size
        if size != start + header["data_bytes"]:
            raise _Invalid(f"{path}: {size} bytes, not {start + header['data_bytes']}")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    arrays: dict[str, np.ndarray] = {}
    specs = header["arrays"]
    if set(specs) != set(DTYPES):
        raise _Invalid(f"{path}: arrays {sorted(specs)}")
    for name, spec in specs.items():
        dtype, shape, offset = np.dtype(spec["dtype"]), tuple(spec["shape"]), spec["offset"]
        if dtype.str not in DTYPES[name] or offset % _ALIGN:
            raise _Invalid(f"{path}: {name} as {dtype.str} at {offset}")
        count = int(np.prod(shape, dtype=np.int64))
        if offset < 0 or offset + count * dtype.itemsize > header["data_bytes"]:
            raise _Invalid(f"{path}: {name} past the end")
        arrays[name] = np.frombuffer(
            mapped, dtype=dtype, count=count, offset=start + offset
        ).reshape(shape)
    classes = header["classes"]
    _check_shapes(path, arrays, classes)
    return arrays, list(classes)


def _check_shapes(path: Path, arrays: Mapping[str, np.ndarray], classes: Any) -> None:
    """The arrays fit one another, so scoring cannot index past them (cheap: the two
    small per-state arrays are read, the 39 MB transition table is not)."""
    nextmove, row, out, ptc, pc = (arrays[n] for n in ("nextmove", "row", "out", "ptc", "pc"))
    if not (isinstance(classes, list) and classes and all(isinstance(c, str) for c in classes)):
        raise _Invalid(f"{path}: classes {classes!r}")
    fits = (
        nextmove.ndim == row.ndim == out.ndim == pc.ndim == 1 and ptc.ndim == 2
        and nextmove.size and nextmove.size % 256 == 0 and row.size and row.size == out.size
        and ptc.shape[1] == pc.size == len(classes)
        and int(row.max()) < nextmove.size // 256 and int(out.max()) < ptc.shape[0]
    )
    if not fits:
        raise _Invalid(f"{path}: array shapes do not fit")


def store(
    languages: Sequence[str], arrays: Mapping[str, np.ndarray], classes: Sequence[str]
) -> bool:
    """Write the cache for `languages` atomically; False (logged at debug) if it could not."""
    tmp: Path | None = None
    try:
        key = cache_key(languages)
        path = cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        _write(tmp, key, arrays, classes)
        os.replace(tmp, path)
        tmp = None
        log.debug("language model cached in %s", path)
        return True
    except (OSError, ValueError) as exc:
        log.debug("language model not cached: %s", exc)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def _write(
    tmp: Path, key: Mapping[str, Any], arrays: Mapping[str, np.ndarray],
    classes: Sequence[str],
) -> None:
    blocks = {name: np.ascontiguousarray(arrays[name]) for name in DTYPES}
    specs, offset = {}, 0
    for name, block in blocks.items():
        if block.dtype.str not in DTYPES[name]:
            raise ValueError(f"{name}: dtype {block.dtype.str}")
        specs[name] = {"dtype": block.dtype.str, "shape": list(block.shape), "offset": offset}
        offset = _aligned(offset + block.nbytes, _ALIGN)
    header = json.dumps({
        "format": FORMAT, "key": key, "classes": list(classes), "arrays": specs,
        "data_bytes": offset,
    }).encode()
    start = _aligned(_PREFIX + len(header), _PAGE)
    # O_EXCL on a name no other process uses; 0o644 before the umask, as any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(MAGIC + len(header).to_bytes(8, "little") + header)
        for name, block in blocks.items():
            f.seek(start + specs[name]["offset"])
            f.write(block)
        f.truncate(start + offset)  # the last array's padding, so the size check holds


def _sweep(folder: Path) -> None:
    """Remove temporary files writers killed mid-write left behind (53 MB each)."""
    now = time.time()
    for leftover in folder.glob("langid-*.tmp"):
        try:
            if now - leftover.stat().st_mtime > _STALE_TEMP:
                leftover.unlink()
        except OSError:
            pass


def _aligned(n: int, to: int) -> int:
    return -(-n // to) * to
