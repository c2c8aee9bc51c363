package sample

import (
	"context"
	"fmt"
	"testing"
)

func TestXLSXSmoke(t *testing.T) {
	wb, err := openXLSX("/tmp/m20.xlsx", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.close()
	fmt.Println(wb.sheets())
	for i := range wb.sheets() {
		g, err := wb.grid(i)
		if err != nil {
			t.Fatal(err)
		}
		err = g.scan(context.Background(), nil, func(n int, c []string) error {
			fmt.Printf("%d %q\n", n, c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
