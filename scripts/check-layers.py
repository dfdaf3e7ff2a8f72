#!/usr/bin/env python3
"""Check which files of the `app` crate import which, and report what breaks the layering.

Usage, from the repository root (exit 0 when clean, 1 otherwise):
    python3 scripts/check-layers.py            # run the checks
    python3 scripts/check-layers.py --graph    # print every file's resolved imports and exit
    python3 scripts/check-layers.py --layers   # print the layer table (LAYERS below) and exit

Every .rs file under app/src is tokenized (comments, strings and `#[cfg(test)] mod x { .. }`
blocks skipped). Each `use` declaration and each inline `crate::`/`super::`/`self::` path is
resolved to the longest prefix naming a module FILE (`a/b.rs` or `a/b/mod.rs` is `crate::a::b`,
`lib.rs` the root). Reports: (1) circles, i.e. strongly connected components of more than one
file, leaving out edges from a `mod.rs` into its own subtree and from `lib.rs` (declaring or
re-exporting children is no circle); (2) imports of a file in a later layer than the importer's;
(3) files no layer prefix matches. Blind spots: calls through a module alias (`use super::db;`
then `db::x()` counts only via the `use`), paths made up inside macros, and re-exports (an item
reached through a parent's `pub use` counts as an import of that parent `mod.rs`).
"""
import argparse
import re
import sys
from pathlib import Path

# Lowest layer first. A file may import its own layer and earlier ones, never
# a later one. Prefixes are relative to app/src: "x/" is a folder, else a file.
LAYERS = [
    ("base", ["error.rs", "factors/", "twofactor/"]),
    ("model", ["model.rs", "validate.rs", "api_access.rs", "applications.rs", "security_keys.rs", "upstream.rs"]),
    ("rules", ["policy/", "oidc/"]),
    # The server side, bottom up: what every part shares (AppState, the clock, the
    # database, the hasher, the vocabulary of refusals), the words, the
    # repositories, the guards, the use cases, and the gate in front of them.
    ("server foundation", ["server/mod.rs", "server/clock.rs", "server/db.rs", "server/meters.rs",
                           "server/password.rs", "server/refusals.rs", "server/webauthn.rs"]),
    ("words", ["server/words/"]),
    ("store", ["server/store/"]),
    # Clients of other services (identity providers) over the stored settings.
    ("outbound", ["server/upstream/"]),
    ("guards", ["server/guards/"]),
    ("use cases", ["server/flows/", "server/key_rotation.rs"]),
    ("gate", ["server/gate/"]),
    ("server functions", ["server_fns/"]),
    ("ui", ["ui/"]),
    ("root", ["lib.rs"]),
]

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "app" / "src"

# One token per match; comments, strings, chars and lifetimes are dropped so
# that braces and paths inside them are never seen.
TOKEN = re.compile(r"""
    (?P<skip> //[^\n]* | \s+ | '[A-Za-z_]\w*(?!') )          # line comments, blanks, lifetimes
  | (?P<block> /\* )
  | (?P<raw> b?r(?P<hashes>\#*)" )
  | (?P<str> b?"(?:\\.|[^"\\])*" | b?'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])' )
  | (?P<tok> (?:r\#)?[A-Za-z_]\w* | \d\w* | :: | . )
""", re.VERBOSE | re.DOTALL)
NESTING = re.compile(r"/\*|\*/")
IDENT = re.compile(r"[A-Za-z_]\w*$")


def tokenize(src):
    toks, pos = [], 0
    while pos < len(src):
        m = TOKEN.match(src, pos)
        kind, pos = m.lastgroup, m.end()
        if kind == "block":  # block comments nest in Rust
            depth = 1
            while depth and (c := NESTING.search(src, pos)):
                depth, pos = depth + (1 if c.group() == "/*" else -1), c.end()
            pos = pos if depth == 0 else len(src)
        elif kind == "raw":
            end = src.find('"' + m.group("hashes"), pos)
            pos = len(src) if end < 0 else end + 1 + len(m.group("hashes"))
        elif kind == "tok":
            toks.append(m.group().removeprefix("r#"))
    return toks + ["<eof>"] * 4  # sentinels so look-ahead never runs off the end


