package export

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
)

// Encrypted workbooks (MS-OFFCRYPTO). An encrypted .xlsx is a Compound File
// holding two streams: EncryptionInfo, which says how the key is made from
// the password and which cipher is used, and EncryptedPackage, the
// workbook's zip, encrypted. Excel, LibreOffice, Apache POI and
// msoffcrypto-tool encrypt with AES, described either in XML ("agile",
// EncryptionInfo version 4.4) or in a binary header ("standard", x.2);
// excelize's Decrypt decrypts both. This file does what Decrypt does not:
//
//   - it checks the password against the verifier first, so that a wrong
//     password is called wrong (Decrypt returns whatever the wrong key
//     makes of the package);
//   - it names a method caseaudit cannot decrypt (RC2, RC4, DESX, CFB
//     chaining, a certificate instead of a password, a third-party method)
//     instead of calling the workbook damaged;
//   - it decrypts the agile packages Decrypt would misread or does not know
//     (see parseAgile);
//   - it reads a compound file whose directory records EncryptedPackage as
//     longer than its sectors hold, as ExtenXLS writes them, when the
//     sectors hold the whole package.
//
// A workbook "protected" against editing only is encrypted with Excel's
// well-known default password, VelvetSweatshop, and opens in Excel without
// a password: it is tried first when no password is given.

// defaultPassword is the password Excel encrypts with when a workbook is
// protected for editing only ("read-only recommended" and the like).
const defaultPassword = "VelvetSweatshop"

// maxSpinCount is the largest spin count MS-OFFCRYPTO allows (and excelize
// accepts).
const maxSpinCount = 10_000_000

var errWrongPassword = errors.New("wrong password")

// errCannotDecrypt says an encrypted package uses a method caseaudit cannot
// decrypt; what names it ("RC2", "AES in CFB chaining").
type errCannotDecrypt struct{ what string }

func (e *errCannotDecrypt) Error() string { return "encrypted with " + e.what }

// errDamagedEncryption says the encryption streams are malformed.
type errDamagedEncryption struct{ why string }

func (e *errDamagedEncryption) Error() string { return "damaged encryption: " + e.why }

func damaged(format string, a ...any) error {
	return &errDamagedEncryption{why: fmt.Sprintf(format, a...)}
}

// encryptedFile is what the compound file says of its encryption.
type encryptedFile struct {
	info      []byte // EncryptionInfo
	plainSize uint64 // the size of the zip, EncryptedPackage's first 8 bytes
	recorded  int64  // EncryptedPackage's size as the directory records it
	pkg       []byte // EncryptedPackage as far as its sectors go, when asked for
}

// cfbPiece is the size in which streams are read: mscfb reads nothing of a
// Read whose sector chain ends early, so a stream recorded as longer than
// its chain is read piece by piece up to where the chain ends. Sectors
// (512 or 4,096 bytes) and mini sectors (64) are whole numbers of pieces.
const cfbPiece = 512

// encryptedStreams reads the EncryptionInfo stream of a Compound File, and
// of EncryptedPackage its size and first 8 bytes, or all of it with
// wholePackage; found is false when it holds neither (a legacy .xls).
// With headerOnly it only looks for them.
func encryptedStreams(r io.ReaderAt, headerOnly, wholePackage bool) (ef encryptedFile, found bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			ef, found, err = encryptedFile{}, false, fmt.Errorf("malformed compound file: %v", p)
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return ef, false, err
	}
	var haveInfo, havePkg bool
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		switch entry.Name {
		case "EncryptionInfo":
			found, haveInfo = true, true
			if headerOnly {
				continue
			}
			if ef.info, err = readStream(doc, entry.Size, entry.Size); err != nil || int64(len(ef.info)) < entry.Size {
				return ef, true, damaged("stream EncryptionInfo is cut short at %d bytes", len(ef.info))
			}
		case "EncryptedPackage":
			found, havePkg = true, true
			ef.recorded = entry.Size
			if headerOnly {
				continue
			}
			n := int64(8)
			if wholePackage {
				n = entry.Size
			}
			head, err := readStream(doc, min(n, entry.Size), n)
			if err != nil || len(head) < 8 {
				return ef, true, damaged("stream EncryptedPackage is cut short at %d bytes", len(head))
			}
			ef.plainSize = binary.LittleEndian.Uint64(head)
			if wholePackage {
				ef.pkg = head
			}
		}
	}
	if found && (!haveInfo || !havePkg) {
		return ef, true, damaged("a stream is missing")
	}
	return ef, found, nil
}

