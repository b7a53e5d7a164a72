#!/usr/bin/env python3
"""Checks every Kotlin file of the Android app without an Android SDK.

1. Each .kt and .kts under android/ parses with the Kotlin grammar
   (tree-sitter-kotlin): no ERROR or MISSING node.
2. The layers hold: only android/rust imports the generated bindings
   (court.cloudtrial.core); no view (android/app/.../ui) imports the bindings
   or the Rust-backed services; the plain-Kotlin modules import nothing from
   Android.

Prints each problem and a summary; exits non-zero on any problem.
Usage: android/check-kotlin.py  (needs: pip install tree-sitter tree-sitter-kotlin)
"""
import re
import sys
from pathlib import Path

import tree_sitter_kotlin
from tree_sitter import Language, Parser

from syntax_tree import syntax_errors

ROOT = Path(__file__).resolve().parent
KOTLIN = Language(tree_sitter_kotlin.language())
parser = Parser(KOTLIN)

IMPORT = re.compile(r"^\s*import\s+([\w.]+)", re.MULTILINE)
GENERATED = "court.cloudtrial.core"
RUST_BACKED = "court.cloudtrial.app.rust"
UI = ROOT / "app/src/main/kotlin/court/cloudtrial/app/ui"
PLAIN = [ROOT / "features", ROOT / "rust"]


def main():
    files = sorted(p for p in ROOT.rglob("*") if p.suffix in (".kt", ".kts") and "build" not in p.relative_to(ROOT).parts)
    problems = []
    for path in files:
        source = path.read_bytes()
        for line, column, kind in syntax_errors(parser.parse(source)):
            problems.append(f"{path.relative_to(ROOT.parent)}:{line}:{column}: {kind}")
        imports = IMPORT.findall(source.decode("utf-8"))
        rel = path.relative_to(ROOT.parent)
        in_rust = (ROOT / "rust") in path.parents
        for name in imports:
            if name.startswith(GENERATED + ".") and not in_rust:
                problems.append(f"{rel}: imports the generated bindings ({name}); only android/rust may")
            if UI in path.parents and name.startswith(RUST_BACKED + "."):
                problems.append(f"{rel}: a view imports the Rust-backed services ({name})")
            if any(p in path.parents for p in PLAIN) and name.split(".")[0] in ("android", "androidx"):
                problems.append(f"{rel}: plain-Kotlin module imports Android ({name})")
    views = [p for p in files if UI in p.parents]
    for problem in problems:
        print(problem)
    print(f"{len(files)} Kotlin files parsed ({len(views)} views): {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
