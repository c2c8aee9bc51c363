package export

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// The encrypted workbooks in testdata/encrypted were written by
// LibreOffice (the workbook) and officecrypto-tool (the encryption), by
// testdata/encrypted/make.sh; what they hold is cases.csv beside them, and
// the expected cells below are copied from it.

const cryptPassword = "s3cret £"

func encryptedTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "encrypted", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantCasesCSV checks that an encrypted workbook reads as cases.csv.
func wantCasesCSV(t *testing.T, path string, opts OpenOptions) {
	t.Helper()
	wb := openBook(t, path, opts)
	got := fmt.Sprintf("%q", readGrid(t, wb, 0, nil))
	want := `[["Case Reference" "Team" "Opened" "Caseload"] ["CR-0000101" "North CIN" "2026-03-04" "12.5"] ` +
		`["CR-0000102" "South CP" "2026-11-30" "7"] ["CR-0000103" "North CIN" "2025-12-31" "0.25"] ` +
		`["CR-0000104" "Leaving Care" "2026-02-28" "1000000"]]`
	if got != want {
		t.Errorf("%s reads\n%s\nwant\n%s", filepath.Base(path), got, want)
	}
}

// Agile (as Excel 2013 and later and LibreOffice write it) and standard
// encryption (Excel 2007) open with the password; a wrong one, or none,
// is called so.
func TestEncryptedProducers(t *testing.T) {
	for _, name := range []string{"agile.xlsx", "standard.xlsx"} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, name, encryptedTestdata(t, name))
			wantCasesCSV(t, path, OpenOptions{Password: cryptPassword})
			_, err := Open(context.Background(), path, OpenOptions{Password: "S3cret £"})
			wantOneLineInputError(t, err, path, "wrong password for the workbook; check the --password value")
			_, err = Open(context.Background(), path, OpenOptions{})
			wantOneLineInputError(t, err, path, "the workbook is password-protected; give --password")
		})
	}
}

// A workbook encrypted with Excel's default password (protected for
// editing only) opens without --password, as it does in Excel, and with a
// needless one.
func TestEncryptedDefaultPassword(t *testing.T) {
	path := writeFile(t, "velvet.xlsx", encryptedTestdata(t, "velvet.xlsx"))
	wantCasesCSV(t, path, OpenOptions{})
	wantCasesCSV(t, path, OpenOptions{Password: "anything"})
}

// patched returns b with old replaced by new, of the same length, once.
func patched(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if len(old) != len(new) || bytes.Count(b, []byte(old)) < 1 {
		t.Fatalf("cannot patch %q into %q", old, new)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// A method excelize cannot decrypt is refused by name, not as a wrong
// password or a damaged file, with or without a password.
func TestEncryptedRefusedByName(t *testing.T) {
	agile := encryptedTestdata(t, "agile.xlsx")
	standard := encryptedTestdata(t, "standard.xlsx")
	// The standard EncryptionInfo: version 4.2, flags fCryptoAPI|fAES.
	stdInfo := "\x04\x00\x02\x00\x24\x00\x00\x00"
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"rc2", patched(t, agile, `cipherAlgorithm="AES"`, `cipherAlgorithm="RC2"`), "encrypted with RC2, which caseaudit cannot decrypt; save it without a password"},
		{"rc4", patched(t, agile, `cipherAlgorithm="AES"`, `cipherAlgorithm="RC4"`), "encrypted with RC4, which caseaudit cannot decrypt"},
		{"cfb", patched(t, agile, `ChainingModeCBC`, `ChainingModeCFB`), "encrypted with AES in CFB chaining, which caseaudit cannot decrypt"},
		{"hash", patched(t, agile, `hashAlgorithm="SHA512"`, `hashAlgorithm="WHIRLP"`), "encrypted with AES and the WHIRLP hash, which caseaudit cannot decrypt"},
		// MS-OFFCRYPTO allows SHA-256, but no producer is known to write it.
		{"sha256", patched(t, agile, `hashAlgorithm="SHA512"`, `hashAlgorithm="SHA256"`), "encrypted with AES and the SHA256 hash, which caseaudit cannot decrypt"},
		{"certificate", patched(t, agile, "keyEncryptor/password\">\n      <p:", "keyEncryptor/certificate\">\n   <p:"),
			"encrypted with a digital certificate rather than a password, which caseaudit cannot decrypt"},
		{"rc4 cryptoapi", patched(t, standard, stdInfo+"\x8c\x00\x00\x00\x24\x00\x00\x00\x00\x00\x00\x00\x0e\x66", stdInfo+"\x8c\x00\x00\x00\x24\x00\x00\x00\x00\x00\x00\x00\x01\x68"),
			"the workbook is encrypted with RC4 (CryptoAPI), which caseaudit cannot decrypt; save it without a password and try again"},
		{"extensible", patched(t, standard, stdInfo, "\x04\x00\x03\x00\x34\x00\x00\x00"), "encrypted with a third-party (extensible) encryption method, which caseaudit cannot decrypt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.name+".xlsx", tc.data)
			for _, pw := range []string{"", cryptPassword} {
				_, err := Open(context.Background(), path, OpenOptions{Password: pw})
				wantOneLineInputError(t, err, path, tc.want)
			}
		})
	}
}

