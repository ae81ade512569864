"""The README's catalogue and inventory reference cannot drift from the code."""

from __future__ import annotations

from support import REPO

from clustercheck.engine.docs import explain_text, family_text, update_readme
from clustercheck.engine.registry import families, load_checks
from clustercheck.inventory import schema


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_catalogue_is_generated_from_the_checks() -> None:
    text = readme()
    assert update_readme(text, load_checks()) == text, (
        "README catalogue is stale: run `python -m clustercheck.engine.docs README.md`"
    )


def test_every_inventory_key_is_documented_in_the_readme() -> None:
    text = readme()
    tables = {
        "ssh": schema.SSH,
        "apache": schema.APACHE,
        "tomcat": schema.TOMCAT,
        "ntp": schema.NTP,
        "multicast": schema.MULTICAST,
        "jdk": schema.JDK,
        "ajp": schema.AJP,
    }
    missing = [
        f"{section}.{key}"
        for section, fields in tables.items()
        for key in fields
        if f"`{section}.{key}`" not in text
    ]
    missing += [
        f"nodes.NAME.{key}"
        for key, field in schema.NODE.items()
        if field.kind != "section" and f"`nodes.NAME.{key}`" not in text
    ]
    missing += [key for key in schema.TOP if f"`{key}" not in text]
    assert not missing, f"README inventory reference lacks: {missing}"


def test_every_check_explains_what_why_and_how() -> None:
    for check in load_checks():
        text = explain_text(check)
        assert check.summary and check.rationale and check.remediation, check.code
        assert text.startswith(f"{check.code} {check.name}: ")


def test_every_family_says_what_its_members_share_and_lists_them() -> None:
    checks = load_checks()
    for fam in families(checks):
        members = [c for c in checks if c.family is fam]
        text = family_text(fam, members)
        assert fam.summary and len(members) > 1, fam.code
        assert text.startswith(f"{fam.code} {fam.name}: ")
        assert all(f"  {c.code} {c.name}: " in text for c in members)
        assert f"#### {fam.code} {fam.name}\n" in readme()
