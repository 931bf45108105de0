"""Photos attached to observations: checked by content, re-encoded without metadata, stored outside static/.

A phone photo carries EXIF with the GPS position of whoever took it, often their home; re-encoding
the pixels into a fresh JPEG drops every piece of metadata, not just the tags we know about.
"""
import io
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from watch.core.errors import ExplainedError
from watch.core.transaction import after_commit, after_rollback

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2000
# Decoded size limit: a small file can claim gigapixels (a decompression bomb).
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
STORED_NAME = re.compile(r"[0-9a-f]{32}\.jpg")


class PhotoError(ExplainedError):
    """Not a photo the portal can take."""


def clean_photo(stream) -> bytes:
    """The uploaded image re-encoded as a metadata-free JPEG, longest side at most MAX_SIDE px."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError(_l("The photo is larger than 8 MB. Choose a smaller one."))
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(_l("The photo has too many pixels. Choose a smaller one."))
            probe.verify()
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)  # turn it as the camera meant before the EXIF goes
            upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            pixels = _on_white(upright)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise PhotoError(_l("This file is not a photo we can read. Choose a JPEG, PNG or WebP image.")) from None
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparent parts become white rather than black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def photo_folder() -> str:
    base = current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    return os.path.join(base, "observations")


def photo_file(name: str) -> str:
    """The path of a stored photo; names are ours alone, so anything else is refused."""
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored photo name: {name!r}")
    return os.path.join(photo_folder(), name)


@contextmanager
def stored_photo(jpeg: bytes | None) -> Iterator[str | None]:
    """Write the photo and give its name; if the caller or its transaction then fails, remove it again."""
    if jpeg is None:
        yield None
        return
    name = secrets.token_hex(16) + ".jpg"
    path = photo_file(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    with open(partial, "wb") as f:
        f.write(jpeg)
    os.replace(partial, path)
    try:
        yield name
    except BaseException:
        delete_photo(name)
        raise
    after_rollback(delete_photo, name)


def delete_photo(name: str) -> None:
    try:
        os.remove(photo_file(name))
    except FileNotFoundError:
        pass


def delete_after_commit(names: Iterable[str | None]) -> None:
    """Remove these files once the transaction that unlinked them from their rows commits; keep them on rollback."""
    for name in filter(None, names):
        after_commit(delete_photo, name)
