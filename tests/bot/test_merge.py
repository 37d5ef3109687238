"""One shop, one point: `bot.importers.merge` on hand-made records."""

from __future__ import annotations

import datetime

import pytest

from bot.importers.merge import (
    MergeLog,
    Record,
    address_key,
    default_chains,
    group_properties,
    infer_grocery,
    merge_records,
    place_words,
)
from bot.registry import Carrier

D2021 = datetime.date(2021, 4, 28)
D2023 = datetime.date(2023, 2, 16)
D2025 = datetime.date(2025, 11, 12)
LAT, LON = 56.26, 14.77
METRE_LAT = 1 / 111_195  # one metre north, in degrees


def rec(
    ref: str,
    name: str,
    *,
    north_m: float = 0.0,
    address: str | None = None,
    categories: tuple[str, ...] = ("paketombud",),
    kind: str = "shop",
    origin: str = "carriers",
    date: datetime.date = D2021,
    carriers: tuple[str, ...] = ("postnord",),
    rank: int = 50,
    locality: str = "Testby",
) -> Record:
    r = Record(
        ref=ref,
        origin=origin,
        kind=kind,
        name=name,
        categories=list(categories),
        lat=LAT + north_m * METRE_LAT,
        lon=LON,
        source=f"källa {origin}",
        source_date=date,
        locality=locality,
        municipality="Testby",
        address=address,
        carriers=[
            Carrier(c, "paketskåp" if kind == "locker" else "ombud") for c in carriers
        ],
        rank=rank,
        id_hint=f"id-{ref}",
        places=place_words(locality, "Testby"),
    )
    return r


def groups_of(records: list[Record]) -> tuple[list[list[str]], MergeLog]:
    log = MergeLog()
    groups = merge_records(records, log)
    return sorted(sorted(r.ref for r in g) for g in groups), log


def test_same_shop_in_three_spellings_is_one_point() -> None:
    groups, log = groups_of(
        [
            rec("a", "ICA Nära Testbyn", address="Testvägen 1"),
            rec(
                "b",
                "ICA NÄRA TESTBYN - TESTBY",
                north_m=20,
                address="TESTVÄGEN 1",
                carriers=("dhl",),
            ),
            rec(
                "c",
                "Ica nära Testbyn",
                north_m=40,
                address="Testväg 1",
                carriers=("bring",),
            ),
        ]
    )
    assert groups == [["a", "b", "c"]]
    assert len(log.merged) == 2
    assert all("samma kedja (ICA)" in m for m in log.merged)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Handlar´n Testby", "Handlarn Testby"),
        ("Ginos Livs AB / Handlar´n", "Handlar'n i Testby"),
        ("OK/Q8 Testby", "OKQ8 Testby"),
        ("Maxi ICA Stormarknad Testby", "ICA Maxi Testby"),
        ("Tanka Testby", "OKQ8 Testby"),
    ],
)
def test_chain_spellings_are_one_chain(first: str, second: str) -> None:
    groups, _ = groups_of([rec("a", first), rec("b", second, north_m=30)])
    assert groups == [["a", "b"]]


def test_two_shops_in_one_building_stay_two() -> None:
    groups, log = groups_of(
        [
            rec("a", "Testtobak", address="Galleriagatan 5"),
            rec("b", "Testfärg och Kakel", north_m=5, address="Galleriagatan 5"),
        ]
    )
    assert groups == [["a"], ["b"]]
    [miss] = log.near_misses
    assert "samma adress men inget gemensamt i namnen" in miss


def test_two_chains_side_by_side_stay_two() -> None:
    groups, log = groups_of(
        [rec("a", "Coop Testby"), rec("b", "ICA Nära Testby", north_m=40)]
    )
    assert groups == [["a"], ["b"]]
    assert "olika kedjor" in log.near_misses[0]


def test_a_tobacconist_in_a_chain_shops_centre_is_another_shop() -> None:
    groups, log = groups_of(
        [
            rec("a", "ICA Supermarket Testhallen"),
            rec("b", "Testhallen Spel & Tobak", north_m=13),
        ]
    )
    assert groups == [["a"], ["b"]]
    assert "olika slags butiker" in log.near_misses[0]


def test_far_apart_is_two_but_a_near_miss() -> None:
    groups, log = groups_of(
        [
            rec("a", "Testlivs", locality="Testby"),
            rec("b", "Testlivs", north_m=1500, locality="Testby"),
        ]
    )
    assert groups == [["a"], ["b"]]
    assert "för långt isär" in log.near_misses[0]


def test_same_name_in_the_same_ort_merges_across_list_positions() -> None:
    """The chain lists and Pipos place one village shop up to ~800 m apart."""
    groups, log = groups_of(
        [
            rec("a", "ICA Nära Testbyn", origin="sepoi", categories=("dagligvaror",)),
            rec(
                "b",
                "ICA Nära Testbyn",
                north_m=760,
                origin="pipos",
                categories=("apoteksombud",),
            ),
        ]
    )
    assert groups == [["a", "b"]]
    assert "lägena skiljer 760 m" in log.merged[0]