// The decryptor does not panic on damaged encryption, and says the
// workbook is damaged.
func TestEncryptedDamaged(t *testing.T) {
	agile := encryptedTestdata(t, "agile.xlsx")
	for name, data := range map[string][]byte{
		"spin":      patched(t, agile, `spinCount="100000"`, `spinCount="-10000"`),
		"block":     patched(t, agile, `blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue`, `blockSize="08" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue`),
		"verifier":  patched(t, agile, `encryptedVerifierHashInput="`, `encryptedVerifierHashInput=!`),
		"truncated": agile[:len(agile)-1500],
	} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, name+".xlsx", data)
			_, err := Open(context.Background(), path, OpenOptions{Password: cryptPassword})
			wantOneLineInputError(t, err, path, "damaged")
		})
	}
}

// entrySize sets the size a compound file's directory records for the
// stream name (the entry found by its name at a 128-byte boundary).
func entrySize(t *testing.T, b []byte, name string, size uint32) []byte {
	t.Helper()
	u := []byte(utf16Text(name+"\x00", false, false))
	b = bytes.Clone(b)
	for off := 512; off+128 <= len(b); off += 128 {
		if bytes.HasPrefix(b[off:], u) {
			binary.LittleEndian.PutUint32(b[off+120:], size)
			return b
		}
	}
	t.Fatalf("no entry %s", name)
	return nil
}

// ExtenXLS records EncryptedPackage as longer than its sectors (Apache
// POI's test file extenxls_pwd123.xlsx: 7,848 bytes recorded, 6,144 held,
// a package of 6,083): the package is whole, and the workbook opens. When
// the sectors do not hold the whole package, it is damaged.
func TestEncryptedPackageRecordedTooLong(t *testing.T) {
	agile := encryptedTestdata(t, "agile.xlsx")
	var recorded uint32
	u := []byte(utf16Text("EncryptedPackage\x00", false, false))
	for off := 512; off+128 <= len(agile); off += 128 {
		if bytes.HasPrefix(agile[off:], u) {
			recorded = binary.LittleEndian.Uint32(agile[off+120:])
		}
	}
	if recorded < 4096 {
		t.Fatalf("EncryptedPackage of %d bytes: want one outside the mini stream", recorded)
	}
	path := writeFile(t, "long.xlsx", entrySize(t, agile, "EncryptedPackage", recorded+2000))
	wantCasesCSV(t, path, OpenOptions{Password: cryptPassword})

	// Recorded as shorter than the package says it is.
	path = writeFile(t, "short.xlsx", entrySize(t, agile, "EncryptedPackage", 4200))
	_, err := Open(context.Background(), path, OpenOptions{Password: cryptPassword})
	wantOneLineInputError(t, err, path, "damaged")
}