// readStream reads up to n bytes of the current stream (size is its
// recorded size, which bounds what is allocated), stopping without an
// error where its sector chain ends; err is set when nothing could be read.
func readStream(doc *mscfb.Reader, n, size int64) ([]byte, error) {
	if n < 0 || size < 0 {
		return nil, damaged("a stream of negative size")
	}
	buf := make([]byte, 0, min(n, 64<<20))
	piece := make([]byte, cfbPiece)
	for int64(len(buf)) < n {
		k, err := doc.Read(piece[:min(cfbPiece, n-int64(len(buf)))])
		buf = append(buf, piece[:k]...)
		if err != nil {
			if len(buf) == 0 && err != io.EOF {
				return nil, err
			}
			break
		}
		if k == 0 {
			break
		}
	}
	return buf, nil
}

// method is a parsed EncryptionInfo, as far as the verifier needs it.
type method struct {
	agile                      bool
	hash                       string // agile: the password key's hash
	spinCount                  int
	keyBits, saltSize, hashLen int
	salt                       []byte
	verifier, verifierHash     []byte // encrypted
	// Agile, for the packages excelize misreads (see parseAgile).
	own         bool
	cipher      string // AES, DES or 3DES
	blockSize   int
	keyValue    []byte // the package key, encrypted
	dataHash    string
	dataKeyBits int
	dataSalt    []byte
}

// parseEncryptionInfo reads an EncryptionInfo stream; a method caseaudit
// cannot decrypt is an *errCannotDecrypt.
func parseEncryptionInfo(info []byte) (*method, error) {
	if len(info) < 8 {
		return nil, damaged("EncryptionInfo is %d bytes", len(info))
	}
	major, minor := binary.LittleEndian.Uint16(info[0:2]), binary.LittleEndian.Uint16(info[2:4])
	flags := binary.LittleEndian.Uint32(info[4:8])
	switch {
	case major == 4 && minor == 4:
		return parseAgile(info[8:])
	case (major == 3 || major == 4) && minor == 3, flags&0x10 != 0:
		return nil, &errCannotDecrypt{"a third-party (extensible) encryption method"}
	case major >= 2 && major <= 4 && minor == 2:
		return parseStandard(info)
	}
	return nil, &errCannotDecrypt{fmt.Sprintf("an encryption method of version %d.%d", major, minor)}
}

// parseStandard reads standard encryption: an EncryptionHeader and an
// EncryptionVerifier after the version and flags. Its hash is SHA-1.
func parseStandard(info []byte) (*method, error) {
	if len(info) < 12 {
		return nil, damaged("no encryption header")
	}
	hsize := binary.LittleEndian.Uint32(info[8:12])
	if hsize < 32 || uint64(hsize) > uint64(len(info)-12) {
		return nil, damaged("encryption header of %d bytes", hsize)
	}
	h := info[12 : 12+hsize]
	algID, algHash := binary.LittleEndian.Uint32(h[8:12]), binary.LittleEndian.Uint32(h[12:16])
	keyBits := int(binary.LittleEndian.Uint32(h[16:20]))
	want, ok := map[uint32]int{0x660E: 128, 0x660F: 192, 0x6610: 256}[algID]
	switch {
	case algID == 0x6801:
		return nil, &errCannotDecrypt{"RC4 (CryptoAPI)"}
	case !ok:
		return nil, &errCannotDecrypt{fmt.Sprintf("an unknown cipher (algorithm 0x%04X)", algID)}
	case algHash != 0 && algHash != 0x8004:
		return nil, &errCannotDecrypt{fmt.Sprintf("AES-%d and an unknown hash (algorithm 0x%04X)", want, algHash)}
	case keyBits != want:
		return nil, damaged("AES-%d with a key of %d bits", want, keyBits)
	}
	v := info[12+hsize:]
	if len(v) < 4+16+16+4+32 || binary.LittleEndian.Uint32(v[0:4]) != 16 {
		return nil, damaged("encryption verifier of %d bytes", len(v))
	}
	return &method{keyBits: keyBits, salt: v[4:20], verifier: v[20:36], verifierHash: v[40:72]}, nil
}

