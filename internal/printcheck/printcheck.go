// Package printcheck renders workbooks the way a QA officer prints them —
// through LibreOffice, headless, to PDF — and reads back what came out:
// pages per sheet and where each word landed. Tests use it to check page
// counts and that no cell is cut; nothing outside tests uses it.
//
// It needs soffice (Debian: libreoffice-calc), pdfinfo and pdftotext
// (Debian: poppler-utils) and the Carlito font, metric-compatible with
// Calibri (Debian: fonts-crosextra-carlito). Require skips a test without
// them, except under CI=true, where their absence fails the test: CI
// installs them.
package printcheck

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Tools are the programs printcheck runs.
type Tools struct {
	Soffice, Pdfinfo, Pdftotext string
}

// Find looks the tools up on PATH.
func Find() (Tools, error) {
	var t Tools
	var missing []string
	for _, x := range []struct {
		name string
		dst  *string
		pkg  string
	}{{"soffice", &t.Soffice, "libreoffice-calc"}, {"pdfinfo", &t.Pdfinfo, "poppler-utils"}, {"pdftotext", &t.Pdftotext, "poppler-utils"}} {
		p, err := exec.LookPath(x.name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", x.name, x.pkg))
			continue
		}
		*x.dst = p
	}
	// Workbooks are laid out for Calibri; LibreOffice prints them in
	// Carlito, which has Calibri's metrics, or else in a wider font that
	// cuts cells Excel would not.
	if out, err := exec.Command("fc-match", "Calibri").Output(); err != nil || !strings.Contains(string(out), "Carlito") {
		missing = append(missing, "the Carlito font (Debian package fonts-crosextra-carlito)")
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("not installed: %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// TB is the part of testing.TB Require uses.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Require returns the tools, or skips the test with a message saying what
// to install; under CI=true a missing tool fails the test instead.
func Require(t TB) Tools {
	t.Helper()
	tools, err := Find()
	if err == nil {
		return tools
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("rendering through LibreOffice: %v; CI must install libreoffice-calc, poppler-utils and fonts-crosextra-carlito", err)
	}
	t.Skipf("rendering through LibreOffice skipped: %v (apt-get install -y libreoffice-calc poppler-utils fonts-crosextra-carlito)", err)
	return tools
}

// RequireSoffice returns LibreOffice's soffice alone (for tests that convert
// to csv, not print), or skips the test; under CI=true it fails instead.
func RequireSoffice(t TB) string {
	t.Helper()
	p, err := exec.LookPath("soffice")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("soffice not on PATH; CI must install libreoffice-calc")
	}
	t.Skipf("LibreOffice round trip skipped: soffice not on PATH (apt-get install -y libreoffice-calc)")
	return ""
}

// RequireBrowser returns a headless Chromium, or skips the test with a
// message saying what to install; under CI=true it fails instead.
func RequireBrowser(t TB) string {
	t.Helper()
	p, err := Browser()
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("printing HTML: %v; CI must install chromium", err)
	}
	t.Skipf("printing HTML skipped: %v", err)
	return ""
}

// Convert converts each file to PDF with one LibreOffice run (its own
// profile, so it never hands the job to another user's instance) into
// dir, and returns the PDFs' paths in order.
func (t Tools) Convert(ctx context.Context, dir string, files ...string) ([]string, error) {
	return t.ConvertTo(ctx, dir, "pdf", files...)
}

// ConvertTo converts each file to the format ext ("pdf", "xlsx": a
// re-save by LibreOffice) into dir, as Convert, and returns the paths.
func (t Tools) ConvertTo(ctx context.Context, dir, ext string, files ...string) ([]string, error) {
	profile, err := os.MkdirTemp("", "printcheck-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	args := []string{"-env:UserInstallation=file://" + filepath.ToSlash(profile), "--headless", "--norestore",
		"--convert-to", ext, "--outdir", dir}
	cmd := exec.CommandContext(ctx, t.Soffice, append(args, files...)...)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("soffice: %v: %s", err, out)
	}
	var pdfs []string
	for _, f := range files {
		p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+ext)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("soffice wrote no %s: %s", p, out)
		}
		pdfs = append(pdfs, p)
	}
	return pdfs, nil
}

