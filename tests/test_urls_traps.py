"""TrapGuard: caps per rule per host, shape rules, same-path chains, the capped report."""
import pytest

from portal_crawler.scope import TrapGuard, Verdict


def calendar(host, day):
    return f"http://{host}/portal/Pages/Lich-cong-tac.aspx?date=2024-12-{day:02d}"


def test_calendar_capped_per_host_and_counted():
    guard = TrapGuard()
    verdicts = [guard.check(calendar("a.test", d)) for d in range(1, 11)]
    assert [v.allowed for v in verdicts] == [True] * 3 + [False] * 7
    assert all(v.rule == "calendar" for v in verdicts)
    # another host has its own allowance
    assert guard.check(calendar("b.test", 1)).allowed
    assert guard.report() == {"calendar": 7}
    assert guard.admitted() == {"calendar": 4}


def test_same_trap_url_seen_again_is_not_recounted():
    guard = TrapGuard()
    first = calendar("a.test", 1)
    for _ in range(20):  # the calendar widget sits on every page
        assert guard.check(first).allowed
    # spelled differently, still the same URL
    assert guard.check(first.replace("http://a.test", "HTTP://A.TEST:80") + "#x").allowed
    assert guard.check(calendar("a.test", 2)).allowed
    assert guard.check(calendar("a.test", 3)).allowed
    assert not guard.check(calendar("a.test", 4)).allowed
    assert guard.report() == {"calendar": 1}


def test_caps_override_and_zero_cap():
    guard = TrapGuard(caps={"calendar": 1})
    assert guard.check(calendar("a.test", 1)) and not guard.check(calendar("a.test", 2))
    assert not guard.check("http://a.test/tim-kiem/?q=x")  # search: cap 0 by default
    assert guard.report() == {"calendar": 1, "search": 1}


def test_from_settings_mapping_or_json():
    assert TrapGuard.from_settings({"PORTAL_TRAP_CAPS": '{"calendar": 5}'}).caps["calendar"] == 5
    assert TrapGuard.from_settings({"PORTAL_TRAP_CAPS": {"search": 2}}).caps["search"] == 2
    assert TrapGuard.from_settings({}).caps["calendar"] == 3


def test_guards_are_independent():
    first, second = TrapGuard(), TrapGuard()
    for d in range(1, 5):
        first.check(calendar("a.test", d))
    assert second.check(calendar("a.test", 1)).allowed
    assert second.report() == {}


@pytest.mark.parametrize("url, rule", [
    ("http://a.test/a/b/a/b/a/b/", "repeated-segments"),
    ("http://a.test/tin-tuc/images/images/images/x.jpg", "repeated-segments"),
    ("http://a.test/2019/7/7/7/x.html", "repeated-segments"),
    ("http://a.test/x?" + "&".join(f"p{i}=1" for i in range(17)), "too-many-params"),
    ("http://a.test/" + "x" * 1100, "long-url"),
    ("http://a.test" + "/s" * 10 + "".join(f"/d{i}" for i in range(20)), "deep-path"),
])
def test_shape_rules(url, rule):
    guard = TrapGuard()
    verdict = guard.check(url)
    assert not verdict.allowed and verdict.rule == rule
    assert guard.report() == {rule: 1}


def test_ordinary_pages_pass_without_a_rule():
    guard = TrapGuard()
    for url in ["http://a.test/tin-tuc/tin-tuc/slug-1.html",
                "http://a.test/Uploads/Images/2019/1/1/1.jpg",
                "http://a.test/a/1/b/1/c/1.html",
                "http://a.test/portal/Pages/2019-3-14/Slug.aspx",
                "http://a.test/vi/tin-tuc-su-kien?p_p_id=101_INSTANCE_x&p_p_lifecycle=0&p_p_state=normal"
                "&p_p_mode=view&_101_INSTANCE_x_cur=9"]:
        verdict = guard.check(url)
        assert verdict.allowed and verdict.rule is None
    assert guard.report() == {}


def test_verdict_unpacks_as_allowed_rule():
    allowed, rule = TrapGuard().check("http://a.test/tim-kiem/?q=a")
    assert (allowed, rule) == (False, "search")
    assert not Verdict(False, "x") and Verdict(True)


def test_same_path_chain_of_an_unknown_widget_is_cut():
    guard = TrapGuard()
    parent, chain = "http://a.test/truc-ban?ky=0", 0
    allowed = 0
    for week in range(1, 200):
        url = f"http://a.test/truc-ban?ky={week}"
        verdict = guard.check(url, parent_url=parent, parent_chain=chain)
        if not verdict.allowed:
            assert verdict.rule == "same-path-chain"
            break
        allowed += 1
        parent, chain = url, verdict.chain
    assert allowed == guard.rules.guard.max_same_path_chain


def test_paging_does_not_grow_the_chain():
    guard = TrapGuard()
    parent, chain = "http://a.test/tin-tuc/Pages/default.aspx", 0
    for page in range(2, 300):
        url = f"http://a.test/tin-tuc/Pages/default.aspx?PageIndex={page}"
        verdict = guard.check(url, parent_url=parent, parent_chain=chain)
        assert verdict.allowed and verdict.chain == 0
        parent, chain = url, verdict.chain


def test_chain_resets_on_another_path():
    guard = TrapGuard()
    verdict = guard.check("http://a.test/x?v=2", parent_url="http://a.test/x?v=1", parent_chain=5)
    assert verdict.chain == 6
    verdict = guard.check("http://a.test/y?v=2", parent_url="http://a.test/x?v=1", parent_chain=5)
    assert verdict.chain == 0


def test_site_trap_patterns_are_capped_through_the_policy():
    from portal_crawler.scope import ScopePolicy
    policy = ScopePolicy.from_profile({"hosts": ["a.test"], "trap_patterns": [r"[?&]tuan=\d+"]})
    guard = TrapGuard()
    verdicts = [guard.check(u, trap=policy.trap_rule(u))
                for u in (f"http://a.test/lich-truc?tuan={w}" for w in range(1, 8))]
    assert [v.allowed for v in verdicts] == [True] * 3 + [False] * 4
    assert guard.report() == {"site-trap": 4}


def test_snapshot_and_restore_keep_spent_caps_across_a_resume():
    import json
    first = TrapGuard()
    for d in range(1, 6):
        first.check(calendar("a.test", d))
    saved = json.loads(json.dumps(first.snapshot()))  # survives serialisation
    resumed = TrapGuard()
    resumed.restore(saved)
    assert resumed.check(calendar("a.test", 2)).allowed      # already admitted: still fine
    assert not resumed.check(calendar("a.test", 9)).allowed  # the cap stays spent
    assert resumed.report() == {"calendar": 3}
    assert resumed.admitted() == {"calendar": 3}
    TrapGuard().restore(None)  # nothing saved: a fresh guard
