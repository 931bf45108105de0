"""Groups, observations and photos for the observation tests (unit and browser)."""
import io
import struct
import zlib
from datetime import timedelta

from PIL import ExifTags, Image

from watch.models import (
    Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus, Observation,
    ObservationCategory, utcnow,
)
from watch.observations import services


def make_group(db, municipality, *, name="Västra vägen", status=GroupStatus.APPROVED, members=(), contacts=(),
               area="Västra vägen och Tallvägen, villaområdet väster om centrum", postcodes=("61331",),
               kind=GroupKind.NEIGHBOURHOOD, membership_status=MembershipStatus.ACTIVE) -> Group:
    group = Group(municipality=municipality, kind=kind, status=status, name=name, area_description=area,
                  postcodes=[GroupPostcode(postcode=p) for p in postcodes])
    group.memberships = [
        *(Membership(user=u, role=MembershipRole.MEMBER, status=membership_status) for u in members),
        *(Membership(user=u, role=MembershipRole.CONTACT, status=membership_status) for u in contacts),
    ]
    db.session.add(group)
    db.session.commit()
    return group


def file_observation(db, reporter, group, **fields) -> Observation:
    values = dict(category=ObservationCategory.SUSPICIOUS_VEHICLE, observed_at=utcnow() - timedelta(hours=1),
                  location="Västra vägen 12", description="En vit skåpbil körde sakta förbi flera gånger.",
                  vehicle_registration="ABC 123")
    values.update(fields)
    observation = services.file_observation(reporter, group, **values)
    db.session.commit()
    return observation


def photo_with_gps(size=(3000, 2000), fmt="JPEG") -> bytes:
    """A phone-like photo whose EXIF says where it was taken: the thing that must never be stored."""
    image = Image.new("RGB", size, (40, 110, 160))
    for x in range(0, size[0], 200):
        image.paste((230, 200, 40), (x, 0, x + 100, size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Model] = "Model 12"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (58.0, 40.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (17.0, 6.0, 3.0),
    })
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def png_claiming(width: int, height: int) -> bytes:
    """A one-colour PNG whose header says width × height: a few hundred KB on disk, width × height × 4 bytes
    once decoded (7,740 × 7,740: 230 KB, 240 MB). Written chunk by chunk, so making it costs no such memory."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + width * 3)  # filter byte, then black RGB pixels
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
