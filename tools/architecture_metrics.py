#!/usr/bin/env python3
"""Measures the structure issue 17 asks to improve, at any git revision (default HEAD):
the largest main classes (lines) and the public top-level types per library module.

    tools/architecture_metrics.py [REV...]      e.g. tools/architecture_metrics.py 711a364 HEAD
"""
import re
import subprocess
import sys
from collections import defaultdict

MODULES = ["vstp-core", "vstp-transport", "vstp-security", "vstp-crypto", "vstp-services", "vstp-cli", "vstp-testkit"]
# Not libraries: counted, but not in the libraries' sum.
APPLICATIONS = {"vstp-cli", "vstp-testkit"}
PUBLIC_TYPE = re.compile(r"^public\s+(?:(?:abstract|final|sealed|non-sealed|static)\s+)*"
                         r"(?:class|interface|enum|record|@interface)\s", re.M)


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def measure(rev):
    files = [f for f in git("ls-tree", "-r", "--name-only", rev).split()
             if f.endswith(".java") and "/src/main/java/" in f and f.split("/")[0] in MODULES]
    sizes = []
    public = defaultdict(int)
    for f in files:
        text = git("show", f"{rev}:{f}")
        sizes.append((text.count("\n"), f.split("/")[0], f.rsplit("/", 1)[1][:-5]))
        if PUBLIC_TYPE.search(text):
            public[f.split("/")[0]] += 1
    sizes.sort(reverse=True)
    return sizes[:5], public


def main():
    revs = sys.argv[1:] or ["HEAD"]
    for rev in revs:
        largest, public = measure(rev)
        print(f"## {rev} ({git('rev-parse', '--short', rev).strip()})")
        print("largest main classes: " + ", ".join(f"{name} {lines} ({module})" for lines, module, name in largest))
        print("public top-level types: " + ", ".join(f"{m} {public[m]}" for m in MODULES)
              + f"; libraries together {sum(public[m] for m in MODULES if m not in APPLICATIONS)}")


if __name__ == "__main__":
    main()
