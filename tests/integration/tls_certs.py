"""Test certificates made with the `openssl` CLI at test time: a CA, one certificate per host name
set, and an expired one (signed with fixed past dates through `openssl ca`)."""
import os
import subprocess

CA_CONF = """
[ca]
default_ca = test_ca
[test_ca]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
"""


def _run(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=30)


class CertAuthority:
    """A CA in `directory`; issue() returns (cert_path, key_path)."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.cert = os.path.join(directory, "ca.crt")
        self.key = os.path.join(directory, "ca.key")
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", self.key, "-out", self.cert, "-days", "30", "-subj", "/CN=Consentry Test CA",
             cwd=directory)
        with open(os.path.join(directory, "index.txt"), "w"):
            pass
        with open(os.path.join(directory, "serial"), "w") as f:
            f.write("1000\n")
        self.conf = os.path.join(directory, "ca.cnf")
        with open(self.conf, "w") as f:
            f.write(CA_CONF.format(dir=directory))

    def issue(self, stem, cn, names, start="20240101000000Z", end=None, rsa=False):
        """A leaf for `cn` with SAN DNS `names` (no SAN when empty), valid from `start` to `end`
        (default: 30 days from now)."""
        key = os.path.join(self.dir, stem + ".key")
        csr = os.path.join(self.dir, stem + ".csr")
        cert = os.path.join(self.dir, stem + ".crt")
        newkey = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt",
                                                        "ec_paramgen_curve:P-256"]
        req = ["req", "-new", *newkey, "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}"]
        if names:
            req += ["-addext", "subjectAltName=" + ",".join(f"DNS:{n}" for n in names)]
        _run(*req, cwd=self.dir)
        dates = ["-startdate", start, "-enddate", end] if end else ["-days", "30"]
        _run("ca", "-batch", "-config", self.conf, "-cert", self.cert, "-keyfile", self.key,
             "-in", csr, "-out", cert, "-notext", *dates, cwd=self.dir)
        return cert, key


def subject_cn(pem_text):
    """The subject CN of the first certificate in PEM text, via `openssl x509`."""
    out = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "multiline"],
                         input=pem_text.encode(), capture_output=True, timeout=10, check=True)
    for line in out.stdout.decode().splitlines():
        line = line.strip()
        if line.startswith("commonName"):
            return line.split("=", 1)[1].strip()
    return None
