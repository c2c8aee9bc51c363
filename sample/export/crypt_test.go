package export

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// Encrypted workbooks built in the test, with the encryption written out
// from MS-OFFCRYPTO (2.3.4.5 to 2.3.4.15) step by step. The decryptor is
// also checked against workbooks it did not write: excelize's
// (TestXLSXLegacyAndEncrypted) and, by hand, the encrypted test files of
// ExcelDataReader and excelize run through bench/corpus.

// agileSpec describes an agile encryption: the cipher, its key and block
// sizes, the chaining and the hash.
type agileSpec struct {
	cipher   string // AES, DES, 3DES, 3DES_112, or a name the encryptor does not know (written, not used)
	keyBits  int
	block    int
	chaining string // ChainingModeCBC or ChainingModeCFB
	hash     string // SHA1, SHA256, SHA384, SHA512, MD5
	spin     int
}

func (s agileSpec) newHash() hash.Hash { return newAgileHash(s.hash) }

func (s agileSpec) block_(key []byte) cipher.Block {
	var b cipher.Block
	var err error
	switch s.cipher {
	case "AES":
		b, err = aes.NewCipher(key)
	case "DES":
		b, err = des.NewCipher(key)
	case "3DES":
		b, err = des.NewTripleDESCipher(key)
	case "3DES_112":
		b, err = des.NewTripleDESCipher(append(append([]byte(nil), key...), key[:8]...))
	default:
		return nil
	}
	if err != nil {
		panic(err)
	}
	return b
}

// encrypt encrypts src (padded with zeros to whole blocks for CBC).
func (s agileSpec) encrypt(key, iv, src []byte) []byte {
	b := s.block_(key)
	if b == nil { // a cipher the test cannot run: bytes of the right length
		return bytes.Repeat([]byte{0xA5}, (len(src)+s.block-1)/s.block*s.block)
	}
	if s.chaining == "ChainingModeCFB" {
		out := make([]byte, len(src))
		reg := append([]byte(nil), iv...)
		ks := make([]byte, b.BlockSize())
		for i, p := range src {
			b.Encrypt(ks, reg)
			out[i] = p ^ ks[0]
			copy(reg, reg[1:])
			reg[len(reg)-1] = out[i]
		}
		return out
	}
	padded := append(append([]byte(nil), src...), make([]byte, (s.block-len(src)%s.block)%s.block)...)
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(padded, padded)
	return padded
}

// sized truncates h, or pads it with 0x36, to n bytes (2.3.4.12).
func sized(h []byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = 0x36
	}
	copy(out, h)
	return out
}

// agileEncrypt returns the EncryptionInfo and EncryptedPackage streams of
// plain encrypted with password. Salts and the package key are fixed
// patterns: a test needs no randomness.
func agileEncrypt(s agileSpec, plain []byte, password string) (info, pkg []byte) {
	hashSize := s.newHash().Size()
	saltKey := bytes.Repeat([]byte{0x5A}, s.block)    // the key encryptor's salt
	saltData := bytes.Repeat([]byte{0xC3}, s.block)   // the package's salt
	pkgKey := bytes.Repeat([]byte{0x17}, s.keyBits/8) // the package key
	verifier := bytes.Repeat([]byte{0x42}, s.block)   // verifier hash input
	pw := []byte(string(utf16Text(password, false, false)))

	// 2.3.4.11: H0 = H(salt + password), Hn = H(iterator + Hn-1), then
	// H(Hfinal + blockKey) sized to the key.
	h := s.newHash()
	h.Write(saltKey)
	h.Write(pw)
	hn := h.Sum(nil)
	for i := 0; i < s.spin; i++ {
		h.Reset()
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		h.Write(hn)
		hn = h.Sum(nil)
	}
	keyFor := func(block []byte) []byte {
		h.Reset()
		h.Write(hn)
		h.Write(block)
		return sized(h.Sum(nil), s.keyBits/8)
	}
	iv := sized(saltKey, s.block)
	vh := s.newHash()
	vh.Write(verifier)
	encInput := s.encrypt(keyFor([]byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}), iv, verifier)
	encValue := s.encrypt(keyFor([]byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}), iv, vh.Sum(nil))
	encKey := s.encrypt(keyFor([]byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}), iv, pkgKey)

	// 2.3.4.15: the package in 4,096-byte segments, IV = H(salt + index).
	pkg = binary.LittleEndian.AppendUint64(nil, uint64(len(plain)))
	for i := 0; i*4096 < len(plain); i++ {
		seg := plain[i*4096 : min(len(plain), (i+1)*4096)]
		h := s.newHash()
		h.Write(saltData)
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		pkg = append(pkg, s.encrypt(pkgKey, sized(h.Sum(nil), s.block), seg)...)
	}

	b64 := base64.StdEncoding.EncodeToString
	attrs := func(salt []byte) string {
		return fmt.Sprintf(`saltSize="%d" blockSize="%d" keyBits="%d" hashSize="%d" cipherAlgorithm="%s" cipherChaining="%s" hashAlgorithm="%s" saltValue="%s"`,
			len(salt), s.block, s.keyBits, hashSize, s.cipher, s.chaining, s.hash, b64(salt))
	}
	x := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password" xmlns:c="http://schemas.microsoft.com/office/2006/keyEncryptor/certificate">` +
		`<keyData ` + attrs(saltData) + `/>` +
		`<dataIntegrity encryptedHmacKey="" encryptedHmacValue=""/>` +
		`<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryption/password">` +
		fmt.Sprintf(`<p:encryptedKey spinCount="%d" %s encryptedVerifierHashInput="%s" encryptedVerifierHashValue="%s" encryptedKeyValue="%s"/>`,
			s.spin, attrs(saltKey), b64(encInput), b64(encValue), b64(encKey)) +
		`</keyEncryptor></keyEncryptors></encryption>`
	info = append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, x...)
	return info, pkg
}

