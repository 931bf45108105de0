"""The observation routes' rows for the access matrix (tests/test_access_matrix.py on main).

Merge note: that file lands beside this one; add `MATRIX.update(observation_rows(ROLES))` after
its MATRIX. Every observation row uses an observation with a photo, filed by the matrix's member.
"""
import io

from watch.extensions import db
from watch.observations.photos import clean_photo, stored_photo
from tests.observation_support import file_observation, photo_with_gps


def reported_with_photo(world):
    with stored_photo(clean_photo(io.BytesIO(photo_with_gps((400, 300))))) as name:
        return file_observation(db, world.people["member"], world.group, photo_path=name)


def observation_rows(roles) -> dict:
    def answer(status, chosen, others, **exceptions):
        return {role: status if role in chosen else others for role in roles} | {"anonymous": 302} | exceptions

    signed_in = answer(200, roles, 200)  # members file, others get the page explaining who can
    sees = ("member", "coordinator")  # not yet forwarded: police of the municipality see it only once it is
    detail = lambda suffix: lambda w: f"/observations/{reported_with_photo(w).id}{suffix}"  # noqa: E731
    return {
        ("observations.new", "GET"): (lambda w: "/observations/new", signed_in),
        ("observations.new", "POST"): (lambda w: "/observations/new", signed_in),
        ("observations.mine", "GET"): (lambda w: "/observations/mine", signed_in),
        ("observations.detail", "GET"): (detail(""), answer(200, sees, 404)),
        ("observations.photo", "GET"): (detail("/photo"), answer(200, sees, 404)),
        ("observations.change_status", "POST"): (detail("/status"),
                                                  answer(302, ["coordinator"], 403, coordinator_other=404)),
        ("observations.toggle_notable", "POST"): (detail("/notable"),
                                                  answer(302, ["coordinator"], 403, coordinator_other=404)),
        ("observations.inbox", "GET"): (lambda w: "/coordinator/observations",
                                        answer(200, ["coordinator", "coordinator_other"], 403)),
        ("observations.email_preference", "POST"): (lambda w: "/coordinator/observations/email",
                                                    answer(302, ["coordinator", "coordinator_other"], 403)),
        ("observations.police_inbox", "GET"): (lambda w: "/police/observations",
                                               answer(200, ["police", "police_other"], 403)),
    }
