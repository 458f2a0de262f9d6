"""The site registry: the bundled real-portal data, user profile files and clear errors."""
from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal_crawler.sites.registry import (
    RegistryError, SiteProfile, UnknownSiteError, load_file, load_registry,
)

PACKAGE = Path(__file__).resolve().parents[1] / "portal_crawler"
REAL = PACKAGE / "sites" / "registry.toml"
DEMO = PACKAGE / "demo" / "registry.toml"
CMS_FAMILIES = {p.stem for p in (PACKAGE / "sites" / "cms").glob("*.toml")}


@pytest.fixture(scope="module")
def real_raw():
    with REAL.open("rb") as handle:
        return tomllib.load(handle)["site"]


def test_real_entries_hosts_are_government_hosts(real_raw):
    assert len(real_raw) >= 27
    for site in real_raw:
        assert site["hosts"], site["id"]
        for host in site["hosts"]:
            assert host.endswith(".gov.vn") and host == host.lower(), host


def test_real_ids_unique_and_start_urls_on_own_hosts(real_raw):
    ids = [s["id"] for s in real_raw]
    assert len(ids) == len(set(ids))
    all_hosts = [h for s in real_raw for h in s["hosts"]]
    assert len(all_hosts) == len(set(all_hosts)), "a host belongs to two sites"
    for site in real_raw:
        for url in site["start_urls"]:
            parts = urlsplit(url)
            assert parts.scheme in ("http", "https") and parts.hostname in site["hosts"], url


def test_thanh_hoa_is_complete(real_raw):
    thanh_hoa = [s for s in real_raw if s["province"] == "Thanh Hóa"]
    # 2 cities, 2 towns, 23 districts (as of 2024).
    assert len(thanh_hoa) == 27
    assert len({s["district"] for s in thanh_hoa}) == 27
    assert all(s["hosts"][0].endswith(".thanhhoa.gov.vn") for s in thanh_hoa)
    assert sum(1 for s in thanh_hoa if s["verified"]) >= 10


def test_every_entry_says_how_it_was_verified(real_raw):
    for site in real_raw:
        assert isinstance(site["verified"], bool)
        assert len(site["verification"]) > 20, site["id"]
        if site.get("family") is not None:
            assert site["family"] in CMS_FAMILIES, site["id"]


def test_real_file_loads_into_frozen_profiles():
    profiles = load_file(REAL)
    hauloc = next(p for p in profiles if p.id == "thanhhoa-hauloc")
    assert hauloc.primary_host == "hauloc.thanhhoa.gov.vn"
    assert hauloc.name.startswith("Cổng thông tin điện tử")
    assert hauloc.verified and "wikipedia" in hauloc.verification
    with pytest.raises(dataclasses.FrozenInstanceError):
        hauloc.name = "x"
    data = hauloc.to_dict()
    assert isinstance(data["hosts"], list) and data["province"] == "Thanh Hóa"
    json.dumps(data, ensure_ascii=False)


def test_builtin_registry_includes_demo_portals_served_by_demo_server():
    registry = load_registry()
    manifest = json.loads((PACKAGE / "demo" / "manifest.json").read_text(encoding="utf-8"))
    served = {s["host"]: s for s in manifest["sites"]}
    for site_id in ("demo-yentho", "demo-huonglam"):
        profile = registry.get(site_id)
        assert profile.primary_host in served
        assert list(profile.start_urls) == served[profile.primary_host]["start_urls"]
        assert all(h.endswith(".test") for h in profile.hosts)
    assert registry.get("demo-huonglam").sitemap_urls() == ["http://demo-huonglam.hatinh.test/sitemap.xml"]
    # The demo registry alone, as `portal-archive demo` loads it.
    demo_only = load_registry([DEMO], include_builtin=False)
    assert demo_only.ids() == ["demo-yentho", "demo-huonglam"]


def test_get_by_host():
    assert load_registry().get("quanson.thanhhoa.gov.vn").id == "thanhhoa-quanson"


