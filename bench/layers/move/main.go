// Command move moves top-level declarations between the files of one Go
// package without changing them, and says which declarations reach the
// store; it is how audit's files were split into what an audit is (its
// types and the folds of its trail) and its use cases (what reads and writes
// the store), and re-running it is how a branch that edited the old files is
// brought onto the new layout (see split-audit.sh):
//
//	go run ./bench/layers/move -dir audit -to findings_store.go Store.Record recordTx
//	go run ./bench/layers/move -dir audit -plan
//
// A declaration is named as Go spells it: a function, type, variable or
// constant by its name, a method as Type.Method. A parenthesised const, var or
// type group moves whole, named by any of its names. The declaration's doc
// comment moves with it; the target file is created when absent, and both
// files' imports are then fixed (golang.org/x/tools/imports, as goimports
// does) and the files gofmt-ed.
//
// -plan type-checks the package and prints, per file, the declarations that
// use the store (a *Store, a transaction, a chain, or a declaration that does,
// transitively) and those that do not.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/imports"
)

func main() {
	dir := flag.String("dir", ".", "the package's folder")
	to := flag.String("to", "", "the file to move the named declarations to")
	plan := flag.Bool("plan", false, "print which declarations use the store")
	flag.Parse()
	var err error
	switch {
	case *plan:
		err = planFiles(*dir)
	case *to != "" && flag.NArg() > 0:
		err = move(*dir, *to, flag.Args())
	default:
		fmt.Fprintln(os.Stderr, "usage: move -dir DIR (-plan | -to FILE decl...)")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "move:", err)
		os.Exit(1)
	}
}

// names returns the names a top-level declaration answers to.
func names(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			t := d.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if ix, ok := t.(*ast.IndexExpr); ok {
				t = ix.X
			}
			if id, ok := t.(*ast.Ident); ok {
				return []string{id.Name + "." + d.Name.Name}
			}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		var out []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				out = append(out, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					out = append(out, n.Name)
				}
			}
		}
		return out
	}
	return nil
}

type cut struct{ start, end int }

func move(dir, to string, want []string) error {
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		return err
	}
	target := filepath.Join(dir, to)
	var moved bytes.Buffer
	var pkgName string
	var importSrc []string
	var files []string
	for _, p := range pkgs {
		pkgName = p.Name
		for name := range p.Files {
			files = append(files, name)
		}
	}
	sort.Strings(files)
	for _, p := range pkgs {
		for _, name := range files {
			f := p.Files[name]
			if f == nil || filepath.Clean(name) == filepath.Clean(target) {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			tf := fset.File(f.Pos())
			var cuts []cut
			for _, d := range f.Decls {
				hit := false
				for _, n := range names(d) {
					if left[n] {
						hit = true
						delete(left, n)
					}
				}
				if !hit {
					continue
				}
				start := d.Pos()
				if doc := docOf(d); doc != nil {
					start = doc.Pos()
				}
				s, e := tf.Offset(start), tf.Offset(d.End())
				// Take the rest of the last line (a trailing comment) and
				// its newline.
				for e < len(src) && src[e] != '\n' {
					e++
				}
				if e < len(src) {
					e++
				}
				cuts = append(cuts, cut{s, e})
				moved.WriteString("\n")
				moved.Write(src[s:e])
			}
			if len(cuts) == 0 {
				continue
			}
			for _, imp := range f.Imports {
				importSrc = append(importSrc, string(src[tf.Offset(imp.Pos()):tf.Offset(imp.End())]))
			}
			var out []byte
			prev := 0
			for _, c := range cuts {
				out = append(out, src[prev:c.start]...)
				prev = c.end
			}
			out = append(out, src[prev:]...)
			if err := writeFixed(name, out); err != nil {
				return err
			}
		}
	}
	if len(left) > 0 {
		var l []string
		for n := range left {
			l = append(l, n)
		}
		sort.Strings(l)
		return fmt.Errorf("not found in %s: %s", dir, strings.Join(l, " "))
	}
	old, err := os.ReadFile(target)
	if os.IsNotExist(err) {
		old = []byte("package " + pkgName + "\n")
	} else if err != nil {
		return err
	}
	// Give the target every import the moved code's files had, right after
	// its package clause; the fix below drops the ones it does not use.
	of, err := parser.ParseFile(token.NewFileSet(), target, old, parser.PackageClauseOnly)
	if err != nil {
		return err
	}
	at := int(of.Name.End()) - 1
	var buf bytes.Buffer
	buf.Write(old[:at])
	if len(importSrc) > 0 {
		buf.WriteString("\n\nimport (\n")
		for _, s := range importSrc {
			buf.WriteString("\t" + s + "\n")
		}
		buf.WriteString(")\n")
	}
	buf.Write(old[at:])
	buf.Write(moved.Bytes())
	return writeFixed(target, buf.Bytes())
}

