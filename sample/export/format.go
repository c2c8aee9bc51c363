package export

// The formats of Table.Format.
const (
	FormatCSV  = formatCSV
	FormatXLSX = formatXLSX
)

// FormatOf recognises a file's format from its bytes, as Open does: FormatXLSX
// for a workbook (or an encrypted one, or a legacy file Open explains), or
// FormatCSV for text. It is how a caller re-reading an export that may have
// been saved in the other format decides whether a recorded sheet applies.
func FormatOf(path string, opts OpenOptions) (string, error) { return detectFormat(path, opts) }
