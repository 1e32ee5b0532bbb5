"""The Dockerfile's runtime stage installs every shared library the binary loads.

No Docker engine runs in CI, so the image itself is not built here; this checks the part that
broke once (libevent_extra was missing from the runtime packages): each library `ldd` resolves for
the release binary must come from a package the runtime stage installs, directly or as one of
its dependencies, or from the base image's essential set."""
import os
import re
import subprocess

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def runtime_packages():
    text = open(os.path.join(ROOT, "Dockerfile")).read()
    stage = text.split("\nFROM ")[-1]  # the last stage is the runtime image
    install = re.search(r"apt-get install ([^&]*)", stage.replace("\\\n", " "))
    assert install, "no apt-get install in the Dockerfile's runtime stage"
    return {w for w in install.group(1).split() if not w.startswith("-")}


def candidate_paths(path):
    # usrmerge: dpkg may list a library under /lib or /usr/lib, and ldd may print either.
    real = os.path.realpath(path)
    return {path, real, real.removeprefix("/usr"), "/usr" + path}


def owning_packages(paths):
    """path -> Debian package, with one dpkg call for all of them."""
    out = subprocess.run(["dpkg", "-S", *sorted(paths)], capture_output=True, text=True)
    owners = {}
    for line in out.stdout.splitlines():
        package, _, owned = line.partition(": ")
        owners[owned.strip()] = package.split(":")[0]
    return owners


def with_dependencies(packages):
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *sorted(packages)],
        capture_output=True, text=True, check=True)
    names = set(packages)
    for line in out.stdout.splitlines():
        word = line.strip().removeprefix("Depends:").removeprefix("PreDepends:").strip()
        if word and not word.startswith("<"):
            names.add(word.split(":")[0])
    return names


def test_runtime_stage_provides_every_linked_library(binary):
    if not os.path.exists("/usr/bin/dpkg") or not os.path.exists("/usr/bin/apt-cache"):
        pytest.skip("needs dpkg and apt-cache (Debian)")
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    if "libasan" in ldd or "libubsan" in ldd:
        pytest.skip("a sanitizer build; the image ships the release binary")
    libraries = re.findall(r"=> (/\S+)", ldd)
    assert libraries, ldd
    available = with_dependencies(runtime_packages() | {"libc6", "libgcc-s1", "libstdc++6"})
    owners = owning_packages(set().union(*(candidate_paths(lib) for lib in libraries)))
    missing = {}
    for lib in libraries:
        package = next((owners[c] for c in candidate_paths(lib) if c in owners), None)
        if package not in available:
            missing[lib] = package or "(no Debian package: the image cannot have it)"
    assert not missing, f"runtime stage lacks the packages of {missing}"
