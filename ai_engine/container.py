"""Just enough container parsing to answer what OpenCV cannot: does the file carry audio, how many
video samples does it hold, and are they evenly spaced (VFR)?

OpenCV's FFmpeg backend in the pinned wheel decodes video only (its audio properties refuse to
open), and we may not ship ffprobe. ISO-BMFF (mp4/mov/m4a/3gp) and Matroska (mkv/webm) cover the
footage artists drop in; for anything else the answers are ``None`` (unknown) and callers fall back
to decoding.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
_MAX_BOX_READ = 64 * 1024 * 1024  # sample tables larger than this are not read (10 h of video)


@dataclass
class Track:
    kind: str  # "video", "audio", "other"
    sample_count: int | None = None
    timescale: int | None = None
    sample_deltas: list[tuple[int, int]] = field(default_factory=list)  # (count, delta) runs

    @property
    def variable_rate(self) -> bool | None:
        """True when the samples are not evenly spaced (the last sample's delta is ignored)."""
        if not self.sample_deltas:
            return None
        runs = list(self.sample_deltas)
        count, delta = runs[-1]
        if count == 1 and len(runs) > 1:
            runs.pop()  # muxers often give the last sample a short delta
        elif count > 1:
            runs[-1] = (count - 1, delta)
        deltas = {d for c, d in runs if c > 0}
        if len(deltas) <= 1:
            return False
        # Timestamps rounded to a coarse timescale (e.g. milliseconds) jitter by one tick.
        return max(deltas) - min(deltas) > 1


@dataclass
class ContainerInfo:
    format: str  # "mp4", "matroska", "unknown"
    tracks: list[Track] = field(default_factory=list)

    @property
    def has_audio(self) -> bool | None:
        if self.format == "unknown":
            return None
        return any(t.kind == "audio" for t in self.tracks)

    @property
    def has_video(self) -> bool | None:
        if self.format == "unknown":
            return None
        return any(t.kind == "video" for t in self.tracks)

    @property
    def video(self) -> Track | None:
        return next((t for t in self.tracks if t.kind == "video"), None)


def read_container(path: str | os.PathLike[str]) -> ContainerInfo:
    """Parse the container headers of ``path``; never raises on malformed data (returns what it found)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            f.seek(0)
            size = os.fstat(f.fileno()).st_size
            if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
                info = ContainerInfo("mp4")
                try:
                    _walk_mp4(f, 0, size, info, None)
                except (struct.error, ValueError, OSError):
                    pass
                return info
            if head[:4] == b"\x1a\x45\xdf\xa3":
                info = ContainerInfo("matroska")
                try:
                    _walk_mkv(f, size, info)
                except (struct.error, ValueError, OSError):
                    pass
                return info
    except OSError:
        pass
    return ContainerInfo("unknown")


# --------------------------------------------------------------------------------------- ISO BMFF


def _walk_mp4(f: BinaryIO, start: int, end: int, info: ContainerInfo, track: Track | None) -> None:
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            return
        box_size, box_type = struct.unpack(">I4s", header)
        header_len = 8
        if box_size == 1:
            box_size = struct.unpack(">Q", f.read(8))[0]
            header_len = 16
        elif box_size == 0:
            box_size = end - pos
        if box_size < header_len:
            return
        body_start, body_end = pos + header_len, min(pos + box_size, end)
        if box_type == b"trak":
            new_track = Track("other")
            info.tracks.append(new_track)
            _walk_mp4(f, body_start, body_end, info, new_track)
        elif box_type in _MP4_CONTAINERS:
            _walk_mp4(f, body_start, body_end, info, track)
        elif track is not None and body_end - body_start <= _MAX_BOX_READ:
            _read_mp4_leaf(f, box_type, body_start, body_end, track)
        pos += box_size


def _read_mp4_leaf(f: BinaryIO, box_type: bytes, start: int, end: int, track: Track) -> None:
    if box_type not in (b"hdlr", b"mdhd", b"stsz", b"stz2", b"stts"):
        return
    f.seek(start)
    body = f.read(end - start)
    if box_type == b"hdlr" and len(body) >= 12:
        handler = body[8:12]
        track.kind = {b"vide": "video", b"soun": "audio"}.get(handler, "other")
    elif box_type == b"mdhd" and len(body) >= 24:
        version = body[0]
        track.timescale = struct.unpack(">I", body[20:24] if version == 1 else body[12:16])[0]
    elif box_type in (b"stsz", b"stz2") and len(body) >= 12:
        track.sample_count = struct.unpack(">I", body[8:12])[0]
    elif box_type == b"stts" and len(body) >= 8:
        entries = struct.unpack(">I", body[4:8])[0]
        entries = min(entries, (len(body) - 8) // 8)
        track.sample_deltas = [struct.unpack(">II", body[8 + 8 * i : 16 + 8 * i]) for i in range(entries)]


# --------------------------------------------------------------------------------------- Matroska

_EBML_SEGMENT = 0x18538067
_EBML_TRACKS = 0x1654AE6B
_EBML_TRACK_ENTRY = 0xAE
_EBML_TRACK_TYPE = 0x83
_EBML_CLUSTER = 0x1F43B675
_MKV_KINDS = {1: "video", 2: "audio"}


def _read_vint(f: BinaryIO, keep_marker: bool) -> tuple[int, int]:
    first = f.read(1)
    if not first:
        raise ValueError("end of file")
    b0 = first[0]
    length = 1
    mask = 0x80
    while length <= 8 and not b0 & mask:
        mask >>= 1
        length += 1
    if length > 8:
        raise ValueError("bad EBML varint")
    value = b0 if keep_marker else b0 & (mask - 1)
    for byte in f.read(length - 1):
        value = (value << 8) | byte
    return value, length


def _walk_mkv(f: BinaryIO, file_size: int, info: ContainerInfo) -> None:
    def children(start: int, end: int):  # type: ignore[no-untyped-def]
        pos = start
        while pos < end:
            f.seek(pos)
            element_id, id_len = _read_vint(f, keep_marker=True)
            size, size_len = _read_vint(f, keep_marker=False)
            body = pos + id_len + size_len
            if size == (1 << (7 * size_len)) - 1:  # unknown size: runs to the parent's end
                size = end - body
            yield element_id, body, min(body + size, end)
            pos = body + size

    for element_id, body, end in children(0, file_size):
        if element_id != _EBML_SEGMENT:
            continue
        for child_id, child_body, child_end in children(body, end):
            if child_id == _EBML_CLUSTER:
                return  # track headers come before the clusters
            if child_id != _EBML_TRACKS:
                continue
            for entry_id, entry_body, entry_end in children(child_body, child_end):
                if entry_id != _EBML_TRACK_ENTRY:
                    continue
                kind = "other"
                for field_id, field_body, field_end in children(entry_body, entry_end):
                    if field_id == _EBML_TRACK_TYPE:
                        f.seek(field_body)
                        value = int.from_bytes(f.read(field_end - field_body), "big")
                        kind = _MKV_KINDS.get(value, "other")
                info.tracks.append(Track(kind))
        return
