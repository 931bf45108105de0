"""Photos attached to observations: checked by content, re-encoded without metadata, then kept by watch.core.photo_store.

A phone photo carries EXIF with the GPS position of whoever took it, often their home; re-encoding
the pixels into a fresh JPEG drops every piece of metadata, not just the tags we know about.

Decoding is what costs memory, not the upload: a 233 KB PNG can claim 60 megapixels, 240 MB once
decoded. So the size in the header is checked before anything is decoded; a JPEG is decoded at 1/2,
1/4 or 1/8 scale when that is still larger than what is stored (`draft`); other images are shrunk in
strips of rows, never copied whole; and at most PHOTO_DECODE_SLOTS photos are decoded at once on one
machine, whatever the number of gunicorn workers and threads. benchmarks/photo_memory.py measures it.
"""
import fcntl
import io
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from watch.core.errors import ExplainedError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2000
# Decoded size limits: a small file can claim gigapixels (a decompression bomb). Pillow decodes WebP
# through a canvas of its own and copies it twice (about 16 bytes a pixel), so WebP gets a lower limit.
MAX_PIXELS = 25_000_000
MAX_PIXELS_BY_FORMAT = {"WEBP": 10_000_000}
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
STRIP_ROWS = 256  # rows converted and shrunk at a time
SLOT_WAIT_SECONDS = 25  # then the person is asked to try again; gunicorn's timeout is 30
# Text chunks of a PNG are decompressed when it is opened; Pillow allows 64 MB of them. A photo needs none.
PngImagePlugin.MAX_TEXT_MEMORY = 1024 * 1024


class PhotoError(ExplainedError):
    """Not a photo the portal can take."""


def clean_photo(stream) -> bytes:
    """The uploaded image re-encoded as a metadata-free JPEG, longest side at most MAX_SIDE px."""
    source = _bounded(stream)
    try:
        with Image.open(source, formats=ACCEPTED_FORMATS) as probe:
            limit = MAX_PIXELS_BY_FORMAT.get(probe.format, MAX_PIXELS)
            if probe.width * probe.height > limit:
                raise PhotoError(_l("The photo has too many pixels: at most %(max)d megapixels. Choose a smaller "
                                    "one.", max=limit // 1_000_000))
            probe.verify()
        source.seek(0)
        with decoding_slot(), Image.open(source, formats=ACCEPTED_FORMATS) as image:
            pixels = _decode_small(image)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise PhotoError(_l("This file is not a photo we can read. Choose a JPEG, PNG or WebP image.")) from None
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _bounded(stream):
    """The upload as a seekable file of at most MAX_BYTES, without reading it into memory when it is on disk."""
    try:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
    except (AttributeError, OSError, io.UnsupportedOperation):
        data = stream.read(MAX_BYTES + 1)
        size, stream = len(data), io.BytesIO(data)
    if size > MAX_BYTES:
        raise PhotoError(_l("The photo is larger than 8 MB. Choose a smaller one."))
    return stream


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, MAX_SIDE / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _decode_small(image: Image.Image) -> Image.Image:
    """RGB pixels, upright, longest side at most MAX_SIDE, decoded with as little memory as the format allows."""
    target = _fit(image.size)
    if image.format == "JPEG":
        image.draft("RGB", target)  # the decoder scales down by 2, 4 or 8 while staying at least `target`
    image.load()
    factor = max(1, min(image.width // target[0], image.height // target[1]))
    small = _shrink(image, factor)
    small.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # in place; a square bound, so before turning
    return _on_white(ImageOps.exif_transpose(small))  # turned as the camera meant, before the EXIF goes


def _shrink(image: Image.Image, factor: int) -> Image.Image:
    """Box-reduce by `factor` (1: none) into RGB or RGBA, a strip of rows at a time.

    Converting or reducing a whole image copies it (RGBA is reduced through a premultiplied copy):
    in strips the extra memory is a few rows, not another full image.
    """
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if transparent else "RGB"
    if factor == 1 and image.mode == mode:
        return image
    width, height = image.size
    out = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, STRIP_ROWS // factor)
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows))).convert(mode)
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    out.info = dict(image.info)  # the EXIF orientation, for exif_transpose
    return out


def _on_white(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparent parts become white rather than black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


@contextmanager
def decoding_slot() -> Iterator[None]:
    """One of PHOTO_DECODE_SLOTS places to decode a photo in, shared by every process of this instance.

    A slot is an exclusive flock on a file in the instance folder: the kernel frees it if a worker dies.
    """
    folder = os.path.join(current_app.instance_path, "photo-decoding")
    os.makedirs(folder, exist_ok=True)
    slots = max(1, int(current_app.config.get("PHOTO_DECODE_SLOTS", 2)))
    deadline = time.monotonic() + SLOT_WAIT_SECONDS
    while True:
        for n in range(slots):
            handle = open(os.path.join(folder, f"slot-{n}"), "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() > deadline:
            raise PhotoError(_l("Many photos are being sent right now. Try again in a minute."))
        time.sleep(0.05)