// The agile packages of real files that excelize's Decrypt misreads or
// does not know are decrypted by the reader itself, each case here made
// with the parameters of the file named beside it: a password key hashed
// otherwise than the data (Apache POI's test file 60320-protected.xlsx,
// from a bug report), a 192-bit AES key, MD5 and SHA-384 hashes, DES and
// 3DES (ExcelDataReader's agile_*_pwd_password.xlsx test files, written by
// Apache POI). No program here writes them, and those files are not ours
// to commit: they are made by agileEncrypt below, written from
// MS-OFFCRYPTO without the reader's code.
func TestEncryptedAgileExcelizeMisreads(t *testing.T) {
	plain := plainBook(t)
	for _, s := range []agileSpec{
		{keyBits: 256, keyHash: "SHA512", dataBits: 128, dataHash: "SHA1", spin: 1000},                   // 60320-protected.xlsx
		{keyBits: 192, keyHash: "SHA512", dataBits: 192, dataHash: "SHA512", spin: 1000},                 // agile_AES192_SHA512_CBC
		{keyBits: 128, keyHash: "MD5", dataBits: 128, dataHash: "MD5", spin: 1000},                       // agile_AES128_MD5_CBC
		{keyBits: 128, keyHash: "SHA384", dataBits: 128, dataHash: "SHA384", spin: 1000},                 // agile_AES128_SHA384_CBC
		{cipher: "DES", keyBits: 64, keyHash: "MD5", dataBits: 64, dataHash: "MD5", spin: 1000},          // agile_DES_MD5_CBC
		{cipher: "3DES", keyBits: 192, keyHash: "SHA384", dataBits: 192, dataHash: "SHA384", spin: 1000}, // agile_DESede_SHA384_CBC
	} {
		name := fmt.Sprintf("%s%d-%s-%s", s.name(), s.dataBits, s.keyHash, s.dataHash)
		t.Run(name, func(t *testing.T) {
			info, pkg := agileEncrypt(s, plain, cryptPassword)
			path := writeFile(t, name+".xlsx", xlsxfixture.CFB([]byte("EncryptionInfo"), info, []byte("EncryptedPackage"), pkg))
			tb, rows := tableRows(t, path, OpenOptions{Password: cryptPassword})
			if tb.Sheet != "Cases" || len(rows) != 199 || rows[0].cells[0] != fmt.Sprintf("CR-%07d", 2*7919) {
				t.Errorf("sheet %q, %d rows, first %q", tb.Sheet, len(rows), rows[0].cells)
			}
			_, err := Open(context.Background(), path, OpenOptions{Password: "s3cret"})
			wantOneLineInputError(t, err, path, "wrong password for the workbook")
		})
	}
}

// agileSpec describes an agile encryption whose password key and package
// key may differ in size and hash.
type agileSpec struct {
	cipher   string // "" (AES), DES or 3DES
	keyBits  int
	keyHash  string // SHA1 or SHA512
	dataBits int
	dataHash string
	spin     int
}

func (s agileSpec) name() string {
	if s.cipher == "" {
		return "AES"
	}
	return s.cipher
}

func (s agileSpec) blockSize() int {
	if s.cipher == "" {
		return 16
	}
	return 8
}

func specHash(name string) hash.Hash {
	switch name {
	case "SHA1":
		return sha1.New()
	case "MD5":
		return md5.New()
	case "SHA384":
		return sha512.New384()
	}
	return sha512.New()
}

// specFit truncates h, or pads it with 0x36, to n bytes (2.3.4.12).
func specFit(h []byte, n int) []byte {
	out := bytes.Repeat([]byte{0x36}, n)
	copy(out, h[:min(n, len(h))])
	return out
}

// cbcEncrypt encrypts src, padded with zeros to whole blocks.
func (s agileSpec) cbcEncrypt(key, iv, src []byte) []byte {
	var b cipher.Block
	var err error
	switch s.cipher {
	case "DES":
		b, err = des.NewCipher(key)
	case "3DES":
		b, err = des.NewTripleDESCipher(key)
	default:
		b, err = aes.NewCipher(key)
	}
	if err != nil {
		panic(err)
	}
	n := b.BlockSize()
	out := append(bytes.Clone(src), make([]byte, (n-len(src)%n)%n)...)
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, out)
	return out
}

