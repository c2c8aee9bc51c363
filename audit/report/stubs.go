package report

import (
	"errors"
	"io"
)

func WriteXLSX(w io.Writer, r *Report) error    { return errors.New("todo") }
func writeTrendXLSX(w io.Writer, t *Trend) error { return errors.New("todo") }
