package export

// sharedStringsOf builds a table of the given entries.
func sharedStringsOf(entries ...string) *sharedStrings {
	t := &sharedStrings{}
	for _, e := range entries {
		t.add([]byte(e))
	}
	t.done()
	return t
}