def module_path(rel):
    """app/src-relative file -> module path tuple (lib.rs is the root)."""
    parts = rel.removesuffix(".rs").split("/")
    return tuple(parts[:-1] if parts[-1] in ("mod", "lib") else parts)


def skip_group(toks, j):
    """toks[j] opens a bracket; return the index after its match."""
    opener, depth = toks[j], 0
    closer = {"[": "]", "{": "}", "(": ")"}[opener]
    while toks[j] != "<eof>":
        depth += (toks[j] == opener) - (toks[j] == closer)
        j += 1
        if depth == 0:
            break
    return j


def use_tree(toks, i, prefix):
    """Parse one use tree at i; return ([(segments, shown name)], next index)."""
    segs = list(prefix)
    i += toks[i] == "::"  # 2015-style leading `::`
    while True:
        t = toks[i]
        if t == "{":
            out, i = [], i + 1
            while toks[i] not in ("}", "<eof>"):
                sub, i = use_tree(toks, i, segs)
                out += sub
                if toks[i] == ",":
                    i += 1
                elif toks[i] != "}":  # unexpected: bail out of the group
                    break
            return out, i + 1
        if t == "*":
            return [(segs, "*")], i + 1
        if not IDENT.match(t):
            return [], i
        segs.append(t)
        i += 1
        if toks[i] == "::":
            i += 1
            continue
        if toks[i] == "as":
            i += 2
        # `{self, ..}` imports the module itself: show it under its own name.
        name = segs[-2] if t == "self" and len(segs) > 1 else t
        return [(segs, name)], i


def scan(toks, mod):
    """Yield (segments, shown name or None, is_use, module path) for each path in a file."""
    i, depth, inline = 0, 0, []  # inline: stack of (name, depth) of inline `mod x {`
    while toks[i] != "<eof>":
        t = toks[i]
        here = mod + tuple(name for name, _ in inline)
        start = i + 1 + (toks[i + 1] == "!")
        if t == "#" and toks[start] == "[":
            i = skip_group(toks, start)
            attr = toks[start + 1:i - 1]
            if attr[:1] == ["cfg"] and "test" in attr and "not" not in attr:
                j = i
                while toks[j] == "#":  # further attributes on the same item
                    j = skip_group(toks, j + 1)
                j += toks[j] == "pub"
                j = skip_group(toks, j) if toks[j] == "(" else j
                if toks[j] == "mod" and toks[j + 2] == "{":
                    i = skip_group(toks, j + 2)  # test-only module: ignore entirely
            continue
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if inline and depth < inline[-1][1]:
                inline.pop()
        elif t == "mod" and IDENT.match(toks[i + 1]) and toks[i + 2] == "{":
            inline.append((toks[i + 1], depth + 1))
        elif t == "use" and (i == 0 or toks[i - 1] != "+"):  # not `impl Tr + use<'a>`
            trees, i = use_tree(toks, i + 1, [])
            for segs, name in trees:
                yield segs, name, True, here
            continue
        elif t in ("crate", "super", "self") and toks[i + 1] == "::" and toks[i - 1] != "::":
            segs, i = [t], i + 2
            while IDENT.match(toks[i]):
                segs.append(toks[i])
                i += 1
                if toks[i] != "::" or not IDENT.match(toks[i + 1]):
                    break
                i += 1
            yield segs, None, False, here
            continue
        i += 1


