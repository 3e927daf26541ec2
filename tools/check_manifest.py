#!/usr/bin/env python3
"""Checks that Package.swift declares each target's direct dependencies: every module a
target's Swift files import is a declared dependency (a target or a product, whose module
names are the same here), every declared dependency is imported somewhere in the target, and
every package the manifest lists serves some target.
Toolchain modules (Foundation, Dispatch, Glibc, XCTest, Synchronization, ...) need no
declaration. Prints one line per problem and exits 1 if there is any.

    python3 tools/check_manifest.py        # from the package root; runs `swift package dump-package`
"""
import json
import os
import re
import subprocess
import sys

TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Musl",
             "XCTest", "Testing", "Synchronization", "Swift", "_Concurrency", "_StringProcessing", "RegexBuilder"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?"
                    r"([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def imports(folder):
    found = set()
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    found.update(IMPORT.findall(f.read()))
    return found - TOOLCHAIN


def declared(target):
    names = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


def main():
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                         capture_output=True, text=True).stdout)
    problems = []
    for target in manifest["targets"]:
        if target["type"] == "system":
            continue
        folder = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])
        used = imports(folder)
        if not used and not any(f.endswith(".swift") for _, _, fs in os.walk(folder) for f in fs):
            continue   # a C target
        wanted = declared(target)
        for module in sorted(used - wanted):
            problems.append(f"Package.swift: target {target['name']} imports {module} but does not declare it")
        for module in sorted(wanted - used):
            problems.append(f"Package.swift: target {target['name']} declares {module} but no file of it imports it")
    used_packages = {d["product"][1].lower() for t in manifest["targets"] for d in t["dependencies"] if "product" in d}
    for package in manifest["dependencies"]:
        for kind in package.values():
            identity = kind[0]["identity"]
            if identity.lower() not in used_packages:
                problems.append(f"Package.swift: package {identity} is listed but no target uses its products")
    for line in problems:
        print(line)
    if problems:
        sys.exit(1)
    print(f"check_manifest: every import of the {len(manifest['targets'])} targets is declared, and nothing more")


if __name__ == "__main__":
    main()