// standardEncrypt returns the streams of Standard encryption (2.3.4.5 to
// 2.3.4.9): AES-ECB with a SHA-1 key. algID 0x6801 writes an RC4 header.
func standardEncrypt(plain []byte, password string, keyBits int, algID uint32) (info, pkg []byte) {
	salt := bytes.Repeat([]byte{0x29}, 16)
	h := sha1.New()
	h.Write(salt)
	h.Write([]byte(string(utf16Text(password, false, false))))
	hn := h.Sum(nil)
	for i := 0; i < 50000; i++ {
		h.Reset()
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		h.Write(hn)
		hn = h.Sum(nil)
	}
	h.Reset()
	h.Write(hn)
	h.Write([]byte{0, 0, 0, 0})
	hf := h.Sum(nil)
	x := func(c byte) []byte {
		buf := bytes.Repeat([]byte{c}, 64)
		for i := range hf {
			buf[i] ^= hf[i]
		}
		s := sha1.Sum(buf)
		return s[:]
	}
	key := append(x(0x36), x(0x5c)...)[:keyBits/8]
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	ecb := func(src []byte) []byte {
		out := append(append([]byte(nil), src...), make([]byte, (16-len(src)%16)%16)...)
		for i := 0; i < len(out); i += 16 {
			b.Encrypt(out[i:], out[i:])
		}
		return out
	}
	verifier := bytes.Repeat([]byte{0x61}, 16)
	vh := sha1.Sum(verifier)

	csp := []byte(string(utf16Text("Microsoft Enhanced RSA and AES Cryptographic Provider\x00", false, false)))
	header := binary.LittleEndian.AppendUint32(nil, 0x24) // fCryptoAPI | fAES
	header = binary.LittleEndian.AppendUint32(header, 0)
	header = binary.LittleEndian.AppendUint32(header, algID)
	header = binary.LittleEndian.AppendUint32(header, 0x8004)
	header = binary.LittleEndian.AppendUint32(header, uint32(keyBits))
	header = binary.LittleEndian.AppendUint32(header, 0x18)
	header = binary.LittleEndian.AppendUint32(header, 0)
	header = binary.LittleEndian.AppendUint32(header, 0)
	header = append(header, csp...)
	info = []byte{4, 0, 2, 0, 0x24, 0, 0, 0}
	info = binary.LittleEndian.AppendUint32(info, uint32(len(header)))
	info = append(info, header...)
	info = binary.LittleEndian.AppendUint32(info, 16)
	info = append(info, salt...)
	info = append(info, ecb(verifier)...)
	info = binary.LittleEndian.AppendUint32(info, 20)
	info = append(info, ecb(vh[:])...)
	pkg = binary.LittleEndian.AppendUint64(nil, uint64(len(plain)))
	pkg = append(pkg, ecb(plain)...)
	return info, pkg
}