def resolve(modules, here, segs, is_use):
    """Return (file, remaining segments) for a path, or None if it leaves the crate."""
    head, rest = segs[0], list(segs)
    if head == "crate":
        base, rest = (), rest[1:]
    elif head in ("self", "super"):
        base = here
        if rest[0] == "self":
            rest = rest[1:]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif is_use and here + (head,) in modules:  # 2018 uniform path to a child module
        base = here
    else:
        return None  # std, another crate, or a name we cannot see
    if rest and rest[-1] == "self":
        rest = rest[:-1]
    full = base + tuple(rest)
    for k in range(len(full), -1, -1):
        if full[:k] in modules:
            return modules[full[:k]], full[k:]
    return None


def build_graph():
    files = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.rs"))
    modules = {module_path(f): f for f in files}
    graph = {f: {} for f in files}  # file -> {imported file -> [names]}
    for f in files:
        toks = tokenize((SRC / f).read_text(encoding="utf-8"))
        for segs, name, is_use, here in scan(toks, module_path(f)):
            hit = resolve(modules, here, segs, is_use)
            if hit and hit[0] != f:  # a file's paths to itself are no import
                names = graph[f].setdefault(hit[0], [])
                shown = hit[1][0] if hit[1] else (name or segs[-1])
                names += [] if shown in names else [shown]
    return graph


def in_own_subtree(src, dst):
    """True for lib.rs -> anything and P/mod.rs -> P/...: declaring children is no circle."""
    return src == "lib.rs" or src.endswith("/mod.rs") and dst.startswith(src.removesuffix("mod.rs"))


def circles(graph):
    """Tarjan's strongly connected components of size > 1."""
    edges = {f: [d for d in ds if not in_own_subtree(f, d)] for f, ds in graph.items()}
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            at = stack.index(v)  # v and everything above it on the stack
            comp, stack[at:] = stack[at:], []
            on_stack.difference_update(comp)
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(1000, 10 * len(graph)))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out), edges


def layer_of(rel):
    """Index of the layer whose longest prefix matches the file, or None."""
    hits = [(len(p), n) for n, (_, prefixes) in enumerate(LAYERS) for p in prefixes
            if (rel.startswith(p) if p.endswith("/") else rel == p)]
    return max(hits)[1] if hits else None


def show(rel):
    return f"app/src/{rel}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", action="store_true", help="print every file's resolved imports and exit")
    ap.add_argument("--layers", action="store_true", help="print the layer table and exit")
    args = ap.parse_args()

    if args.layers:
        for n, (name, prefixes) in enumerate(LAYERS, 1):
            print(f"{n}. {name}: {', '.join(prefixes)}")
        return 0
    graph = build_graph()
    if args.graph:
        for f, deps in graph.items():
            print(show(f))
            for d, names in sorted(deps.items()):
                print(f"    -> {show(d)}: {', '.join(names)}")
        return 0

    comps, edges = circles(graph)
    print(f"Circles between files: {len(comps) or 'none'}")
    for n, comp in enumerate(comps, 1):
        print(f"  circle {n}: {', '.join(show(f) for f in comp)}")
        for f in comp:
            for d in edges[f]:
                if d in comp:
                    print(f"    {show(f)} -> {show(d)}: {', '.join(graph[f][d])}")

    layer = {f: layer_of(f) for f in graph}
    unplaced = [f for f, n in layer.items() if n is None]
    # A parent mod.rs declaring and assembling its children is not an import that runs up.
    upward = [(f, d) for f, deps in graph.items() for d in deps
              if None not in (layer[f], layer[d]) and layer[d] > layer[f] and not in_own_subtree(f, d)]
    print(f"\nImports that run up: {len(upward) or 'none'}")
    for f, d in upward:
        print(f"  {show(f)} -> {show(d)} ({LAYERS[layer[f]][0]} -> {LAYERS[layer[d]][0]}): "
              f"{', '.join(graph[f][d])}")
    print(f"\nUnplaced files (no prefix in LAYERS matches): {len(unplaced) or 'none'}")
    for f in unplaced:
        print(f"  {show(f)}")
    return 1 if comps or upward or unplaced else 0


if __name__ == "__main__":
    sys.exit(main())