USER_PROFILE = """
[[site]]
id = "my-district"
name = "Cổng thông tin điện tử huyện Thử Nghiệm"
province = "Hà Tĩnh"
hosts = ["mydistrict.hatinh.test", "www.mydistrict.hatinh.test"]
start_urls = ["http://mydistrict.hatinh.test/", "http://www.mydistrict.hatinh.test/tin-tuc/"]
trap_patterns = ['\\?date=']
deny_patterns = ['/admin/']

[[site]]
id = "thanhhoa-hauloc"
name = "Hậu Lộc (my mirror)"
hosts = ["hauloc.mirror.test"]
start_urls = ["http://hauloc.mirror.test/"]
"""


def test_user_profile_file_adds_and_overrides(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(USER_PROFILE, encoding="utf-8")
    registry = load_registry([path])
    mine = registry.get("my-district")
    assert mine.hosts == ("mydistrict.hatinh.test", "www.mydistrict.hatinh.test")
    assert mine.trap_patterns == (r"\?date=",) and mine.deny_patterns == ("/admin/",)
    assert mine.verified is False and mine.family is None
    assert registry.get("thanhhoa-hauloc").hosts == ("hauloc.mirror.test",)
    assert "thanhhoa-quanson" in registry  # bundled entries are still there
    assert len(load_registry([path, str(path)])) == len(registry)  # the same file twice loads once


def test_profile_from_bare_url():
    profile = SiteProfile.from_url("http://thoxuan.thanhhoa.test/portal/Pages/default.aspx")
    assert profile.id == "thoxuan.thanhhoa.test" and profile.hosts == ("thoxuan.thanhhoa.test",)
    assert profile.start_urls == ("http://thoxuan.thanhhoa.test/portal/Pages/default.aspx",)
    with pytest.raises(RegistryError):
        SiteProfile.from_url("ftp://example.test/")


def test_unknown_id_is_a_specific_error():
    with pytest.raises(UnknownSiteError) as caught:
        load_registry().get("thanhhoa-nowhere")
    assert isinstance(caught.value, RegistryError)
    message = str(caught.value)
    assert "thanhhoa-nowhere" in message and "\n" not in message


BROKEN = {
    "not toml": ("[[site]\nid = ", "not valid TOML"),
    "missing key": ('[[site]]\nid = "a"\nname = "A"\nhosts = ["a.test"]\n', "missing required key `start_urls`"),
    "off-host start": ('[[site]]\nid = "a"\nname = "A"\nhosts = ["a.test"]\nstart_urls = ["http://b.test/"]\n',
                       "not on the site's hosts"),
    "bad regex": ('[[site]]\nid = "a"\nname = "A"\nhosts = ["a.test"]\nstart_urls = ["http://a.test/"]\n'
                  'trap_patterns = ["(unclosed"]\n', "bad pattern"),
    "duplicate id": ('[[site]]\nid = "a"\nname = "A"\nhosts = ["a.test"]\nstart_urls = ["http://a.test/"]\n' * 2,
                     "appears twice"),
    "typo key": ('[[site]]\nid = "a"\nname = "A"\nhost = ["a.test"]\nstart_urls = ["http://a.test/"]\n',
                 "unknown key(s) host"),
    "bad id": ('[[site]]\nid = "Hậu Lộc"\nname = "A"\nhosts = ["a.test"]\nstart_urls = ["http://a.test/"]\n',
               "id must be"),
    "bad host": ('[[site]]\nid = "a"\nname = "A"\nhosts = ["A.Test/"]\nstart_urls = ["http://a.test/"]\n',
                 "not a lower-case host name"),
    "wrong type": ('[[site]]\nid = "a"\nname = "A"\nhosts = "a.test"\nstart_urls = ["http://a.test/"]\n',
                   "must be a list"),
    "flat table": ('id = "a"\n', "unknown top-level key"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_files_raise_registry_error(tmp_path, case):
    text, expected = BROKEN[case]
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_registry([path])
    message = str(caught.value)
    assert expected in message and str(path) in message


def test_missing_file_raises_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="cannot read site registry"):
        load_registry([tmp_path / "absent.toml"])
