"""Build ``build/lambda.zip``: the handler, the service package, the storage adapters and the
pure-Python runtime dependencies (vaderSentiment). boto3 comes with the Lambda runtime.

Reproducible: files in sorted order, fixed timestamps and permissions, fixed compression
level, no ``__pycache__`` -- the same sources give the same bytes.

    python -m sfasync.packaging --out build/lambda.zip
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Pure-Python distributions vendored into the zip, pinned like pyproject.toml.
VENDORED = {"vaderSentiment": "3.3.2"}
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
NATIVE_SUFFIXES = {".so", ".pyd", ".dylib", ".dll"}


class PackagingError(RuntimeError):
    pass


def _walk(base: Path, top: Path) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) for every file under ``top``, relative to ``base``."""
    if top.is_file():
        yield top.relative_to(base).as_posix(), top
        return
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath, name)
            if path.suffix in SKIP_SUFFIXES:
                continue
            yield path.relative_to(base).as_posix(), path


def _vendored() -> Iterator[tuple[str, Path]]:
    for dist_name, version in VENDORED.items():
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise PackagingError(f"{dist_name} is not installed; run `make install`") from exc
        if dist.version != version:
            raise PackagingError(f"{dist_name} {dist.version} is installed, the zip pins {version}")
        for entry in dist.files or []:
            path = Path(str(dist.locate_file(entry)))
            name = entry.as_posix()
            if ".dist-info/" in name and not name.endswith(("METADATA", "LICENSE", "LICENSE.txt")):
                continue
            if name.startswith("..") or path.suffix in SKIP_SUFFIXES or "__pycache__" in name:
                continue
            if path.is_file():
                yield name, path


def files() -> list[tuple[str, Path]]:
    entries = [
        *_walk(ROOT / "lambda", ROOT / "lambda" / "handler.py"),
        *_walk(ROOT / "lambda", ROOT / "lambda" / "sfasync_service"),
        *_walk(ROOT, ROOT / "storage_backends"),
        *_vendored(),
    ]
    native = [name for name, path in entries if path.suffix in NATIVE_SUFFIXES]
    if native:
        raise PackagingError(f"the zip must be pure Python; native files found: {native}")
    return sorted(entries)


def build(out: Path) -> str:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, path in files():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda.zip")
    args = parser.parse_args(argv)
    try:
        digest = build(args.out)
    except PackagingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}  {args.out.stat().st_size} bytes  sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
