#!/usr/bin/env python3
"""Line and branch coverage per module from JaCoCo's reports (mvn verify -Pcoverage), and the largest gaps.

Usage: tools/coverage_summary.py [MODULE ...]   (default: every module with a report)
"""
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def summary(module):
    path = os.path.join(ROOT, module, "target", "site", "jacoco", "jacoco.xml")
    if not os.path.exists(path):
        return None
    root = ET.parse(path).getroot()
    totals = {c.get("type"): (int(c.get("missed")), int(c.get("covered"))) for c in root.findall("counter")}
    gaps = []
    for package in root.findall("package"):
        for cls in package.findall("class"):
            for c in cls.findall("counter"):
                if c.get("type") == "LINE" and int(c.get("missed")) >= 15:
                    missed, covered = int(c.get("missed")), int(c.get("covered"))
                    gaps.append((missed, cls.get("name").replace("/", "."), covered / (missed + covered)))
    return totals, sorted(gaps, reverse=True)


def ratio(pair):
    missed, covered = pair
    return covered / (missed + covered) if missed + covered else 1.0


def main(modules):
    if not modules:
        modules = sorted(m for m in os.listdir(ROOT) if os.path.exists(os.path.join(ROOT, m, "pom.xml"))
                         and m.startswith("vstp-"))
    for m in modules:
        result = summary(m)
        if result is None:
            continue
        totals, gaps = result
        line = totals.get("LINE", (0, 0))
        print(f"{m}: line {ratio(line):.1%} ({line[1]}/{sum(line)}), branch {ratio(totals.get('BRANCH', (0, 0))):.1%}")
        for missed, name, r in gaps[:5]:
            print(f"    {name}: {missed} lines not run ({r:.0%} covered)")


if __name__ == "__main__":
    main(sys.argv[1:])
