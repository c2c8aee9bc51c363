package report

import (
	"errors"
	"io"
)

func WriteXLSX(w io.Writer, r *Report) error { return errors.New("todo") }
func WriteHTML(w io.Writer, r *Report) error { return errors.New("todo") }