def test_same_name_in_another_ort_is_another_shop() -> None:
    groups, _ = groups_of(
        [
            rec("a", "ICA Nära Testbyn", locality="Testby"),
            rec("b", "ICA Nära Testbyn", north_m=700, locality="Annanby"),
        ]
    )
    assert groups == [["a"], ["b"]]


def test_kinds_never_merge() -> None:
    """A pharmacy, a health centre and a locker in the shop's building."""
    groups, _ = groups_of(
        [
            rec("shop", "ICA Maxi Testby", address="Storvägen 8"),
            rec(
                "apotek",
                "Apotek Hjärtat ICA Maxi Testby",
                kind="apotek",
                categories=("apotek",),
                address="Storvägen 8",
            ),
            rec(
                "box",
                "Instabox paketskåp, Testby",
                kind="locker",
                carriers=("instabox",),
                address="Storvägen 8",
            ),
            rec(
                "box2",
                "DHL paketskåp, Testby",
                kind="locker",
                carriers=("dhl",),
                address="Storvägen 8",
            ),
        ]
    )
    assert groups == [["apotek"], ["box"], ["box2"], ["shop"]]


def test_one_loose_record_cannot_chain_two_chains() -> None:
    groups, _ = groups_of(
        [
            rec("coop", "Coop Testby", address="Torget 1"),
            rec("ica", "ICA Testby", north_m=60, address="Torget 3"),
            # names both (no chain of its own, one word in common with each)
            rec("x", "Testby Torget", north_m=30),
        ]
    )
    assert ["coop"] in groups or ["ica"] in groups


def test_point_keeps_each_categorys_source_and_date() -> None:
    chains = default_chains()
    shop = rec(
        "s",
        "ICA Nära Testbyn",
        origin="sepoi",
        categories=("dagligvaror",),
        date=D2023,
        rank=10,
    )
    pipos = rec(
        "p",
        "ICA Nära Testbyn 09-1234",
        origin="pipos",
        categories=("apoteksombud",),
        date=D2025,
        rank=20,
    )
    agent = rec("c", "ICA NÄRA TESTBYN", date=D2021, rank=60)
    infer_grocery(pipos, chains)
    infer_grocery(agent, chains)
    props, lead = group_properties([shop, pipos, agent])
    assert lead is shop and props["name"] == "ICA Nära Testbyn"
    assert props["categories"] == ["dagligvaror", "apoteksombud", "paketombud"]
    by_cat = {(e["category"], e["source"]): e for e in props["sources"]}
    assert by_cat[("dagligvaror", "källa sepoi")]["source_date"] == "2023-02-16"
    assert by_cat[("apoteksombud", "källa pipos")]["source_date"] == "2025-11-12"
    assert by_cat[("paketombud", "källa carriers")]["source_date"] == "2021-04-28"
    # the chain-table inference gives way to the chain's own list
    assert not [e for e in props["sources"] if e.get("note")]
    # the point's own date: its oldest category's
    assert props["source_date"] == D2021 and props["source"] == "källa carriers"
    assert props["carriers"] == [{"id": "postnord", "kind": "ombud"}]


def test_grocery_inference_is_stated_and_only_for_grocery_chains() -> None:
    chains = default_chains()
    ica, kiosk, box = (
        rec("a", "ICA Nära Testbyn"),
        rec("b", "Direkten Testby"),
        rec("c", "PAKETBOX WILLYS TESTBY", kind="locker", carriers=("dhl",)),
    )
    for r in (ica, kiosk, box):
        infer_grocery(r, chains)
    assert ica.categories == ["paketombud", "dagligvaror"]
    assert "ICA är en dagligvarukedja" in ica.notes["dagligvaror"]
    assert kiosk.categories == ["paketombud"]
    assert box.categories == ["paketombud"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Värendsväg 53", "VÄRENDSVÄGEN 53", True),
        ("Blasius königsgatan 30A", "Blasius Königsgatan 30 A", True),
        ("Kungsgatan 34-38", "Kungsgatan 34", True),
        ("Sölvesborgsvägen 34", "Sölvesborgsvägen 37", False),
        ("Blekingesjukhuset", "Blekingesjukhuset", None),  # no number: not comparable
    ],
)
def test_address_key(a: str, b: str, same: bool | None) -> None:
    ka, kb = address_key(a), address_key(b)
    if same is None:
        assert ka is None and kb is None
    else:
        assert (ka == kb) is same


def test_one_chain_at_one_street_address_is_one_shop_even_if_misplaced() -> None:
    groups, log = groups_of(
        [
            rec("a", "Time Testby", address="Ronnebygatan 30"),
            rec("b", "Time Ronnebygatan", north_m=1700, address="Ronnebygatan 30"),
            # another chain's shop at another number stays apart
            rec(
                "c",
                "Time Testby",
                north_m=-1700,
                address="Ronnebygatan 31",
                locality="Annanby",
            ),
        ]
    )
    assert groups == [["a", "b"], ["c"]]
    assert "lägena skiljer 1700 m" in log.merged[0]
