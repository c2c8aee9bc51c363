package main

import (
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

// Color reports whether Out may be coloured: a terminal and no NO_COLOR.
func (s *IOStreams) Color() bool {
	return s.OutTerminal && os.Getenv("NO_COLOR") == ""
}
