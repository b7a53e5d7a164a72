#!/usr/bin/env python3
"""Checks every Swift file of the iPhone app without Xcode.

1. Each .swift under ios/ (the app's views and platform code, which need
   UIKit/SwiftUI/AVFoundation, and the package, which also compiles on Linux)
   parses with the Swift grammar (tree-sitter-swift): no ERROR or MISSING node.
2. The layers hold: only the Rust-backed services (CloudTrialKit/Sources/CloudTrialRust)
   and their tests import the generated bindings (CloudTrialCore); no view
   (CloudTrial/Views) imports the bindings or the Rust-backed services; in the
   app only the composition root (CloudTrial/App/AppEnvironment.swift) imports
   CloudTrialRust; CloudTrialFeatures imports no UI or device framework.
3. Every Chinese string literal in the app target is a key of the string
   catalog (CloudTrial/Resources/Localizable.xcstrings); interpolations match
   the catalog's format specifiers.

Prints each problem and a summary; exits non-zero on any problem.
Usage: ios/check-swift.py [--write-catalog]   (needs: pip install tree-sitter tree-sitter-swift)
  --write-catalog adds the app's missing literals to the catalog first.
"""
import json
import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Parser

from syntax_tree import syntax_errors

ROOT = Path(__file__).resolve().parent
SWIFT = Language(tree_sitter_swift.language())
parser = Parser(SWIFT)

IMPORT = re.compile(r"^\s*(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|typealias|var|let)\s+)?(\w+)", re.MULTILINE)
KIT = ROOT / "CloudTrialKit"
RUST = KIT / "Sources/CloudTrialRust"
RUST_TESTS = KIT / "Tests/CloudTrialRustTests"
FEATURES = KIT / "Sources/CloudTrialFeatures"
APP = ROOT / "CloudTrial"
VIEWS = APP / "Views"
ROOT_OF_COMPOSITION = APP / "App/AppEnvironment.swift"
CATALOG = APP / "Resources/Localizable.xcstrings"
UI_FRAMEWORKS = {"UIKit", "SwiftUI", "AVFoundation", "AVKit", "PhotosUI", "PDFKit", "QuickLook", "Network", "BackgroundTasks", "CoreImage", "CoreVideo"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def string_literals(tree, source):
    """Each single-line string literal as (text with \\(…) kept as a marker, number of interpolations)."""
    out = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "line_string_literal":
            parts, holes = [], 0
            for child in node.children:
                if child.type == "line_str_text":
                    parts.append(source[child.start_byte:child.end_byte].decode("utf-8"))
                elif child.type == "interpolated_expression":
                    parts.append("\x00")
                    holes += 1
                elif child.type == "str_escaped_char":
                    parts.append(source[child.start_byte:child.end_byte].decode("utf-8"))
            out.append(("".join(parts), holes))
            continue
        stack.extend(node.children)
    return out


def catalog_pattern(key):
    """A catalog key as a regex over literal text in which each interpolation is \\x00."""
    pattern = re.escape(key)
    pattern = re.sub(r"%(?:\\\d\\\$)?(?:lld|ld|d|@|f|\\\.\d+f|u|llu)", "\x00", pattern.replace("%%", "%"))
    return re.compile("^" + pattern + "$")


def main():
    write = "--write-catalog" in sys.argv
    files = sorted(p for p in ROOT.rglob("*.swift")
                   if not ({".build", "Generated", ".swiftpm"} & set(p.relative_to(ROOT).parts)))
    problems = []
    app_literals = {}
    for path in files:
        source = path.read_bytes()
        tree = parser.parse(source)
        rel = path.relative_to(ROOT.parent)
        for line, column, kind in syntax_errors(tree):
            problems.append(f"{rel}:{line}:{column}: {kind}")
        imports = set(IMPORT.findall(source.decode("utf-8")))
        in_rust = RUST in path.parents or RUST_TESTS in path.parents
        if "CloudTrialCore" in imports and not in_rust:
            problems.append(f"{rel}: imports the generated bindings (CloudTrialCore); only CloudTrialRust may")
        if VIEWS in path.parents and imports & {"CloudTrialCore", "CloudTrialRust"}:
            problems.append(f"{rel}: a view imports {sorted(imports & {'CloudTrialCore', 'CloudTrialRust'})}")
        if APP in path.parents and "CloudTrialRust" in imports and path != ROOT_OF_COMPOSITION:
            problems.append(f"{rel}: imports the Rust-backed services; only {ROOT_OF_COMPOSITION.relative_to(ROOT.parent)} may")
        if FEATURES in path.parents and imports & (UI_FRAMEWORKS | {"CloudTrialCore", "CloudTrialRust"}):
            problems.append(f"{rel}: CloudTrialFeatures imports {sorted(imports & (UI_FRAMEWORKS | {'CloudTrialCore', 'CloudTrialRust'}))}")
        if APP in path.parents:
            for text, holes in string_literals(tree, source):
                if CJK.search(text):
                    app_literals.setdefault(text, (holes, f"{rel}"))

    catalog = json.loads(CATALOG.read_text("utf-8")) if CATALOG.exists() else {"sourceLanguage": "zh-Hans", "strings": {}, "version": "1.0"}
    keys = catalog["strings"]
    patterns = [catalog_pattern(k) for k in keys]
    missing = [t for t in app_literals if not any(p.match(t) for p in patterns)]
    if write and missing:
        for text in missing:
            key, n = "", 0
            for ch in text:
                if ch == "\x00":
                    n += 1
                    key += "%@"
                else:
                    key += ch
            keys[key] = {"extractionState": "manual"}
        catalog["strings"] = dict(sorted(keys.items()))
        CATALOG.write_text(json.dumps(catalog, ensure_ascii=False, indent=2) + "\n", "utf-8")
        missing = []
    for text in missing:
        shown = text.replace(chr(0), "\\(…)")
        problems.append(f"{app_literals[text][1]}: \"{shown}\" is not in {CATALOG.relative_to(ROOT.parent)}")

    views = [p for p in files if VIEWS in p.parents]
    for problem in problems:
        print(problem)
    print(f"{len(files)} Swift files parsed ({len(views)} views), {len(app_literals)} Chinese strings checked against the catalog: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
