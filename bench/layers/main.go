// Command layers measures how the files of a Go package stand on each other,
// by hand (not part of go test):
//
//	go run ./bench/layers ./audit/...            # one summary per package
//	go run ./bench/layers -v ./audit             # also the order, the back-up uses and the circles
//	go run ./bench/layers -tests ./audit         # count the package's _test.go files too
//
// A use is an identifier in file A that go/types resolves to a
// package-level object (function, type, variable, constant, or a method or
// field of one of the package's types) declared in another file B of the same
// package; it makes A depend on B. Uses are counted as distinct (A, object)
// pairs, so calling one helper ten times from one file is one use. Files
// without uses either way still count as files.
//
// The order: files are laid out bottom to top by a greedy feedback-arc-set
// heuristic (Eades, Lin and Smyth 1993) on the graph of file pairs (A uses
// something of B): repeatedly place every file that uses no file still
// unplaced at the bottom, every file no unplaced file uses at the top, and
// otherwise the file whose uses of unplaced files most outnumber the unplaced
// files' uses of it at the top; then move single files to wherever that lowers
// the number of pairs pointing up, until no move does. Ties go by file name,
// so the order is reproducible. A back-up pair is a pair (A, B) with A placed
// below B: a use a reader meets before what it points to. Columns:
//
//	files   the package's files
//	edges   file pairs (A, B) where A uses something declared in B
//	uses    distinct (file, object) uses across files
//	back-e  file pairs that point back up in the order (the layering figure)
//	back-u  the distinct uses in those pairs
//	levels  the longest chain of downward pairs, plus one
//	circles the sizes of the strongly connected components of more than one file
//
// Strongly connected components (Tarjan) are the circles of files that all
// reach each other through uses; no order can lay a circle out without pairs
// pointing up. -v lists the order, the back-up pairs with the objects they use,
// and the files of each circle.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"go/ast"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

func main() {
	verbose := flag.Bool("v", false, "print the order, the back-up uses and the circles")
	tests := flag.Bool("tests", false, "count the package's in-package _test.go files too")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/layers [-v] [-tests] packages...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	chosen, err := load(*tests, flag.Args()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "layers:", err)
		os.Exit(1)
	}
	paths := make([]string, 0, len(chosen))
	for p := range chosen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	fmt.Printf("%-48s %5s %5s %5s %6s %6s %6s %s\n", "package", "files", "edges", "uses", "back-e", "back-u", "levels", "circles (files)")
	for _, path := range paths {
		g := build(chosen[path])
		g.report(path, *verbose)
	}
}

// load type-checks the packages named by patterns, keyed by import path.
// With tests, go/packages returns the plain package, the package compiled
// with its in-package tests, the external test package and the test main;
// the one variant that holds the most of each package is kept.
func load(tests bool, patterns ...string) (map[string]*packages.Package, error) {
	cfg := &packages.Config{
		Mode:  packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Tests: tests,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		return nil, fmt.Errorf("%d errors loading %s", n, strings.Join(patterns, " "))
	}
	chosen := map[string]*packages.Package{}
	for _, p := range pkgs {
		if strings.HasSuffix(p.PkgPath, ".test") || strings.HasSuffix(p.Name, "_test") {
			continue
		}
		if old, ok := chosen[p.PkgPath]; !ok || len(p.Syntax) > len(old.Syntax) {
			chosen[p.PkgPath] = p
		}
	}
	return chosen, nil
}

// graph holds one package's files and the uses between them.
type graph struct {
	files []string                   // base names, sorted
	uses  map[[2]int]map[string]bool // (from, to) -> names of the objects used
}

func build(p *packages.Package) *graph {
	g := &graph{uses: map[[2]int]map[string]bool{}}
	index := map[string]int{}
	for _, f := range p.Syntax {
		name := filepath.Base(p.Fset.File(f.Pos()).Name())
		g.files = append(g.files, name)
	}
	sort.Strings(g.files)
	for i, f := range g.files {
		index[f] = i
	}
	fileOf := func(obj types.Object) (int, bool) {
		if obj == nil || obj.Pkg() != p.Types || !obj.Pos().IsValid() {
			return 0, false
		}
		if !declaredAtPackageLevel(obj) {
			return 0, false
		}
		i, ok := index[filepath.Base(p.Fset.Position(obj.Pos()).Filename)]
		return i, ok
	}
	for _, f := range p.Syntax {
		from := index[filepath.Base(p.Fset.File(f.Pos()).Name())]
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := p.TypesInfo.Uses[id]
			to, ok := fileOf(obj)
			if !ok || to == from {
				return true
			}
			k := [2]int{from, to}
			if g.uses[k] == nil {
				g.uses[k] = map[string]bool{}
			}
			g.uses[k][qualified(obj)] = true
			return true
		})
	}
	return g
}

// declaredAtPackageLevel reports whether obj is a package-level object or a
// method or field reachable through one (not a local variable or parameter).
func declaredAtPackageLevel(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		return true // functions and methods; closures are not *types.Func
	case *types.Var:
		if o.IsField() {
			return true
		}
		return o.Parent() == o.Pkg().Scope()
	case *types.Const, *types.TypeName:
		return obj.Parent() == obj.Pkg().Scope() || obj.Parent() == nil
	}
	return false
}

func qualified(obj types.Object) string {
	if f, ok := obj.(*types.Func); ok {
		if recv := f.Signature().Recv(); recv != nil {
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := t.(*types.Named); ok {
				return n.Obj().Name() + "." + f.Name()
			}
		}
	}
	if v, ok := obj.(*types.Var); ok && v.IsField() {
		return "field " + v.Name()
	}
	return obj.Name()
}

