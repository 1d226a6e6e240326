"""Reading and writing a record: a folder, a zip archive or a tar archive (plain or gzipped).

Archives are deterministic: entries sorted by name, every timestamp fixed (1980-01-01 in zip, the epoch in tar and
gzip), owner and permissions fixed, so the same record gives the same archive bytes on every machine.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from pbvote.errors import RecordError

__all__ = ["archive_bytes", "files_from_archive", "read_record", "write_folder"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def archive_bytes(files: Mapping[str, bytes], kind: str = "zip") -> bytes:
    """The record as one archive: `zip`, `tar` or `tar.gz`.

    Raises:
        ValueError: for another kind.
    """
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        return buffer.getvalue()
    if kind == "tar":
        return _tar(files)
    if kind == "tar.gz":
        return gzip.compress(_tar(files), mtime=0)
    raise ValueError(f"unknown archive kind {kind!r}; use zip, tar or tar.gz")


def _tar(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), 0, 0o644
            archive.addfile(info, io.BytesIO(files[name]))
    return buffer.getvalue()


def files_from_archive(data: bytes, source: str = "the archive") -> dict[str, bytes]:
    """The files of a zip or tar archive (plain or gzipped), by name.

    Raises:
        RecordError: when the data is no such archive or holds anything but plain files at its top level.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise RecordError(f"{source}: not a readable gzip file ({exc})") from exc
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return _checked({i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}, source)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            members = archive.getmembers()
            if not all(m.isfile() for m in members):
                raise RecordError(f"{source}: holds something other than plain files")
            return _checked({m.name: _member(archive, m) for m in members}, source)
    except (tarfile.TarError, zipfile.BadZipFile) as exc:
        raise RecordError(f"{source}: neither a zip nor a tar archive ({exc})") from exc


def _member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    assert handle is not None  # noqa: S101 -- isfile() members always have content
    return handle.read()


def _checked(files: dict[str, bytes], source: str) -> dict[str, bytes]:
    nested = sorted(name for name in files if "/" in name or name.startswith("."))
    if nested:
        raise RecordError(f"{source}: files must sit at the top level, not {nested[0]!r}")
    return files


def read_record(path: str | Path) -> dict[str, bytes]:
    """The files of a record folder or archive, by name.

    Raises:
        RecordError: when the path does not exist or cannot be read.
    """
    where = Path(path)
    try:
        if where.is_dir():
            inside = sorted(where.iterdir())
            nested = [p.name for p in inside if not p.is_file()]
            if nested:
                raise RecordError(f"{where}: the record folder holds a folder {nested[0]!r}")
            return {p.name: p.read_bytes() for p in inside}
        return files_from_archive(where.read_bytes(), str(where))
    except OSError as exc:
        raise RecordError(f"{where}: {exc.strerror or exc}") from exc


def write_folder(files: Mapping[str, bytes], path: str | Path) -> Path:
    """Write the record's files into a folder (created if missing); returns the folder."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        (folder / name).write_bytes(data)
    return folder
