"""A small image cannot take hundreds of megabytes: pixel caps checked before decoding, JPEGs decoded
at reduced scale, other images shrunk in strips, few decodes at once (issue 15, item 6).
benchmarks/photo_memory.py measures the memory of 30 uploads at once."""
import io
import threading
from types import SimpleNamespace

import pytest
from PIL import ExifTags, Image, ImageChops, ImageFile, ImageStat, JpegImagePlugin

from tests.observation_support import has_gps, photo_with_gps, png_claiming
from tests.test_observations import form_data, observation_count, stored_photos, world  # noqa: F401 (fixture)
from watch.observations import photos
from watch.core.photo_store import photo_file
from watch.observations.photos import PhotoError, clean_photo, decoding_slot

TOO_MANY = "Fotot har för många pixlar: högst {max} megapixlar. Välj ett mindre."


def upload(client, group, data: bytes, name: str):
    return client.post("/observations/new", data=form_data(group, photo=(io.BytesIO(data), name)),
                       content_type="multipart/form-data")


@pytest.mark.parametrize("size", [(7740, 7740), (5001, 5000)])
def test_a_png_claiming_too_many_pixels_is_refused_before_it_is_decoded(world, login, db, monkeypatch, size):
    bomb = png_claiming(*size)
    assert len(bomb) < 250_000  # the 233 KB file: 240 MB decoded, and it passed the old 60 MP cap

    def no_decoding(self):
        raise AssertionError("decoded a photo that is too large")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    before = stored_photos()
    response = upload(login(world.reporter), world.group, bomb, "karta.png")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="photo-error"' in page
    assert TOO_MANY.format(max=25) in page
    assert observation_count(db) == 0 and stored_photos() == before


def test_a_webp_has_a_lower_cap_because_pillow_decodes_it_through_extra_copies(world, login, db):
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (40, 110, 160)).save(out, "WEBP", quality=50)
    page = upload(login(world.reporter), world.group, out.getvalue(), "skärmbild.webp").get_data(as_text=True)
    assert TOO_MANY.format(max=10) in page and observation_count(db) == 0


def test_a_phone_photo_still_passes_upright_and_without_its_position(world, login, db):
    image = Image.open(io.BytesIO(photo_with_gps((4032, 3024))))
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6  # held upright: the camera stored it turned
    phone = io.BytesIO()
    image.save(phone, "JPEG", quality=92, exif=exif)
    before = set(stored_photos())
    response = upload(login(world.reporter), world.group, phone.getvalue(), "IMG_2041.jpg")
    assert response.status_code == 302
    [name] = set(stored_photos()) - before
    with Image.open(photo_file(name)) as stored:
        assert stored.size == (1500, 2000) and stored.format == "JPEG"
    assert not has_gps(open(photo_file(name), "rb").read())


def test_a_large_jpeg_is_decoded_at_reduced_scale(app, monkeypatch):
    decoded = []
    load = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    with app.test_request_context():
        jpeg = clean_photo(io.BytesIO(photo_with_gps((6000, 4000))))  # 24 MP, under the cap
    assert Image.open(io.BytesIO(jpeg)).size == (2000, 1333)
    assert decoded and max(decoded) <= (3000, 2000)  # half scale: 1/4 of the pixels of a full decode


@pytest.mark.parametrize(("mode", "size"), [("RGBA", (4500, 3000)), ("P", (4400, 2200)), ("L", (2100, 2100))])
def test_other_images_are_shrunk_to_the_same_result_in_strips(app, mode, size):
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    out = io.BytesIO()
    image.save(out, "PNG")
    with app.test_request_context():
        jpeg = Image.open(io.BytesIO(clean_photo(io.BytesIO(out.getvalue()))))
    assert max(jpeg.size) == 2000 and jpeg.mode == "RGB"
    expected = image.convert("RGBA" if mode == "RGBA" else "RGB")
    expected.thumbnail((2000, 2000), Image.Resampling.LANCZOS)
    if mode == "RGBA":
        white = Image.new("RGB", expected.size, (255, 255, 255))
        white.paste(expected, mask=expected.getchannel("A"))
        expected = white
    assert jpeg.size == expected.size
    # Same picture: no strip seams or shifts (JPEG noise aside).
    difference = ImageChops.difference(jpeg.convert("L"), expected.convert("L"))
    assert ImageStat.Stat(difference).mean[0] < 3


def test_no_more_photos_are_decoded_at_once_than_there_are_slots(app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_DECODE_SLOTS", 1)
    monkeypatch.setattr(photos, "SLOT_WAIT_SECONDS", 0.3)
    holding, release = threading.Event(), threading.Event()
    state = SimpleNamespace(error=None)

    def decode_slowly():
        with app.app_context(), decoding_slot():
            holding.set()
            release.wait(5)

    first = threading.Thread(target=decode_slowly)
    first.start()
    try:
        assert holding.wait(5)
        with app.test_request_context():
            with pytest.raises(PhotoError) as refused:
                clean_photo(io.BytesIO(photo_with_gps((400, 300))))
            state.error = str(refused.value.message)
    finally:
        release.set()
        first.join()
    assert state.error == "Många foton skickas just nu. Försök igen om en minut."
    with app.test_request_context():
        assert clean_photo(io.BytesIO(photo_with_gps((400, 300))))  # the slot is free again


def test_freed_photo_memory_goes_back_to_the_system_on_glibc():
    # Without it a process kept over a gigabyte after a burst of uploads (docs/benchmarks.md, photo uploads).
    from watch.core.memory import return_large_blocks_to_the_system
    assert return_large_blocks_to_the_system()
