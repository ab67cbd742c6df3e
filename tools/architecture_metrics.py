#!/usr/bin/env python3
"""Measures the structure issue 17 asks to improve, at any git revision (default HEAD):
the largest main classes (lines) and the public top-level types per library module, and, where a module has a
module-info.java, how many of them it exports: in packages exported to everyone, and (counted apart) in packages
exported only to named modules. Public types in packages it does not export are API by accident no more.

    tools/architecture_metrics.py [REV...]      e.g. tools/architecture_metrics.py 711a364 HEAD
"""
import re
import subprocess
import sys
from collections import defaultdict

MODULES = ["vstp-core", "vstp-transport", "vstp-security", "vstp-crypto", "vstp-services", "vstp-cli", "vstp-testkit"]
# Not libraries: counted, but not in the libraries' sum.
APPLICATIONS = {"vstp-cli", "vstp-testkit"}
EXPORTS = re.compile(r"^\s*exports\s+([\w.]+)\s*(to\s+[^;]+)?;", re.M)
PUBLIC_TYPE = re.compile(r"^public\s+(?:(?:abstract|final|sealed|non-sealed|static)\s+)*"
                         r"(?:class|interface|enum|record|@interface)\s", re.M)


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def exports(rev, files):
    """Per module with a descriptor: {package: True if exported to everyone, False if only to named modules}."""
    result = {}
    for f in files:
        if f.endswith("/src/main/java/module-info.java"):
            text = re.sub(r"//[^\n]*|/\*.*?\*/", "", git("show", f"{rev}:{f}"), flags=re.S)
            result[f.split("/")[0]] = {pkg: not to for pkg, to in EXPORTS.findall(text)}
    return result


def measure(rev):
    files = [f for f in git("ls-tree", "-r", "--name-only", rev).split()
             if f.endswith(".java") and "/src/main/java/" in f and f.split("/")[0] in MODULES]
    exported = exports(rev, files)
    sizes = []
    public = defaultdict(int)
    api = defaultdict(int)
    qualified = defaultdict(int)
    for f in files:
        if f.endswith(("/module-info.java", "/package-info.java")):
            continue
        module = f.split("/")[0]
        text = git("show", f"{rev}:{f}")
        sizes.append((text.count("\n"), module, f.rsplit("/", 1)[1][:-5]))
        if PUBLIC_TYPE.search(text):
            public[module] += 1
            package = f.split("/src/main/java/", 1)[1].rsplit("/", 1)[0].replace("/", ".")
            to_all = exported.get(module, {}).get(package)
            if to_all:
                api[module] += 1
            elif to_all is not None:
                qualified[module] += 1
    sizes.sort(reverse=True)
    return sizes[:5], public, exported, api, qualified


def main():
    revs = sys.argv[1:] or ["HEAD"]
    for rev in revs:
        largest, public, exported, api, qualified = measure(rev)
        libraries = [m for m in MODULES if m not in APPLICATIONS]
        print(f"## {rev} ({git('rev-parse', '--short', rev).strip()})")
        print("largest main classes: " + ", ".join(f"{name} {lines} ({module})" for lines, module, name in largest))
        print("public top-level types: " + ", ".join(f"{m} {public[m]}" for m in MODULES)
              + f"; libraries together {sum(public[m] for m in libraries)}")
        if exported:
            # Without a descriptor every public type is exported: counted as such, so the sum stays comparable.
            print("exported public types (+ exported to named modules only): "
                  + ", ".join(f"{m} {api[m] if m in exported else public[m]} (+{qualified[m]})" for m in libraries)
                  + f"; libraries together {sum(api[m] if m in exported else public[m] for m in libraries)}"
                  + f" (+{sum(qualified[m] for m in libraries)})")


if __name__ == "__main__":
    main()
