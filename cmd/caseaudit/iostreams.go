package main

import (
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/localetext"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams: data goes to Out, messages and
// progress to Err. Tests give buffers; Main gives the process's streams.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	InTerminal  bool
	OutTerminal bool
	ErrTerminal bool
}

func systemStreams() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// textOut is stdout for text meant for people (tables, text and Markdown
// reports): in the character set of the user's locale when it is not
// UTF-8 (see localetext). Data for programs — JSON, CSV, HTML, xlsx — is
// written to g.IO.Out itself, in UTF-8 whatever the locale.
func (g *globalOptions) textOut() io.Writer { return localetext.Writer(g.IO.Out, nil) }

// forPeople reports whether a report format is text for people, which
// stdout carries in the locale's character set (textOut).
func forPeople(f report.Format) bool { return f == report.Table || f == report.Markdown }

// Color reports whether Out may be coloured: a terminal and no NO_COLOR.
func (s *IOStreams) Color() bool {
	return s.OutTerminal && os.Getenv("NO_COLOR") == ""
}