// The agile EncryptionInfo XML, as far as it is needed.
type agileXML struct {
	KeyData       agileAttrs `xml:"keyData"`
	KeyEncryptors struct {
		KeyEncryptor []struct {
			URI          string     `xml:"uri,attr"`
			EncryptedKey agileAttrs `xml:"encryptedKey"`
		} `xml:"keyEncryptor"`
	} `xml:"keyEncryptors"`
}

type agileAttrs struct {
	SaltSize                   int    `xml:"saltSize,attr"`
	BlockSize                  int    `xml:"blockSize,attr"`
	KeyBits                    int    `xml:"keyBits,attr"`
	HashSize                   int    `xml:"hashSize,attr"`
	SpinCount                  int    `xml:"spinCount,attr"`
	CipherAlgorithm            string `xml:"cipherAlgorithm,attr"`
	CipherChaining             string `xml:"cipherChaining,attr"`
	HashAlgorithm              string `xml:"hashAlgorithm,attr"`
	SaltValue                  string `xml:"saltValue,attr"`
	EncryptedVerifierHashInput string `xml:"encryptedVerifierHashInput,attr"`
	EncryptedVerifierHashValue string `xml:"encryptedVerifierHashValue,attr"`
	EncryptedKeyValue          string `xml:"encryptedKeyValue,attr"`
}

