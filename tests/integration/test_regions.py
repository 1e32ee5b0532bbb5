"""Regions through the real binary: a geo database generated at test time with MaxMind's own
writer, two regions routed to two file sinks, per-region field rules (SPEC §2, §6, §9.2)."""
from conftest import CONSENT, consent_config, http_get

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.6778.86 Safari/537.36")


def config(origin, geo_db):
    return consent_config(origin, f"""
geo: {{database: {geo_db}}}
regions:
  - name: eea
    countries: [DE, FR]
    fields: {{ip: {{truncate: {{v4: 24, v6: 48}}}}, os_version: drop, browser_version: major,
              language: primary, location: country, referrer: drop}}
    sinks: [eu]
  - name: rest
    continents: [NA, AS]
    sinks: [world]
  - {{name: default, sinks: [world]}}
unknown_region: strictest
sinks:
  - {{name: eu, type: file, path: events/eu.jsonl, fsync: 0ms}}
  - {{name: world, type: file, path: events/world.jsonl, fsync: 0ms}}
""", workers=1, telemetry="{record: documents}")


def visit(p, client_ip):
    return http_get(p.url + "/pricing", headers={
        "User-Agent": CHROME, "Accept": "text/html", "Accept-Language": "de-DE,de;q=0.9",
        "Cookie": CONSENT, "X-Forwarded-For": client_ip,
        "Referer": "https://search.example/q?x=1"})


def test_two_regions_two_sinks(make_proxy, origin, geo_db):
    p = make_proxy(config=config(origin, geo_db))
    for ip in ("81.2.69.160", "2a02:8100:1234::7", "12.0.5.9", "175.16.199.3", "198.51.100.1"):
        assert visit(p, ip)[0] == 200
    assert p.stop() == 0
    eu = p.events("events/eu.jsonl")
    world = p.events("events/world.jsonl")
    eea = [e for e in eu if e["region"] == "eea"]
    assert sorted(e["client"]["ip"] for e in eea) == ["2a02:8100:1234::", "81.2.69.0"]
    for e in eea:
        assert e["region"] == "eea"
        assert e["location"] == {"country": "DE"}          # no subdivision in this region
        assert "version" not in e["client"]["os"]           # dropped
        assert e["client"]["browser"]["version"] == "131"   # major only
        assert e["client"]["language"] == "de"
        assert "referrer" not in e["page"]
    regions = {e["client"]["ip"]: e["region"] for e in world}
    assert regions["12.0.5.9"] == "rest" and regions["175.16.199.3"] == "rest"
    us = next(e for e in world if e["client"]["ip"] == "12.0.5.9")
    assert us["location"] == {"country": "US", "subdivision": "US-CA"}
    # 198.51.100.1 is not in the database: region unknown, strictest rules (truncated, no os
    # version), delivered to the union of the regions' sinks: the same event in both files
    unknown = [e for e in eu + world if e["region"] == "unknown"]
    assert len(unknown) == 2 and unknown[0]["id"] == unknown[1]["id"]
    assert unknown[0]["client"]["ip"] == "198.51.100.0"
    assert "version" not in unknown[0]["client"]["os"]
    assert set(e["region"] for e in eu) == {"eea", "unknown"}
    # residency: nothing from the EEA reached the other sink
    assert all(e["region"] != "eea" for e in world)

