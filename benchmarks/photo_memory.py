"""Peak memory of one web process while 30 people upload an 8 MB photo at the same moment.

    .venv/bin/python benchmarks/photo_memory.py                  # every scenario, 30 uploads each
    .venv/bin/python benchmarks/photo_memory.py --uploads 10 --scenarios phone

Each scenario runs in a fresh Python process: the app (testing configuration, SQLite and uploads in a
temporary folder, PHOTO_DECODE_SLOTS as configured, default 2), one logged-in client per upload, and
that many threads released together by a barrier, each posting a real observation with its photo
through the Flask test client (the multipart body is spooled to disk above 500 KB, as werkzeug does
for a real request). Memory is the process's peak resident set (VmHWM in /proc/self/status: every
allocation counts, Pillow's pixel buffers included, which tracemalloc does not see), before and
after. Scenarios:

- phone: 30 × an 8 MB JPEG of 24 megapixels (6000 × 4000) from a camera, the usual heavy case;
- worst: the most memory per photo the caps allow: 10 × that JPEG, 10 × a 25-megapixel RGBA PNG,
  10 × a 10-megapixel RGBA WebP;
- bombs: 30 × the issue's PNG that claims 7,740 × 7,740 pixels (175 KB), refused before decoding.

Prints a Markdown table for docs/benchmarks.md with the load average beside it.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "Benchmark-losen-2026"
LIMIT_MB = 1024
SCENARIOS = ("phone", "worst", "bombs")


def memory_kb() -> dict[str, int]:
    with open("/proc/self/status") as status:
        return {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}


# ---- the photos ------------------------------------------------------------------------------------

def make_photos(folder: Path) -> dict[str, Path]:
    from PIL import Image

    from tests.observation_support import png_claiming

    def camera_jpeg(size, target_bytes: int) -> bytes:
        # Fine detail, as a camera records it, tuned to just under the 8 MB limit.
        noise = [Image.effect_noise(size, 48) for _ in range(3)]
        scene = Image.merge("RGB", noise)
        scene = Image.blend(scene, Image.linear_gradient("L").resize(size).convert("RGB"), 0.35)
        for quality in (95, 92, 90, 88, 85, 80, 75, 70, 60):
            out = io.BytesIO()
            scene.save(out, "JPEG", quality=quality)
            if out.tell() <= target_bytes:
                return out.getvalue()
        raise RuntimeError("could not make a camera-like JPEG under the size limit")

    def rgba(size) -> Image.Image:
        gradient = Image.radial_gradient("L").resize(size)
        return Image.merge("RGBA", [gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                    Image.linear_gradient("L").resize(size), gradient.point(lambda v: 255 - v // 2)])

    files = {"jpeg": folder / "IMG_0001.jpg", "png": folder / "karta.png", "webp": folder / "bild.webp",
             "bomb": folder / "bomb.png"}
    files["jpeg"].write_bytes(camera_jpeg((6000, 4000), 8 * 1024 * 1024 - 4096))
    rgba((5000, 5000)).save(files["png"], "PNG", compress_level=6)
    rgba((3650, 2730)).save(files["webp"], "WEBP", quality=80)
    files["bomb"].write_bytes(png_claiming(7740, 7740))
    return files


def plan(scenario: str, uploads: int) -> list[str]:
    if scenario == "phone":
        return ["jpeg"] * uploads
    if scenario == "bombs":
        return ["bomb"] * uploads
    kinds = ["jpeg", "png", "webp"]
    return [kinds[n * len(kinds) // uploads] for n in range(uploads)]


# ---- one scenario, in a process of its own -----------------------------------------------------------

def run_scenario(scenario: str, uploads: int, files: dict[str, str], slots: int | None) -> dict:
    from datetime import timedelta

    from watch import create_app
    from watch.auth.services import create_user
    from watch.admin.services import create_municipality
    from watch.core.weeks import local_zone
    from watch.extensions import db
    from watch.models import (
        Base, Group, GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus, Observation, utcnow,
    )

    with tempfile.TemporaryDirectory() as folder:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "UPLOAD_FOLDER": folder}
        if slots:
            config["PHOTO_DECODE_SLOTS"] = slots
        app = create_app(config)
        with app.app_context():
            Base.metadata.create_all(db.engine)
            municipality = create_municipality("Oxelösund", "0481")
            group = Group(municipality=municipality, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED,
                          name="Västra vägen", area_description="")
            people = [create_user(name=f"Boende {n}", email=f"boende{n}@bench.test", password=PASSWORD,
                                  municipality=municipality) for n in range(uploads)]
            group.memberships = [Membership(user=p, role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE)
                                 for p in people]
            db.session.add(group)
            db.session.commit()
            group_id, emails = group.id, [p.email for p in people]
            when = (utcnow() - timedelta(minutes=30)).astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")

        clients = []
        for email in emails:
            client = app.test_client()
            assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
            clients.append(client)

        def form(path: str, name: str) -> dict:
            return {"group": str(group_id), "category": "suspicious_vehicle", "observed_at": when,
                    "location": "Västra vägen 12", "description": "En vit skåpbil körde sakta förbi.",
                    "latitude": "", "longitude": "", "photo": (open(path, "rb"), name)}

        # Warm up the codecs and the app's code paths with a small photo, so their memory is in the baseline.
        from PIL import Image
        small = io.BytesIO()
        Image.new("RGB", (640, 480), (40, 110, 160)).save(small, "JPEG")
        data = {**form(files["jpeg"], "x.jpg"), "photo": (io.BytesIO(small.getvalue()), "liten.jpg")}
        warm_up = clients[0].post("/observations/new", data=data, content_type="multipart/form-data")
        assert warm_up.status_code == 302, warm_up.get_data(as_text=True)

        baseline = memory_kb()
        kinds = plan(scenario, uploads)
        barrier = threading.Barrier(uploads)
        statuses: list[int | None] = [None] * uploads
        sampled = {"peak": baseline["VmRSS"]}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                sampled["peak"] = max(sampled["peak"], memory_kb()["VmRSS"])
                time.sleep(0.01)

        def upload(n: int) -> None:
            data = form(files[kinds[n]], Path(files[kinds[n]]).name)
            barrier.wait()
            response = clients[n].post("/observations/new", data=data, content_type="multipart/form-data")
            statuses[n] = response.status_code

        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=upload, args=(n,)) for n in range(uploads)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - start
        done.set()
        sampler.join()
        with app.app_context():
            stored = db.session.scalar(db.select(db.func.count(Observation.id))) - 1  # less the warm-up
        after = memory_kb()
        return {
            "scenario": scenario, "uploads": uploads, "kinds": {k: kinds.count(k) for k in sorted(set(kinds))},
            "slots": app.config.get("PHOTO_DECODE_SLOTS", "none"), "baseline_mb": baseline["VmHWM"] / 1024,
            "peak_mb": after["VmHWM"] / 1024, "sampled_peak_mb": sampled["peak"] / 1024, "seconds": seconds,
            "accepted": statuses.count(302), "refused": statuses.count(200), "other": uploads - statuses.count(302)
            - statuses.count(200), "stored": stored,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=30)
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--slots", type=int, help="PHOTO_DECODE_SLOTS (default: the configuration's)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        scenario, files = json.loads(args.child)
        print(json.dumps(run_scenario(scenario, args.uploads, files, args.slots)))
        return

    with tempfile.TemporaryDirectory() as folder:
        files = {kind: str(path) for kind, path in make_photos(Path(folder)).items()}
        sizes = {kind: os.path.getsize(path) / 1024 / 1024 for kind, path in files.items()}
        print("photos: " + ", ".join(f"{kind} {size:.2f} MB" for kind, size in sizes.items()), file=sys.stderr)
        results = []
        for scenario in args.scenarios:
            command = [sys.executable, __file__, "--uploads", str(args.uploads), "--child",
                       json.dumps([scenario, files])]
            if args.slots:
                command += ["--slots", str(args.slots)]
            load_before = os.getloadavg()[0]
            child = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            if child.returncode:
                sys.exit(f"scenario {scenario} failed:\n{child.stderr}")
            output = child.stdout
            result = json.loads(output.strip().splitlines()[-1])
            result["load"] = (load_before, os.getloadavg()[0])
            results.append(result)
            print(json.dumps(result), file=sys.stderr)

    print(f"\n{args.uploads} uploads at once, one process; load average (1 min) before / after each scenario\n")
    print("| scenario | photos | decode slots | baseline MB | peak MB | within 1 GB | accepted / refused | seconds "
          "| load avg |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- | ---: | --- |")
    for r in results:
        photos = ", ".join(f"{count} {kind}" for kind, count in r["kinds"].items())
        print(f"| {r['scenario']} | {photos} | {r['slots']} | {r['baseline_mb']:.0f} | {r['peak_mb']:.0f} | "
              f"{'yes' if r['peak_mb'] < LIMIT_MB else '**no**'} | {r['accepted']} / {r['refused']}"
              f"{' (+' + str(r['other']) + ' other)' if r['other'] else ''} | {r['seconds']:.1f} | "
              f"{r['load'][0]:.2f} / {r['load'][1]:.2f} |")


if __name__ == "__main__":
    main()