// agileEncrypt returns the EncryptionInfo and EncryptedPackage streams of
// plain encrypted with password (MS-OFFCRYPTO 2.3.4.10 to 2.3.4.15). Salts
// and the package key are fixed patterns: a test needs no randomness.
func agileEncrypt(s agileSpec, plain []byte, password string) (info, pkg []byte) {
	bs := s.blockSize()
	saltKey := bytes.Repeat([]byte{0x5A}, bs)
	saltData := bytes.Repeat([]byte{0xC3}, bs)
	pkgKey := bytes.Repeat([]byte{0x17}, s.dataBits/8)
	verifier := bytes.Repeat([]byte{0x42}, bs)

	// H0 = H(salt + password), Hn = H(iterator + Hn-1), then H(Hfinal +
	// blockKey) sized to the key.
	h := specHash(s.keyHash)
	h.Write(saltKey)
	h.Write([]byte(utf16Text(password, false, false)))
	hn := h.Sum(nil)
	for i := 0; i < s.spin; i++ {
		h.Reset()
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		h.Write(hn)
		hn = h.Sum(nil)
	}
	keyFor := func(block ...byte) []byte {
		h.Reset()
		h.Write(hn)
		h.Write(block)
		return specFit(h.Sum(nil), s.keyBits/8)
	}
	vh := specHash(s.keyHash)
	vh.Write(verifier)
	encInput := s.cbcEncrypt(keyFor(0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79), saltKey, verifier)
	encValue := s.cbcEncrypt(keyFor(0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e), saltKey, vh.Sum(nil))
	encKey := s.cbcEncrypt(keyFor(0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6), saltKey, pkgKey)

	// The package in 4,096-byte segments, IV = H(salt + index).
	pkg = binary.LittleEndian.AppendUint64(nil, uint64(len(plain)))
	for i := 0; i*4096 < len(plain); i++ {
		h := specHash(s.dataHash)
		h.Write(saltData)
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		pkg = append(pkg, s.cbcEncrypt(pkgKey, specFit(h.Sum(nil), bs), plain[i*4096:min(len(plain), (i+1)*4096)])...)
	}

	b64 := base64.StdEncoding.EncodeToString
	attrs := func(salt []byte, bits int, hash string) string {
		return fmt.Sprintf(`saltSize="%d" blockSize="%d" keyBits="%d" hashSize="%d" cipherAlgorithm="%s" cipherChaining="ChainingModeCBC" hashAlgorithm="%s" saltValue="%s"`,
			bs, bs, bits, specHash(hash).Size(), s.name(), hash, b64(salt))
	}
	x := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">` +
		`<keyData ` + attrs(saltData, s.dataBits, s.dataHash) + `/>` +
		`<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryption/password">` +
		fmt.Sprintf(`<p:encryptedKey spinCount="%d" %s encryptedVerifierHashInput="%s" encryptedVerifierHashValue="%s" encryptedKeyValue="%s"/>`,
			s.spin, attrs(saltKey, s.keyBits, s.keyHash), b64(encInput), b64(encValue), b64(encKey)) +
		`</keyEncryptor></keyEncryptors></encryption>`
	return append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, x...), pkg
}

