package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// storeSide reports whether a file of the package is on the store's side:
// the store handle and what is done with an audit on the store.
func storeSide(name string) bool {
	return strings.HasSuffix(name, "_store.go") || name == "open.go" || name == "copy.go"
}

// TestProjectionsUseNoStore keeps the layering doc.go describes: the files
// that say what an audit is and fold its trail use nothing declared on the
// store's side (a *Store, a transaction, a read of the trail), so they can
// be tested on hand-written entries.
func TestProjectionsUseNoStore(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var sides []string
	declared := map[string]string{} // name -> store-side file declaring it
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		if !storeSide(name) {
			sides = append(sides, name)
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = name
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						declared[s.Name.Name] = name
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declared[n.Name] = name
						}
					}
				}
			}
		}
	}
	if len(declared) == 0 {
		t.Fatal("no store-side declarations found: the test reads no files")
	}
	var bad []string
	for _, name := range sides {
		// Names declared in the file itself (parameters, locals, fields)
		// may shadow a store-side name; the parser's own resolution of
		// identifiers tells them apart from package-level uses.
		g, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				// x.Name: only x can be a name of this package.
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "store" && x.Obj == nil {
					switch n.Sel.Name {
					case "Tx", "WriteTx", "Chain", "Store", "Open", "Copy", "CopyWith", "Prefetch":
						bad = append(bad, fset.Position(n.Pos()).String()+": store."+n.Sel.Name)
					}
				}
				ast.Inspect(n.X, visit)
				return false
			case *ast.KeyValueExpr:
				// A field name in a composite literal is not a use.
				if _, ok := n.Key.(*ast.Ident); !ok {
					ast.Inspect(n.Key, visit)
				}
				ast.Inspect(n.Value, visit)
				return false
			case *ast.Ident:
				if file, ok := declared[n.Name]; ok && n.Obj == nil {
					bad = append(bad, fset.Position(n.Pos()).String()+": "+n.Name+" (declared in "+file+")")
				}
			}
			return true
		}
		ast.Inspect(g, visit)
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s, a file that folds the trail, uses the store's side", b)
	}
}