func encryptedBook(t *testing.T, name string, info, pkg []byte) string {
	t.Helper()
	return writeFile(t, name, xlsxfixture.CFB([]byte("EncryptionInfo"), info, []byte("EncryptedPackage"), pkg))
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

// wantCases checks that an encrypted workbook opens and reads its 199 cases.
func wantCases(t *testing.T, path string, opts OpenOptions) {
	t.Helper()
	tb, rows := tableRows(t, path, opts)
	if tb.Sheet != "Cases" || len(rows) != 199 || rows[0].cells[0] != fmt.Sprintf("CR-%07d", 2*7919) {
		t.Errorf("sheet %q, %d rows, first %q", tb.Sheet, len(rows), rows[0].cells)
	}
}

// Item 9: agile encryption with the ciphers Go's standard library has is
// decrypted; with another cipher it is refused by name, not as a wrong
// password.
func TestEncryptedAgileCiphers(t *testing.T) {
	plain := plainBook(t)
	for _, s := range []agileSpec{
		{"AES", 256, 16, "ChainingModeCBC", "SHA512", 1000},
		{"AES", 192, 16, "ChainingModeCBC", "SHA512", 1000},
		{"AES", 128, 16, "ChainingModeCBC", "SHA1", 1000},
		{"AES", 128, 16, "ChainingModeCBC", "MD5", 10},
		{"AES", 256, 16, "ChainingModeCFB", "SHA256", 10},
		{"DES", 64, 8, "ChainingModeCBC", "MD5", 10},
		{"3DES", 192, 8, "ChainingModeCBC", "SHA384", 10},
		{"3DES_112", 128, 8, "ChainingModeCBC", "SHA1", 10},
		{"3DES", 192, 8, "ChainingModeCFB", "SHA1", 10},
	} {
		name := fmt.Sprintf("%s-%d-%s-%s", s.cipher, s.keyBits, strings.TrimPrefix(s.chaining, "ChainingMode"), s.hash)
		t.Run(name, func(t *testing.T) {
			info, pkg := agileEncrypt(s, plain, "s3cret £")
			path := encryptedBook(t, name+".xlsx", info, pkg)
			wantCases(t, path, OpenOptions{Password: "s3cret £"})
			_, err := Open(context.Background(), path, OpenOptions{Password: "S3cret £"})
			wantOneLineInputError(t, err, path, "wrong password for the workbook; check the --password value")
			_, err = Open(context.Background(), path, OpenOptions{})
			wantOneLineInputError(t, err, path, "the workbook is password-protected; give --password")
		})
	}
	for _, tc := range []struct {
		s    agileSpec
		want string
	}{
		{agileSpec{"RC2", 128, 8, "ChainingModeCBC", "SHA1", 10}, "encrypted with RC2, which caseaudit cannot decrypt; save it without a password"},
		{agileSpec{"RC4", 128, 8, "ChainingModeCBC", "SHA1", 10}, "encrypted with RC4, which caseaudit cannot decrypt"},
		{agileSpec{"DESX", 128, 8, "ChainingModeCBC", "SHA1", 10}, "encrypted with DESX, which caseaudit cannot decrypt"},
		{agileSpec{"AES", 128, 16, "ChainingModeCBC", "WHIRLPOOL", 10}, "encrypted with AES and the WHIRLPOOL hash, which caseaudit cannot decrypt"},
	} {
		info, _ := agileEncrypt(agileSpec{"AES", 128, 16, "ChainingModeCBC", "SHA1", 1}, plain, "x")
		x := string(info)
		x = strings.ReplaceAll(x, `cipherAlgorithm="AES"`, `cipherAlgorithm="`+tc.s.cipher+`"`)
		x = strings.ReplaceAll(x, `hashAlgorithm="SHA1"`, `hashAlgorithm="`+tc.s.hash+`"`)
		path := encryptedBook(t, "odd.xlsx", []byte(x), make([]byte, 5000))
		for _, pw := range []string{"", "x"} {
			_, err := Open(context.Background(), path, OpenOptions{Password: pw})
			wantOneLineInputError(t, err, path, tc.want)
		}
	}
	// Only a certificate can open it.
	info, pkg := agileEncrypt(agileSpec{"AES", 128, 16, "ChainingModeCBC", "SHA1", 1}, plain, "x")
	cert := strings.Replace(string(info), "keyEncryption/password", "keyEncryption/certificate", 1)
	path := encryptedBook(t, "cert.xlsx", []byte(cert), pkg)
	_, err := Open(context.Background(), path, OpenOptions{})
	wantOneLineInputError(t, err, path, "encrypted with a digital certificate rather than a password, which caseaudit cannot decrypt")
}

// Item 9: Standard encryption, AES of every key size; RC4 (CryptoAPI) and
// third-party methods are refused by name.
func TestEncryptedStandard(t *testing.T) {
	plain := plainBook(t)
	for _, bits := range []int{128, 192, 256} {
		info, pkg := standardEncrypt(plain, "s3cret", bits, uint32(0x660E+bits/64-2))
		path := encryptedBook(t, fmt.Sprintf("std%d.xlsx", bits), info, pkg)
		wantCases(t, path, OpenOptions{Password: "s3cret"})
		_, err := Open(context.Background(), path, OpenOptions{Password: "secret"})
		wantOneLineInputError(t, err, path, "wrong password for the workbook")
	}
	info, pkg := standardEncrypt(plain, "s3cret", 128, 0x6801)
	path := encryptedBook(t, "rc4.xlsx", info, pkg)
	_, err := Open(context.Background(), path, OpenOptions{Password: "s3cret"})
	wantOneLineInputError(t, err, path, "the workbook is encrypted with RC4 (CryptoAPI), which caseaudit cannot decrypt; save it without a password and try again")
	ext := append([]byte{4, 0, 3, 0, 0x10, 0, 0, 0}, info[8:]...)
	path = encryptedBook(t, "ext.xlsx", ext, pkg)
	_, err = Open(context.Background(), path, OpenOptions{})
	wantOneLineInputError(t, err, path, "encrypted with a third-party (extensible) encryption method, which caseaudit cannot decrypt")
}

// Item 7: a workbook encrypted with Excel's default password (protected
// for editing only) opens without --password, as it does in Excel, and
// with a needless one.
func TestEncryptedDefaultPassword(t *testing.T) {
	plain := plainBook(t)
	agileInfo, agilePkg := agileEncrypt(agileSpec{"AES", 256, 16, "ChainingModeCBC", "SHA512", 100000}, plain, "VelvetSweatshop")
	stdInfo, stdPkg := standardEncrypt(plain, "VelvetSweatshop", 128, 0x660E)
	for name, streams := range map[string][2][]byte{"agile.xlsx": {agileInfo, agilePkg}, "standard.xlsx": {stdInfo, stdPkg}} {
		path := encryptedBook(t, name, streams[0], streams[1])
		wantCases(t, path, OpenOptions{})
		wantCases(t, path, OpenOptions{Password: "anything"})
	}
}

// The decryptor does not panic on damaged encryption streams, and says the
// workbook is damaged.
func TestEncryptedDamaged(t *testing.T) {
	plain := plainBook(t)
	info, pkg := agileEncrypt(agileSpec{"AES", 128, 16, "ChainingModeCBC", "SHA1", 1}, plain, "x")
	for name, tc := range map[string][2][]byte{
		"short info":      {info[:6], pkg},
		"bad xml":         {append(info[:8:8], "<encryption"...), pkg},
		"short package":   {info, pkg[:5]},
		"cut package":     {info, pkg[:len(pkg)-100]},
		"huge spin":       {[]byte(strings.Replace(string(info), `spinCount="1"`, `spinCount="99999999"`, 1)), pkg},
		"odd block":       {[]byte(strings.Replace(string(info), `blockSize="16"`, `blockSize="7"`, 2)), pkg},
		"standard header": {[]byte{4, 0, 2, 0, 0x24, 0, 0, 0, 200, 0, 0, 0}, pkg},
	} {
		path := encryptedBook(t, "d.xlsx", tc[0], tc[1])
		_, err := Open(context.Background(), path, OpenOptions{Password: "x"})
		wantOneLineInputError(t, err, path, "damaged")
		if t.Failed() {
			t.Logf("case %s", name)
		}
	}
}