// order lays the files out bottom (index 0) to top by the greedy heuristic
// described in the package comment.
func (g *graph) order() []int {
	n := len(g.files)
	placed := make([]bool, n)
	var bottom, top []int        // top is filled from the top down
	out := func(v int) (k int) { // uses by v of unplaced files
		for e := range g.uses {
			if e[0] == v && !placed[e[1]] {
				k++
			}
		}
		return k
	}
	in := func(v int) (k int) {
		for e := range g.uses {
			if e[1] == v && !placed[e[0]] {
				k++
			}
		}
		return k
	}
	left := n
	for left > 0 {
		progress := true
		for progress {
			progress = false
			for v := 0; v < n; v++ {
				if !placed[v] && out(v) == 0 {
					placed[v], left, progress = true, left-1, true
					bottom = append(bottom, v)
				}
			}
			for v := 0; v < n; v++ {
				if !placed[v] && in(v) == 0 {
					placed[v], left, progress = true, left-1, true
					top = append(top, v)
				}
			}
		}
		if left == 0 {
			break
		}
		best, bestScore := -1, 0
		for v := 0; v < n; v++ {
			if placed[v] {
				continue
			}
			if s := out(v) - in(v); best < 0 || s > bestScore {
				best, bestScore = v, s
			}
		}
		placed[best], left = true, left-1
		top = append(top, best)
	}
	slices.Reverse(top)
	return g.improve(append(bottom, top...))
}

// improve moves one file at a time to the place where the fewest pairs of
// files point back up, until no single move lowers that count. Moves are tried
// in a fixed order, so the result is reproducible.
func (g *graph) improve(ord []int) []int {
	backs := func(o []int) int {
		pos := make([]int, len(o))
		for i, v := range o {
			pos[v] = i
		}
		k := 0
		for e := range g.uses {
			if pos[e[0]] < pos[e[1]] {
				k++
			}
		}
		return k
	}
	best := backs(ord)
	for improved := true; improved; {
		improved = false
		for i := 0; i < len(ord); i++ {
			for j := 0; j < len(ord); j++ {
				if i == j {
					continue
				}
				o := slices.Clone(ord)
				v := o[i]
				o = slices.Delete(o, i, i+1)
				o = slices.Insert(o, j, v)
				if k := backs(o); k < best {
					ord, best, improved = o, k, true
				}
			}
		}
	}
	return ord
}

// sccs returns the strongly connected components (Tarjan), largest first.
func (g *graph) sccs() [][]int {
	n := len(g.files)
	adj := make([][]int, n)
	for e := range g.uses {
		adj[e[0]] = append(adj[e[0]], e[1])
	}
	for _, a := range adj {
		sort.Ints(a)
	}
	idx, low := make([]int, n), make([]int, n)
	on := make([]bool, n)
	for i := range idx {
		idx[i] = -1
	}
	var stack []int
	var out [][]int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		idx[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range adj[v] {
			if idx[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			var c []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				c = append(c, w)
				if w == v {
					break
				}
			}
			sort.Ints(c)
			out = append(out, c)
		}
	}
	for v := 0; v < n; v++ {
		if idx[v] < 0 {
			visit(v)
		}
	}
	slices.SortStableFunc(out, func(a, b []int) int { return cmp.Compare(len(b), len(a)) })
	return out
}

func (g *graph) report(path string, verbose bool) {
	ord := g.order()
	pos := make([]int, len(g.files))
	for i, v := range ord {
		pos[v] = i
	}
	type back struct {
		from, to int
		names    []string
	}
	var backs []back
	uses, backUses := 0, 0
	for e, objs := range g.uses {
		uses += len(objs)
		if pos[e[0]] < pos[e[1]] {
			backUses += len(objs)
			names := make([]string, 0, len(objs))
			for o := range objs {
				names = append(names, o)
			}
			sort.Strings(names)
			backs = append(backs, back{e[0], e[1], names})
		}
	}
	// Levels: longest chain of downward uses below each file.
	level := make([]int, len(g.files))
	levels := 0
	for _, v := range ord {
		for e := range g.uses {
			if e[0] == v && pos[e[1]] < pos[v] {
				level[v] = max(level[v], level[e[1]]+1)
			}
		}
		levels = max(levels, level[v]+1)
	}
	if len(g.files) == 0 {
		levels = 0
	}
	var circles []string
	comps := g.sccs()
	for _, c := range comps {
		if len(c) > 1 {
			circles = append(circles, fmt.Sprint(len(c)))
		}
	}
	circ := strings.Join(circles, ",")
	if circ == "" {
		circ = "-"
	}
	fmt.Printf("%-48s %5d %5d %5d %6d %6d %6d %s\n", path, len(g.files), len(g.uses), uses, len(backs), backUses, levels, circ)
	if !verbose {
		return
	}
	fmt.Println("  order, top first (level, file):")
	for i := len(ord) - 1; i >= 0; i-- {
		fmt.Printf("    %2d %s\n", level[ord[i]], g.files[ord[i]])
	}
	slices.SortFunc(backs, func(a, b back) int {
		return cmp.Or(cmp.Compare(g.files[a.from], g.files[b.from]), cmp.Compare(g.files[a.to], g.files[b.to]))
	})
	if len(backs) > 0 {
		fmt.Println("  back-up uses (lower file -> higher file: objects):")
		for _, b := range backs {
			fmt.Printf("    %s -> %s: %s\n", g.files[b.from], g.files[b.to], strings.Join(b.names, ", "))
		}
	}
	for _, c := range comps {
		if len(c) < 2 {
			continue
		}
		names := make([]string, len(c))
		for i, v := range c {
			names[i] = g.files[v]
		}
		fmt.Printf("  circle of %d: %s\n", len(c), strings.Join(names, " "))
	}
}