func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}

func writeFixed(name string, src []byte) error {
	out, err := hoistImports(name, src)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return os.WriteFile(name, out, 0o644)
}

// hoistImports merges every import declaration of a file into one block
// right after the package clause.
func hoistImports(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	tf := fset.File(f.Pos())
	var specs []string
	var cuts []cut
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		for _, s := range g.Specs {
			specs = append(specs, string(src[tf.Offset(s.Pos()):tf.Offset(s.End())]))
		}
		cuts = append(cuts, cut{tf.Offset(g.Pos()), tf.Offset(g.End())})
	}
	if len(cuts) < 2 {
		return imports.Process(name, src, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
	}
	slices.Sort(specs)
	specs = slices.Compact(specs)
	var out []byte
	prev := 0
	for i, c := range cuts {
		out = append(out, src[prev:c.start]...)
		if i == 0 {
			out = append(out, "import (\n\t"+strings.Join(specs, "\n\t")+"\n)"...)
		}
		prev = c.end
	}
	out = append(out, src[prev:]...)
	return imports.Process(name, out, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
}

// planFiles prints, per file, the declarations that reach the store and
// those that do not.
func planFiles(dir string) error {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: dir}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return err
	}
	if packages.PrintErrors(pkgs) > 0 {
		return fmt.Errorf("type errors")
	}
	p := pkgs[0]
	type unit struct {
		file, name string
		deps       map[*unit]bool
		direct     bool // uses the store's transactions itself
	}
	byObj := map[types.Object]*unit{}
	var units []*unit
	declUnit := map[ast.Decl]*unit{}
	for _, f := range p.Syntax {
		file := filepath.Base(p.Fset.File(f.Pos()).Name())
		for _, d := range f.Decls {
			ns := names(d)
			if len(ns) == 0 {
				continue
			}
			u := &unit{file: file, name: strings.Join(ns, ","), deps: map[*unit]bool{}}
			units = append(units, u)
			declUnit[d] = u
			switch d := d.(type) {
			case *ast.FuncDecl:
				byObj[p.TypesInfo.Defs[d.Name]] = u
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						byObj[p.TypesInfo.Defs[s.Name]] = u
					case *ast.ValueSpec:
						for _, n := range s.Names {
							byObj[p.TypesInfo.Defs[n]] = u
						}
					}
				}
			}
		}
	}
	impureStore := map[string]bool{"Tx": true, "WriteTx": true, "Chain": true, "Store": true, "Open": true, "Copy": true, "CopyWith": true, "Prefetch": true}
	for d, u := range declUnit {
		ast.Inspect(d, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := p.TypesInfo.Uses[id]
			if obj == nil {
				return true
			}
			if obj.Pkg() != nil && obj.Pkg().Path() == p.PkgPath+"/store" && impureStore[obj.Name()] {
				u.direct = true
			}
			if obj.Pkg() == p.Types {
				// fields and methods belong to their type's unit
				key := obj
				if v, ok := obj.(*types.Var); ok && v.IsField() {
					return true
				}
				if w, ok := byObj[key]; ok && w != u {
					u.deps[w] = true
				}
			}
			return true
		})
	}
	impure := map[*unit]bool{}
	for changed := true; changed; {
		changed = false
		for _, u := range units {
			if impure[u] {
				continue
			}
			if u.direct {
				impure[u], changed = true, true
				continue
			}
			for w := range u.deps {
				if impure[w] {
					impure[u], changed = true, true
					break
				}
			}
		}
	}
	sort.SliceStable(units, func(i, j int) bool { return units[i].file < units[j].file })
	file := ""
	for _, u := range units {
		if u.file != file {
			file = u.file
			fmt.Println("==", file)
		}
		tag := "pure "
		if impure[u] {
			tag = "STORE"
		}
		fmt.Println("  ", tag, u.name)
	}
	return nil
}