// parseAgile reads agile encryption, and refuses what excelize's Decrypt
// cannot decrypt: a cipher other than AES in CBC chaining, a hash it does
// not know, a password key encryptor that is not the first (Decrypt uses
// the first). Three kinds of package it would misread are decrypted here
// (own), with the same CBC steps: a password key hashed otherwise than the
// data (Decrypt spins the password with the data's hash; Apache POI's test
// file 60320-protected.xlsx, from a bug report, has SHA-512 and SHA-1), a
// package key stored in more bytes than it has (Decrypt takes them all;
// AES-192, as in ExcelDataReader's agile_AES192_SHA512_CBC test files),
// and DES or 3DES, which Decrypt does not know (Apache POI writes them on
// request: ExcelDataReader's agile_DES_MD5_CBC_pwd_password.xlsx and
// agile_DESede_SHA384_CBC_pwd_password.xlsx).
func parseAgile(b []byte) (*method, error) {
	var x agileXML
	if err := newPartDecoder(bytes.NewReader(b)).Decode(&x); err != nil {
		return nil, damaged("EncryptionInfo is not valid XML: %v", err)
	}
	kd := x.KeyData
	if err := agileCipher(kd); err != nil {
		return nil, err
	}
	if len(x.KeyEncryptors.KeyEncryptor) == 0 {
		return nil, damaged("no key encryptor")
	}
	first := x.KeyEncryptors.KeyEncryptor[0]
	if !strings.HasSuffix(first.URI, "/password") {
		return nil, &errCannotDecrypt{"a digital certificate rather than a password"}
	}
	k := first.EncryptedKey
	if err := agileCipher(k); err != nil {
		return nil, err
	}
	if k.CipherAlgorithm != kd.CipherAlgorithm {
		return nil, &errCannotDecrypt{fmt.Sprintf("%s for the key and %s for the data", k.CipherAlgorithm, kd.CipherAlgorithm)}
	}
	if k.SpinCount < 0 || k.SpinCount > maxSpinCount {
		return nil, damaged("spin count %d", k.SpinCount)
	}
	m := &method{agile: true, hash: strings.ToLower(k.HashAlgorithm), spinCount: k.SpinCount, keyBits: k.KeyBits,
		saltSize: k.SaltSize, hashLen: k.HashSize, dataHash: strings.ToLower(kd.HashAlgorithm), dataKeyBits: kd.KeyBits,
		cipher: k.CipherAlgorithm, blockSize: k.BlockSize}
	for _, f := range []struct {
		dst *[]byte
		src string
	}{{&m.salt, k.SaltValue}, {&m.verifier, k.EncryptedVerifierHashInput}, {&m.verifierHash, k.EncryptedVerifierHashValue},
		{&m.keyValue, k.EncryptedKeyValue}, {&m.dataSalt, kd.SaltValue}} {
		var err error
		if *f.dst, err = base64.StdEncoding.DecodeString(f.src); err != nil {
			return nil, damaged("a key value is not base64")
		}
	}
	// The key encryptor's salt is the IV of its verifier and key (excelize
	// takes it whole).
	bs := m.blockSize
	if len(m.salt) != bs || len(m.dataSalt) == 0 || m.saltSize <= 0 || m.saltSize > len(m.verifier) ||
		m.hashLen <= 0 || m.hashLen > len(m.verifierHash) || len(m.keyValue) < m.dataKeyBits/8 ||
		len(m.verifier)%bs != 0 || len(m.verifierHash)%bs != 0 || len(m.keyValue)%bs != 0 {
		return nil, damaged("verifier of %d and %d bytes", len(m.verifier), len(m.verifierHash))
	}
	m.own = m.cipher != "AES" || m.hash != m.dataHash || len(m.keyValue) != m.dataKeyBits/8
	return m, nil
}

// agileCipher checks one set of agile attributes: AES (or DES, 3DES) in
// CBC chaining, with a hash excelize knows.
func agileCipher(a agileAttrs) error {
	c := a.CipherAlgorithm
	want, known := map[string]struct{ block, keyMin, keyMax int }{
		"AES": {16, 128, 256}, "DES": {8, 64, 64}, "3DES": {8, 192, 192}}[c]
	switch {
	case c == "":
		return &errCannotDecrypt{"an unnamed cipher"}
	case !known:
		return &errCannotDecrypt{c}
	case a.CipherChaining != "ChainingModeCBC":
		return &errCannotDecrypt{c + " in " + strings.TrimPrefix(a.CipherChaining, "ChainingMode") + " chaining"}
	case newHash(a.HashAlgorithm) == nil:
		return &errCannotDecrypt{c + " and the " + a.HashAlgorithm + " hash"}
	case a.KeyBits < want.keyMin || a.KeyBits > want.keyMax || a.KeyBits%64 != 0 && c == "AES":
		return damaged("%s with a key of %d bits", c, a.KeyBits)
	case a.BlockSize != want.block:
		return damaged("%s with blocks of %d bytes", c, a.BlockSize)
	}
	return nil
}

// block makes the agile cipher with key.
func (m *method) block(key []byte) (cipher.Block, error) {
	switch m.cipher {
	case "DES":
		return des.NewCipher(key)
	case "3DES":
		return des.NewTripleDESCipher(key)
	}
	return aes.NewCipher(key)
}

// newHash makes the hash an agile EncryptionInfo names, of those excelize
// and the producers have in common.
func newHash(name string) hash.Hash {
	switch strings.ToLower(name) {
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	case "md5":
		return md5.New()
	}
	return nil
}

// fit truncates b to n bytes or pads it with 0x36, as MS-OFFCRYPTO makes
// keys from hashes.
func fit(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(b, bytes.Repeat([]byte{0x36}, n-len(b))...)
}

