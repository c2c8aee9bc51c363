package report

import "testing"

func dumpXLSX(t *testing.T, b []byte) string { return "" }
