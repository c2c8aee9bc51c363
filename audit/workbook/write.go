package workbook

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// Write writes the auditors' workbook as xlsx to w. Every value is
// written as a string cell, so nothing from the export can become a formula.
func Write(w io.Writer, spec Spec) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetInstructions); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetSample); err != nil {
		return err
	}
	if err := writeSampleSheet(f, &spec); err != nil {
		return err
	}
	if err := writeInstructions(f, &spec); err != nil {
		return err
	}
	if err := writePaperSheet(f, &spec); err != nil {
		return err
	}
	if err := writeMethodSheet(f, spec); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}
