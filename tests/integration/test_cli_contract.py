"""SPEC §1 CLI contract details found in the session-5 audit: --dump-config of a TLS config passes
--check again and means the same to a YAML 1.1 reader, --check positions certificate errors as
FILE:LINE:COL, and tcf-decode - answers every input line."""
import os
import re
import subprocess

import yaml

from conftest import BIN
from tls_certs import CertAuthority

POSITIONED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): .+$")


def run(*args, input=None):
    return subprocess.run([BIN, *args], capture_output=True, input=input, timeout=30)


def write(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_dump_of_a_tls_config_passes_check_and_keeps_string_types(workdir):
    cert, key = CertAuthority(os.path.join(workdir, "ca")).issue("site", "localhost", ["localhost"])
    path = write(workdir, "c.yaml", f"""
listeners:
  - address: 127.0.0.1:1
    tls: {{certificates: [{{cert: {cert}, key: {key}}}]}}
upstreams: [{{name: a, servers: [127.0.0.1:1]}}]
consent:
  sources: [{{type: cookie, name: c, format: kv}}]
  require: [{{cookie: age_verified, value: "1"}}]
regions: [{{name: eea, countries: [DE, "NO", IS]}}, {{name: default}}]
""")
    dumped = run("-c", path, "--dump-config")
    assert dumped.returncode == 0, dumped.stderr
    again = write(workdir, "dumped.yaml", dumped.stdout.decode())
    check = run("-c", again, "--check")
    assert check.returncode == 0 and check.stdout.strip() == b"ok", check.stdout + check.stderr
    # PyYAML is a YAML 1.1 reader: "1" must stay a string, NO must not become False, "=" must
    # not be the !!value tag
    doc = yaml.safe_load(dumped.stdout)
    assert doc["listeners"][0]["tls"]["certificates"][0]["key"] == key
    assert doc["consent"]["require"] == [{"cookie": "age_verified", "value": "1"}]
    assert doc["consent"]["sources"][0]["kv_separator"] == "="
    assert doc["regions"][0]["countries"] == ["DE", "NO", "IS"]
    assert doc["listeners"][0]["tls"]["min_version"] == "1.2"


def test_check_positions_unusable_certificate_and_key(workdir):
    cert, key = CertAuthority(os.path.join(workdir, "ca")).issue("site", "localhost", ["localhost"])
    other_cert, other_key = CertAuthority(os.path.join(workdir, "ca2")).issue(
        "other", "other", ["other"])
    cases = [
        (f"{{cert: {key}, key: {key}}}", key),           # a key where the chain should be
        (f"{{cert: {cert}, key: {cert}}}", cert),        # a certificate where the key should be
        (f"{{cert: {cert}, key: {other_key}}}", other_key),  # a key of another certificate
    ]
    for pair, named in cases:
        text = ("upstreams: [{name: a, servers: [127.0.0.1:1]}]\n"
                f"listeners:\n  - address: 127.0.0.1:1\n    tls: {{certificates: [{pair}]}}\n")
        path = write(workdir, "bad.yaml", text)
        out = run("-c", path, "--check")
        assert out.returncode == 1, pair
        lines = out.stdout.decode().strip().splitlines()
        assert lines, out.stderr
        for line in lines:
            m = POSITIONED.match(line)
            assert m and m.group("file") == path, line
            row = text.splitlines()[int(m.group("line")) - 1]
            assert row[int(m.group("col")) - 1:].startswith(named), (line, row)


def test_tcf_decode_stdin_answers_every_line(workdir):
    good = "CPhBZtcPhBZtcACABAENCACgAIAAAAAAAAAAH2QAYH0AfYB9kAGB9YH2AAAA.YAAAAAAAAAAA"
    out = run("tcf-decode", "-", input=f"{good}\n\n!!\n{good}\n".encode())
    assert out.returncode == 0
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 4
    assert lines[0] == lines[3] and '"cmpId":2' in lines[0]
    assert lines[1].startswith('{"error":') and lines[2].startswith('{"error":')
