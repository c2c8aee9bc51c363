package export

// CoresBusy reports whether the machine's cores are all taken already (the
// threads runnable besides this one fill GOMAXPROCS; see coresBusy): work handed to
// another goroutine would only queue behind other programs, so callers keep
// it on their own, as the csv scan does.
func CoresBusy() bool { return coresBusy() }