func passwordUTF16(password string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(password)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// spin hashes the salt and password, then the result spinCount times with
// an iterator (MS-OFFCRYPTO 2.3.4.7 and 2.3.4.11).
func spin(h hash.Hash, salt []byte, password string, spinCount int) []byte {
	h.Write(salt)
	h.Write(passwordUTF16(password))
	sum := h.Sum(nil)
	var iter [4]byte
	for i := range spinCount {
		binary.LittleEndian.PutUint32(iter[:], uint32(i))
		h.Reset()
		h.Write(iter[:])
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
	return sum
}

// The block keys of the agile password key encryptor.
var (
	blockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	blockVerifierHash  = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	blockKeyValue      = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
)

// check says whether password is the workbook's: errWrongPassword when the
// verifier says it is not.
func (m *method) check(password string) error {
	if m.agile {
		_, err := m.agileKey(password)
		return err
	}
	// Standard: the key is derived from the spun hash (2.3.4.7), and the
	// verifier's SHA-1 is encrypted with it (2.3.4.9).
	h := sha1.New()
	sum := spin(h, m.salt, password, 50000)
	h.Reset()
	h.Write(sum)
	h.Write([]byte{0, 0, 0, 0})
	final := h.Sum(nil)
	derive := func(c byte) []byte {
		buf := bytes.Repeat([]byte{c}, 64)
		for i, x := range final {
			buf[i] ^= x
		}
		s := sha1.Sum(buf)
		return s[:]
	}
	b, err := aes.NewCipher(append(derive(0x36), derive(0x5c)...)[:m.keyBits/8])
	if err != nil {
		return err
	}
	verifier, vhash := ecbDecrypt(b, m.verifier), ecbDecrypt(b, m.verifierHash)
	if want := sha1.Sum(verifier); !bytes.Equal(want[:], vhash[:sha1.Size]) {
		return errWrongPassword
	}
	return nil
}

// agileKey checks password against the agile verifier and returns the
// package key (2.3.4.11 to 2.3.4.13).
func (m *method) agileKey(password string) ([]byte, error) {
	h := newHash(m.hash)
	sum := spin(h, m.salt, password, m.spinCount)
	decrypt := func(blockKey, src []byte) ([]byte, error) {
		h.Reset()
		h.Write(sum)
		h.Write(blockKey)
		b, err := m.block(fit(h.Sum(nil), m.keyBits/8))
		if err != nil {
			return nil, err
		}
		out := make([]byte, len(src))
		cipher.NewCBCDecrypter(b, m.salt).CryptBlocks(out, src)
		return out, nil
	}
	input, err := decrypt(blockVerifierInput, m.verifier)
	if err != nil {
		return nil, err
	}
	value, err := decrypt(blockVerifierHash, m.verifierHash)
	if err != nil {
		return nil, err
	}
	h.Reset()
	h.Write(input[:m.saltSize])
	if !bytes.Equal(fit(h.Sum(nil), m.hashLen), value[:m.hashLen]) {
		return nil, errWrongPassword
	}
	key, err := decrypt(blockKeyValue, m.keyValue)
	if err != nil {
		return nil, err
	}
	return key[:m.dataKeyBits/8], nil
}

// decryptAgile decrypts an agile package that excelize would misread: in
// segments of 4,096 bytes, each with the IV hashed from the data's salt
// and the segment's number (2.3.4.15).
func (m *method) decryptAgile(pkg []byte, password string) ([]byte, error) {
	if len(pkg) < 8 {
		return nil, damaged("package of %d bytes", len(pkg))
	}
	key, err := m.agileKey(password)
	if err != nil {
		return nil, err
	}
	b, err := m.block(key)
	if err != nil {
		return nil, err
	}
	data := pkg[8:]
	data = data[:len(data)-len(data)%m.blockSize]
	out := make([]byte, len(data))
	h := newHash(m.dataHash)
	for i, at := 0, 0; at < len(data); i, at = i+1, at+4096 {
		h.Reset()
		h.Write(m.dataSalt)
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		end := min(at+4096, len(data))
		cipher.NewCBCDecrypter(b, fit(h.Sum(nil), m.blockSize)).CryptBlocks(out[at:end], data[at:end])
	}
	return out, nil
}

func ecbDecrypt(b cipher.Block, src []byte) []byte {
	out := make([]byte, len(src)-len(src)%b.BlockSize())
	for i := 0; i < len(out); i += b.BlockSize() {
		b.Decrypt(out[i:], src[i:])
	}
	return out
}

// decryptPackage decrypts the workbook raw, whose streams are ef and whose
// method is m, with a password the verifier accepted, and returns the zip.
func decryptPackage(raw []byte, ef encryptedFile, m *method, password string) ([]byte, error) {
	var plain []byte
	var err error
	if m.own {
		whole, _, rerr := encryptedStreams(bytes.NewReader(raw), false, true)
		if rerr != nil {
			return nil, rerr
		}
		plain, err = m.decryptAgile(whole.pkg, password)
	} else {
		plain, err = excelize.Decrypt(raw, &excelize.Options{Password: password})
		if err != nil {
			// excelize reads a stream to the length the directory records.
			// When the sectors of EncryptedPackage end earlier but still
			// hold the whole package, the entry is given that length.
			fixed, ferr := withPackageLength(raw, ef)
			if ferr != nil {
				return nil, ferr
			}
			plain, err = excelize.Decrypt(fixed, &excelize.Options{Password: password})
		}
	}
	if err != nil {
		return nil, damaged("%v", err)
	}
	if uint64(len(plain)) < ef.plainSize {
		return nil, damaged("package decrypts to %d bytes of %d", len(plain), ef.plainSize)
	}
	return plain[:ef.plainSize], nil
}

// withPackageLength returns a copy of raw whose directory records
// EncryptedPackage as just long enough for its package (8 bytes of size,
// then whole AES blocks), when its sectors hold that much. mscfb does not
// say where a directory entry is, so it is found by name, type and
// recorded size: directory entries are 128 bytes, at offsets that are
// multiples of 128 in either sector size, and exactly one must match.
func withPackageLength(raw []byte, ef encryptedFile) ([]byte, error) {
	whole, _, err := encryptedStreams(bytes.NewReader(raw), false, true)
	if err != nil {
		return nil, err
	}
	need := 8 + (ef.plainSize+aes.BlockSize-1)/aes.BlockSize*aes.BlockSize
	have := uint64(len(whole.pkg))
	if ef.plainSize > uint64(len(raw)) || have < need || have == uint64(ef.recorded) {
		return nil, damaged("stream EncryptedPackage holds %d bytes of the %d its package needs", have, need)
	}
	const miniStreamCutoff = 4096
	if need < miniStreamCutoff {
		// A shorter length would move the stream to the mini stream.
		return nil, damaged("stream EncryptedPackage is recorded as %d bytes and holds %d", ef.recorded, have)
	}
	name := []byte(string(passwordUTF16("EncryptedPackage\x00")))
	at := -1
	for off := 512; off+128 <= len(raw); off += 128 {
		e := raw[off : off+128]
		if !bytes.HasPrefix(e, name) || e[64] != byte(len(name)) || e[65] != 0 || e[66] != 2 ||
			int64(binary.LittleEndian.Uint32(e[120:124])) != ef.recorded&0xFFFFFFFF {
			continue
		}
		if at >= 0 {
			at = -2
			break
		}
		at = off
	}
	if at < 0 {
		return nil, damaged("stream EncryptedPackage is recorded as %d bytes and holds %d", ef.recorded, have)
	}
	fixed := bytes.Clone(raw)
	binary.LittleEndian.PutUint32(fixed[at+120:], uint32(need))
	if binary.LittleEndian.Uint16(raw[26:28]) > 3 {
		binary.LittleEndian.PutUint32(fixed[at+124:], 0)
	}
	return fixed, nil
}
