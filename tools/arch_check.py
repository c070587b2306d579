"""Shape of a Python package, from its source alone (nothing is imported or run).

The guides of CONTRIBUTING.md, checked: ``python tools/arch_check.py digest``.

Usage: arch_check.py PACKAGE_DIR [--max-module 400] [--max-function 60]
Prints a JSON line: modules over the line limit, functions over the line limit, import cycles
between the package's modules (imports anywhere in a module, lazy ones included), and places that
assign into another library's objects (monkeypatching: `x.attr = ...` where x was imported from
mkdocs, material or jinja2, or setattr on one; a method replaced on an object, which mypy flags as
method-assign).
"""

import ast
import json
import sys
from pathlib import Path


def main():
    root = Path(sys.argv[1]).resolve()
    args = sys.argv[2:]
    maxm = int(args[args.index("--max-module") + 1]) if "--max-module" in args else 400
    maxf = int(args[args.index("--max-function") + 1]) if "--max-function" in args else 60
    mods = {}
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        mods[name] = f
    big, longf, edges, patches = [], [], {m: set() for m in mods}, []
    for name, f in mods.items():
        src = f.read_text()
        tree = ast.parse(src)
        for ln, line in enumerate(src.splitlines(), 1):
            if "method-assign" in line:
                patches.append(f"{f.relative_to(root.parent)}:{ln} {line.strip()[:70]}")
        n = len(src.splitlines())
        if n > maxm:
            big.append(f"{f.relative_to(root.parent)} {n}")
        foreign = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ln = node.end_lineno - node.lineno + 1
                if ln > maxf:
                    longf.append(f"{f.relative_to(root.parent)}:{node.name} {ln}")
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = name.split(".") if f.name == "__init__.py" else name.split(".")[:-1]
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
                for t in targets:
                    if t in mods and t != name:
                        edges[name].add(t)
                if base.split(".")[0] in {"mkdocs", "material", "jinja2"}:
                    foreign.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods and a.name != name:
                        edges[name].add(a.name)
                    if a.name.split(".")[0] in {"mkdocs", "material", "jinja2"}:
                        foreign.add((a.asname or a.name).split(".")[0])
        for node in ast.walk(tree):
            tgts = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign)
                else []
            )
            for t in tgts:
                if isinstance(t, ast.Attribute):
                    base = t.value
                    while isinstance(base, ast.Attribute):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id in foreign:
                        patches.append(
                            f"{f.relative_to(root.parent)}:{node.lineno} {ast.unparse(t)}"
                        )
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
            ):
                a0 = node.args[0]
                while isinstance(a0, ast.Attribute):
                    a0 = a0.value
                if isinstance(a0, ast.Name) and a0.id in foreign:
                    target = ast.unparse(node.args[0])
                    patches.append(
                        f"{f.relative_to(root.parent)}:{node.lineno} setattr({target}, ...)"
                    )
    # strongly connected components (Tarjan)
    index, low, stack, on, sccs, i = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = i[0]
        i[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in mods:
        if v not in index:
            visit(v)
    # a package importing its own submodules from __init__ is not a cycle worth reporting
    cycles = [c for c in sccs if not all(m == c[0] or m.startswith(c[0] + ".") for m in c)]
    print(
        json.dumps(
            {
                "modules": len(mods),
                "big_modules": big,
                "long_functions": longf,
                "cycles": cycles,
                "monkeypatches": patches,
            }
        )
    )


if __name__ == "__main__":
    main()
