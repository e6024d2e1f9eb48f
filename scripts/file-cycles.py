#!/usr/bin/env python3
"""No circular imports between the files of one crate (ARCHITECTURE.md; issue 27).

A file depends on the file of each module it names through a `crate::a::b`, `super::x` or
`self::x` path, in `use` lines (groups included) or inline; the deepest module of the path
that has a file of its own is the one depended on. `mod` declarations and macro expansions
are not read. Prints, per crate under crates/, its files and the strongly connected
components of more than one file with their edges, and exits 1 if there is any.

  scripts/file-cycles.py [ROOT]      check the workspace at ROOT (default .)
  scripts/file-cycles.py --self-test check that a made-up cycle is found, and its absence not
"""
import os, re, sys
from collections import defaultdict

def modfiles(src):
    files = {}
    for root, _, names in os.walk(src):
        for n in names:
            if not n.endswith('.rs'): continue
            p = os.path.join(root, n)
            rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] in ('mod',): rel = rel[:-1]
            if rel == ['lib'] or rel == ['main']: rel = []
            if rel and rel[0] == 'bin': continue
            files[tuple(rel)] = p
    return files

PATH = re.compile(r'\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)')
USE_GROUP = re.compile(r'\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\};', re.S)

def resolve(files, mod, base, segs):
    if base == 'crate': cur = []
    elif base == 'self': cur = list(mod)
    else:
        cur = list(mod)
        # `super` from a file: the parent of its module
        cur = cur[:-1]
    # leading extra supers
    while segs and segs[0] == 'super':
        cur = cur[:-1]; segs = segs[1:]
    best = None
    path = list(cur)
    if tuple(path) in files: best = tuple(path)
    for s in segs:
        path.append(s)
        if tuple(path) in files: best = tuple(path)
        else: break
    return best

def main(root):
    bad = 0
    for crate in sorted(os.listdir(os.path.join(root, 'crates'))):
        src = os.path.join(root, 'crates', crate, 'src')
        if not os.path.isdir(src): continue
        files = modfiles(src)
        g = defaultdict(set)
        for mod, p in files.items():
            text = open(p).read()
            text = re.sub(r'//[^\n]*', '', text)
            # a file's own `mod tests` uses super:: for its parent; count it (same file)
            refs = []
            for m in USE_GROUP.finditer(text):
                base, pre, inner = m.group(1), m.group(2), m.group(3)
                for item in re.split(r',', inner):
                    item = item.strip().split(' as ')[0].strip()
                    if not item: continue
                    segs = [s for s in (pre + '::' + item.split('::{')[0]).split('::') if s]
                    refs.append((base, segs))
            for m in PATH.finditer(text):
                refs.append((m.group(1), [s for s in m.group(2).split('::') if s]))
            for base, segs in refs:
                t = resolve(files, mod, base, segs)
                if t is not None and t != mod and t != ():
                    g[mod].add(t)
        # Tarjan
        index = {}; low = {}; stack = []; on = set(); sccs = []; n = [0]
        sys.setrecursionlimit(10000)
        def strong(v):
            index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
            for w in g[v]:
                if w not in index: strong(w); low[v] = min(low[v], low[w])
                elif w in on: low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v: break
                if len(comp) > 1: sccs.append(comp)
        for v in list(files):
            if v not in index: strong(v)
        print(f"{crate}: {len(files)} files, {len(sccs)} cycles")
        for c in sccs:
            bad += 1
            print("   ", " <-> ".join('/'.join(x) or 'lib' for x in sorted(c)))
            cs=set(c)
            for a in sorted(c):
                for b in sorted(g[a]):
                    if b in cs: print("       ", '/'.join(a), "->", '/'.join(b))
    return bad

def self_test():
    import tempfile
    def crate(files):
        root = tempfile.mkdtemp()
        for path, text in files.items():
            full = os.path.join(root, 'crates', 'demo', 'src', path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            open(full, 'w').write(text)
        return root
    lib = 'mod a;\nmod b;\n'
    cyclic = crate({'lib.rs': lib, 'a.rs': 'use crate::b::B;\npub struct A;\n',
                    'b/mod.rs': 'use crate::a::{A, X as Y};\npub struct B;\n'})
    acyclic = crate({'lib.rs': lib, 'a.rs': 'use crate::b::B;\npub struct A;\n',
                     'b/mod.rs': 'pub struct B; // crate::a::A in a comment\n'})
    found, clean = main(cyclic), main(acyclic)
    if found != 1 or clean != 0:
        print(f"self-test FAILED: {found} cycle(s) in the cyclic crate, {clean} in the clean one")
        return 1
    print("self-test passed: the cycle a <-> b is found, and none where there is none")
    return 0

if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(self_test())
    sys.exit(1 if main(sys.argv[1] if len(sys.argv) > 1 else '.') else 0)
