"""Builds a licensed photo corpus for training the shipped x4 models, from Debian packages.

    python training/build_corpus.py --out ~/srgan-corpus      # needs apt-get; ~300 MB

Downloads four wallpaper packages with ``apt-get download`` into a scratch folder inside
``--out`` (nothing is installed), unpacks them with ``dpkg-deb -x``, keeps the photographs
listed below (drawings and renders are left out), halves each with an antialiased filter
(these are JPEGs: halving removes most compression artefacts) and writes::

    OUT/train/*.png    training photos (plus the package's bundled training photos)
    OUT/val/*.png      held-out photos (plus the bundled held-out photos)
    OUT/select/*.png   the selection set: the first 16 training photos by name (hard links), for
                       choosing among a run's checkpoints without looking at the held-out photos
    OUT/ATTRIBUTION    file, package, author, license — one line per photo

Authors and licenses are read from each package's own ``copyright`` file (DEP-5) or, for
Plasma, from each wallpaper's ``metadata.json``. The scratch folder is removed at the end.
Run ``apt-get update`` once first on a fresh machine.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

from srgan_tf.utils.atomic import atomic_path

LOMIRI = "usr/share/backgrounds"
MATE = "usr/share/backgrounds/mate"
PLASMA = "usr/share/wallpapers"

# (package, path inside it). Photographs only, checked by eye on a contact sheet.
PHOTOS = [
    *(
        ("lomiri-wallpapers-16.04", f"{LOMIRI}/{name}.jpg")
        for name in (
            "Bridge_by_Sander_Klootwijk",
            "Dragonfly_by_Bolly",
            "Picture_0B_by_freespace",
            "Picture_1A_by_freespace",
            "Wine_by_Jakkub_Mede",
            "aitzgorri_by_Aitzol_Berasategi",
            "analogpattern_by_Peter_Nerlich",
            "free_by_Peter_Nerlich",
            "friends_by_Aitzol_Berasategi",
            "greentock_by_Peter_Nerlich",
            "life_by_Aitzol_Berasategi",
            "picosdeeuropa_by_Aitzol_Berasategi",
            "seeding_by_Clements_Engelhardt",
            "sunset_by_Aitzol_Berasategi",
        )
    ),
    ("lomiri-wallpapers-20.04", f"{LOMIRI}/Kleiber_by_Lukas_Baubkus.jpg"),
    *(
        ("mate-backgrounds", f"{MATE}/nature/{name}.jpg")
        for name in (
            "Aqua",
            "Blinds",
            "Dune",
            "FreshFlower",
            "Garden",
            "GreenMeadow",
            "LadyBird",
            "RainDrops",
            "Storm",
            "TwoWings",
            "Wood",
            "YellowFlower",
        )
    ),
    *(
        ("plasma-workspace-wallpapers", f"{PLASMA}/{name}/contents/images/2560x1600.jpg")
        for name in (
            "BytheWater",
            "ColdRipple",
            "ColorfulCups",
            "DarkestHour",
            "EveningGlow",
            "FallenLeaf",
            "Grey",
            "Kite",
            "OneStandsOut",
            "Path",
            "summer_1am",
        )
    ),
]

# Held out: never seen in training. Strong colours (the demo's weak point), a face-free
# mix of textures, edges and smooth gradients.
VALIDATION = {"Picture_0B_by_freespace", "sunset_by_Aitzol_Berasategi", "LadyBird", "ColorfulCups", "Grey"}

BUNDLED = os.path.join(os.path.dirname(__file__), "..", "srgan_tf", "assets", "photos")


def photo_name(package, path):
    """A short unique file stem: the wallpaper's folder for Plasma, the file stem otherwise."""
    if package == "plasma-workspace-wallpapers":
        return path.split("/")[-4]
    return os.path.splitext(os.path.basename(path))[0]


def download(packages, scratch):
    """``apt-get download`` + ``dpkg-deb -x``; returns {package: unpacked root}."""
    roots = {}
    debs = os.path.join(scratch, "debs")
    os.makedirs(debs)
    subprocess.run(["apt-get", "download", *packages], cwd=debs, check=True, stdout=subprocess.DEVNULL)
    for deb in sorted(os.listdir(debs)):
        package = deb.split("_")[0]
        roots[package] = os.path.join(scratch, package)
        subprocess.run(["dpkg-deb", "-x", os.path.join(debs, deb), roots[package]], check=True)
    missing = set(packages) - set(roots)
    if missing:
        raise SystemExit(f"build_corpus: error: apt-get did not download {', '.join(sorted(missing))}")
    return roots