// plainBook is a small workbook whose zip is a few KB (so that its
// encrypted package spans more than one 4,096-byte segment).
func plainBook(t *testing.T) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<sheetData><row r="1">` + xlsxfixture.Inline("A1", "Case Reference") + xlsxfixture.Inline("B1", "Note") + `</row>`)
	for i := 2; i <= 200; i++ {
		// Notes that do not compress much, so the zip is large enough.
		fmt.Fprintf(&b, `<row r="%d">%s%s</row>`, i, xlsxfixture.Inline(fmt.Sprintf("A%d", i), fmt.Sprintf("CR-%07d", i*7919%1000003)),
			xlsxfixture.Inline(fmt.Sprintf("B%d", i), fmt.Sprintf("%x", sha1.Sum([]byte{byte(i), byte(i >> 8)}))))
	}
	b.WriteString(`</sheetData>`)
	data, err := xlsxfixture.SheetBook("Cases", b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(data) <= 4096 {
		t.Fatalf("plain workbook of %d bytes: want more than one segment", len(data))
	}
	return data
}

// Standard encryption with a 192- or 256-bit AES key, as Apache POI writes
// on request (ExcelDataReader's standard_AES192_SHA1_ECB_pwd_password.xlsx
// and standard_AES256_SHA1_ECB_pwd_password.xlsx), opens with the password
// and calls a wrong one wrong. Excel 2007's AES-128 is standard.xlsx,
// written by officecrypto-tool.
func TestEncryptedStandardKeySizes(t *testing.T) {
	plain := plainBook(t)
	for _, bits := range []int{192, 256} {
		t.Run(fmt.Sprintf("AES%d", bits), func(t *testing.T) {
			info, pkg := standardEncrypt(bits, plain, cryptPassword)
			path := writeFile(t, fmt.Sprintf("std%d.xlsx", bits), xlsxfixture.CFB([]byte("EncryptionInfo"), info, []byte("EncryptedPackage"), pkg))
			tb, rows := tableRows(t, path, OpenOptions{Password: cryptPassword})
			if tb.Sheet != "Cases" || len(rows) != 199 || rows[0].cells[0] != fmt.Sprintf("CR-%07d", 2*7919) {
				t.Errorf("sheet %q, %d rows, first %q", tb.Sheet, len(rows), rows[0].cells)
			}
			_, err := Open(context.Background(), path, OpenOptions{Password: "s3cret"})
			wantOneLineInputError(t, err, path, "wrong password for the workbook")
		})
	}
}

// standardEncrypt returns the EncryptionInfo and EncryptedPackage streams
// of plain encrypted with password by standard encryption (MS-OFFCRYPTO
// 2.3.4.5 to 2.3.4.9): SHA-1 spun 50,000 times, AES in ECB. The salt and
// the verifier are fixed patterns.
func standardEncrypt(keyBits int, plain []byte, password string) (info, pkg []byte) {
	salt := bytes.Repeat([]byte{0x5A}, 16)
	verifier := bytes.Repeat([]byte{0x42}, 16)
	h := sha1.Sum(append(bytes.Clone(salt), utf16Text(password, false, false)...))
	hn := h[:]
	for i := 0; i < 50000; i++ {
		s := sha1.Sum(append(binary.LittleEndian.AppendUint32(nil, uint32(i)), hn...))
		hn = s[:]
	}
	final := sha1.Sum(append(hn, 0, 0, 0, 0))
	derive := func(c byte) []byte {
		buf := bytes.Repeat([]byte{c}, 64)
		for i, x := range final {
			buf[i] ^= x
		}
		s := sha1.Sum(buf)
		return s[:]
	}
	key := append(derive(0x36), derive(0x5c)...)[:keyBits/8]
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	ecb := func(src []byte) []byte {
		out := append(bytes.Clone(src), make([]byte, (16-len(src)%16)%16)...)
		for i := 0; i < len(out); i += 16 {
			b.Encrypt(out[i:], out[i:])
		}
		return out
	}
	vh := sha1.Sum(verifier)
	algID := map[int]uint32{128: 0x660E, 192: 0x660F, 256: 0x6610}[keyBits]
	le := binary.LittleEndian
	var hdr []byte
	for _, v := range []uint32{0x24, 0, algID, 0x8004, uint32(keyBits), 0x18, 0, 0} {
		hdr = le.AppendUint32(hdr, v)
	}
	hdr = append(hdr, utf16Text("Microsoft Enhanced RSA and AES Cryptographic Provider\x00", false, false)...)
	info = []byte{3, 0, 2, 0, 0x24, 0, 0, 0}
	info = le.AppendUint32(info, uint32(len(hdr)))
	info = append(info, hdr...)
	info = le.AppendUint32(info, 16)
	info = append(info, salt...)
	info = append(info, ecb(verifier)...)
	info = le.AppendUint32(info, 20)
	info = append(info, ecb(append(vh[:], make([]byte, 12)...))...)
	pkg = le.AppendUint64(nil, uint64(len(plain)))
	return info, append(pkg, ecb(plain)...)
}