// Pages returns a PDF's page count.
func (t Tools) Pages(pdf string) (int, error) {
	out, err := exec.Command(t.Pdfinfo, pdf).Output()
	if err != nil {
		return 0, fmt.Errorf("pdfinfo %s: %v", pdf, err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pdfinfo %s: no page count", pdf)
	}
	return strconv.Atoi(string(m[1]))
}

// Report is what one workbook printed as.
type Report struct {
	Total int            // pages of the whole workbook
	Sheet map[string]int // pages of each visible sheet printed alone
	PDF   string         // the whole workbook's PDF
}

// Workbook prints an xlsx: the whole of it, and each visible sheet alone
// (the others deleted), all in one LibreOffice run. Files go to dir.
func (t Tools) Workbook(ctx context.Context, dir string, xlsx []byte) (*Report, error) {
	whole := filepath.Join(dir, "whole.xlsx")
	if err := os.WriteFile(whole, xlsx, 0o600); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		return nil, err
	}
	var sheets []string
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); v {
			sheets = append(sheets, s)
		}
	}
	f.Close()
	files := []string{whole}
	for i, s := range sheets {
		g, err := excelize.OpenReader(bytes.NewReader(xlsx))
		if err != nil {
			return nil, err
		}
		// The other sheets are deleted, not hidden: LibreOffice prints a
		// hidden sheet that has a print range.
		for _, o := range g.GetSheetList() {
			if o != s {
				if err := g.DeleteSheet(o); err != nil {
					return nil, err
				}
			}
		}
		g.SetActiveSheet(0)
		p := filepath.Join(dir, fmt.Sprintf("sheet%d.xlsx", i+1))
		if err := g.SaveAs(p); err != nil {
			return nil, err
		}
		g.Close()
		files = append(files, p)
	}
	pdfs, err := t.Convert(ctx, dir, files...)
	if err != nil {
		return nil, err
	}
	r := &Report{Sheet: map[string]int{}, PDF: pdfs[0]}
	if r.Total, err = t.Pages(pdfs[0]); err != nil {
		return nil, err
	}
	for i, s := range sheets {
		if r.Sheet[s], err = t.Pages(pdfs[i+1]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Word is one word of a PDF page with its box, in points from the page's
// top left.
type Word struct {
	Page                   int
	Text                   string
	XMin, YMin, XMax, YMax float64
}

// Words reads every word of a PDF with its box (pdftotext -bbox). The box
// is the whole word's even where the page clips it: a cut cell shows as a
// word running past its column's edge.
func (t Tools) Words(pdf string) ([]Word, error) {
	out, err := exec.Command(t.Pdftotext, "-bbox", pdf, "-").Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext %s: %v", pdf, err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var words []Word
	page := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "page":
			page++
		case "word":
			w := Word{Page: page}
			for _, a := range se.Attr {
				v, _ := strconv.ParseFloat(a.Value, 64)
				switch a.Name.Local {
				case "xMin":
					w.XMin = v
				case "yMin":
					w.YMin = v
				case "xMax":
					w.XMax = v
				case "yMax":
					w.YMax = v
				}
			}
			var text strings.Builder
			for {
				tok, err := dec.Token()
				if err != nil {
					break
				}
				if cd, ok := tok.(xml.CharData); ok {
					text.Write(cd)
					continue
				}
				break
			}
			w.Text = html.UnescapeString(text.String())
			words = append(words, w)
		}
	}
	return words, nil
}

// Browser finds a headless Chromium (chromium, chromium-browser,
// google-chrome), or says why not.
func Browser() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium, chromium-browser or google-chrome on PATH (Debian package chromium)")
}

// PrintHTML prints an HTML file to PDF with a headless browser, as "Print
// to PDF" does (its own page margins and margin boxes, no browser header).
func PrintHTML(ctx context.Context, browser, html, pdf string) error {
	profile, err := os.MkdirTemp("", "printcheck-browser-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir="+profile, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+html)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", browser, err, out)
	}
	if _, err := os.Stat(pdf); err != nil {
		return fmt.Errorf("%s printed no PDF", browser)
	}
	return nil
}

// Line is the words of one printed line.
type Line struct {
	Page       int
	Text       string
	YMin, YMax float64
}

// Lines groups words into lines: the same page and (within a point) the
// same top, left to right.
func Lines(words []Word) []Line {
	var out []Line
	for _, w := range words {
		if n := len(out); n > 0 && out[n-1].Page == w.Page && abs(out[n-1].YMin-w.YMin) < 1 {
			out[n-1].Text += " " + w.Text
			out[n-1].YMax = max(out[n-1].YMax, w.YMax)
			continue
		}
		out = append(out, Line{Page: w.Page, Text: w.Text, YMin: w.YMin, YMax: w.YMax})
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// PageSizes returns each page's width and height in points.
func (t Tools) PageSizes(pdf string) ([][2]float64, error) {
	n, err := t.Pages(pdf)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(t.Pdfinfo, "-f", "1", "-l", strconv.Itoa(n), pdf).Output()
	if err != nil {
		return nil, fmt.Errorf("pdfinfo %s: %v", pdf, err)
	}
	var sizes [][2]float64
	for _, m := range regexp.MustCompile(`(?m)^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)`).FindAllSubmatch(out, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		sizes = append(sizes, [2]float64{w, h})
	}
	if len(sizes) != n {
		return nil, fmt.Errorf("pdfinfo %s: %d page sizes for %d pages", pdf, len(sizes), n)
	}
	return sizes, nil
}