def dep5_paragraphs(path):
    """The (patterns, copyright, license) paragraphs of a DEP-5 ``copyright`` file."""
    paragraphs = []
    with open(path, encoding="utf-8") as f:
        for block in re.split(r"\n\s*\n", f.read()):
            fields, key = {}, None
            for line in block.splitlines():
                if line[:1] in (" ", "\t") and key:
                    fields[key] += "\n" + line.strip()
                elif ":" in line:
                    key, _, value = line.partition(":")
                    fields[key] = value.strip()
            if "Files" in fields and "License" in fields:
                patterns = fields["Files"].split()
                holder = fields.get("Copyright", "").splitlines()[0].strip()
                paragraphs.append((patterns, holder, fields["License"].splitlines()[0].strip()))
    return paragraphs


def attribution(root, package, path):
    """(author, license) of one photo, from the package's own metadata."""
    if package == "plasma-workspace-wallpapers":
        with open(os.path.join(root, os.path.dirname(os.path.dirname(os.path.dirname(path))), "metadata.json")) as f:
            plugin = json.load(f)["KPlugin"]
        return plugin["Authors"][0]["Name"], plugin["License"]
    copyright_file = os.path.join(root, "usr/share/doc", package, "copyright")
    found = None
    for patterns, holder, license_name in dep5_paragraphs(copyright_file):
        for pattern in patterns:
            if not pattern.startswith(("debian/", "po/")) and fnmatch.fnmatch(
                os.path.basename(path), os.path.basename(pattern)
            ):
                found = (holder, license_name)  # DEP-5: the last matching paragraph wins
    if found is None:
        raise SystemExit(f"build_corpus: error: no license for {path} in {copyright_file}")
    return found


def halve(source, target):
    """Antialiased 2x reduction (Pillow's LANCZOS widens its kernel when shrinking)."""
    with Image.open(source) as image:
        image = image.convert("RGB")
        small = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
    with atomic_path(target) as tmp:
        small.save(tmp, format="PNG", optimize=False, compress_level=6)
    return small.size


SELECTION_PHOTOS = 16


def write_selection(out, count=SELECTION_PHOTOS):
    """OUT/select: the first ``count`` training photos by name, hard-linked (copied where links
    are not possible). Training photos, not held-out ones: a run's validation on them may pick its
    release checkpoint while the held-out photos stay unseen until the release is scored."""
    select = os.path.join(out, "select")
    shutil.rmtree(select, ignore_errors=True)
    os.makedirs(select)
    names = sorted(f for f in os.listdir(os.path.join(out, "train")) if f.lower().endswith(".png"))[:count]
    for name in names:
        source, target = os.path.join(out, "train", name), os.path.join(select, name)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output folder (train/, val/, ATTRIBUTION)")
    parser.add_argument("--no-bundled", action="store_true", help="leave the package's bundled photos out")
    parser.add_argument("--select-only", action="store_true", help="only (re)write OUT/select from OUT/train")
    args = parser.parse_args(argv)
    out = os.path.abspath(args.out)
    if args.select_only:
        print(f"selection set: {out}/select ({len(write_selection(out))} training photos)")
        return 0
    for split in ("train", "val"):
        os.makedirs(os.path.join(out, split), exist_ok=True)
    lines = ["# file\tpackage\tauthor\tlicense\toriginal size -> stored size"]
    with tempfile.TemporaryDirectory(dir=out, prefix=".scratch-") as scratch:
        roots = download(sorted({package for package, _ in PHOTOS}), scratch)
        for i, (package, path) in enumerate(PHOTOS, 1):
            name = photo_name(package, path)
            split = "val" if name in VALIDATION else "train"
            source = os.path.join(roots[package], path)
            author, license_name = attribution(roots[package], package, path)
            with Image.open(source) as image:
                size = image.size
            target = os.path.join(out, split, f"{name}.png")
            stored = halve(source, target)
            lines.append(
                f"{split}/{name}.png\t{package}\t{author}\t{license_name}\t"
                f"{size[0]}x{size[1]} -> {stored[0]}x{stored[1]}"
            )
            print(f"[{i}/{len(PHOTOS)}] {split}/{name}.png  {size[0]}x{size[1]} -> {stored[0]}x{stored[1]}", flush=True)
    if not args.no_bundled:
        for split in ("train", "val"):
            folder = os.path.join(BUNDLED, split)
            for file in sorted(os.listdir(folder)):
                if file.lower().endswith((".png", ".jpg", ".jpeg")):
                    shutil.copyfile(os.path.join(folder, file), os.path.join(out, split, f"bundled_{file}"))
                    lines.append(
                        f"{split}/bundled_{file}\tsrgan_tf (bundled)\tsee srgan_tf/assets/photos/README.md\t-\t-"
                    )
    with open(os.path.join(out, "ATTRIBUTION"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    write_selection(out)
    counts = {split: len(os.listdir(os.path.join(out, split))) for split in ("train", "val", "select")}
    print(
        f"corpus: {out} ({counts['train']} training, {counts['val']} held-out photos; "
        f"{counts['select']} training photos in select/)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
