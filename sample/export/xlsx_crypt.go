package export

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/sha1"
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
)

// Encrypted workbooks (MS-OFFCRYPTO). An encrypted .xlsx is a Compound File
// holding two streams: EncryptionInfo, which says how the key is made from
// the password and which cipher is used, and EncryptedPackage, the
// workbook's zip, encrypted. Excel, LibreOffice, Apache POI and
// msoffcrypto-tool encrypt with AES, described either in XML ("agile",
// EncryptionInfo version 4.4) or in a binary header ("standard", x.2).
//
// The key is derived from the password here, once, and used both to check
// the password against the verifier (so that a wrong password is called
// wrong) and to decrypt. excelize's Decrypt takes only a password: calling
// it would derive the key again, with an allocation per hash round (100,000
// SHA-512 rounds for what Excel writes, several times the cost of the rest
// of opening a workbook), and it checks no verifier, spins the password
// with the data's hash where Apache POI's 60320-protected.xlsx (from a bug
// report) uses SHA-512 for the password and SHA-1 for the data, takes
// every byte of a 192-bit key stored padded (ExcelDataReader's
// agile_AES192_SHA512_CBC files), and knows no DES or 3DES (Apache POI
// writes them on request: ExcelDataReader's
// agile_DES_MD5_CBC_pwd_password.xlsx and
// agile_DESede_SHA384_CBC_pwd_password.xlsx). What is left after the key is
// a loop of CBC segments (agile) or ECB blocks (standard).
//
// A method caseaudit cannot decrypt (RC2, RC4, CFB chaining, a certificate
// instead of a password, a third-party method) is refused by name rather
// than called damaged. A workbook "protected" against editing only is
// encrypted with Excel's well-known default password, VelvetSweatshop, and
// opens in Excel without a password: it is tried first when no password is
// given.

// defaultPassword is the password Excel encrypts with when a workbook is
// protected for editing only ("read-only recommended" and the like).
const defaultPassword = "VelvetSweatshop"

// maxSpinCount is the largest spin count MS-OFFCRYPTO allows.
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
	info []byte // EncryptionInfo
	pkg  []byte // EncryptedPackage as far as its sectors go
}

// cfbPiece is the size in which streams are read: mscfb reads nothing of a
// Read whose sector chain ends early, so a stream recorded as longer than
// its chain is read piece by piece up to where the chain ends. ExtenXLS
// records EncryptedPackage so (Apache POI's test file extenxls_pwd123.xlsx:
// 7,848 bytes recorded, 6,144 held, a package of 6,083); the package is
// whole when the sectors hold it, which decrypt checks. Sectors (512 or
// 4,096 bytes) and mini sectors (64) are whole numbers of pieces.
const cfbPiece = 512

// encryptedStreams reads the EncryptionInfo and EncryptedPackage streams
// of a Compound File; found is false when it holds neither (a legacy
// .xls). With headerOnly it only looks for them.
func encryptedStreams(r io.ReaderAt, headerOnly bool) (ef encryptedFile, found bool, err error) {
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
		var dst *[]byte
		switch entry.Name {
		case "EncryptionInfo":
			dst, haveInfo = &ef.info, true
		case "EncryptedPackage":
			dst, havePkg = &ef.pkg, true
		default:
			continue
		}
		found = true
		if headerOnly {
			continue
		}
		*dst, err = readStream(doc, entry.Size)
		if err != nil || len(*dst) < 8 || dst == &ef.info && int64(len(ef.info)) < entry.Size {
			return ef, true, damaged("stream %s is cut short at %d bytes", entry.Name, len(*dst))
		}
	}
	if found && (!haveInfo || !havePkg) {
		return ef, true, damaged("a stream is missing")
	}
	return ef, found, nil
}

// readStream reads the current stream up to its recorded size, stopping
// without an error where its sector chain ends; err is set when nothing
// could be read.
func readStream(doc *mscfb.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return nil, damaged("a stream of negative size")
	}
	buf := make([]byte, 0, min(size, 64<<20))
	piece := make([]byte, cfbPiece)
	for int64(len(buf)) < size {
		k, err := doc.Read(piece[:min(cfbPiece, size-int64(len(buf)))])
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

// method is a parsed EncryptionInfo.
type method struct {
	agile     bool
	cipher    string // AES, DES or 3DES
	blockSize int
	// The password key: its hash, spin count, size, salt, and the
	// verifier encrypted with it.
	hash                   string
	spinCount, keyBits     int
	salt                   []byte
	verifier, verifierHash []byte
	saltSize, hashLen      int // agile: the verifier's bytes that count
	// Agile: the package key, encrypted with the password key, and what
	// makes each segment's IV.
	keyValue    []byte
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
// EncryptionVerifier after the version and flags. Its hash is SHA-1,
// spun 50,000 times. Excel 2007 writes AES-128; Apache POI writes AES-192
// and AES-256 on request (ExcelDataReader's
// standard_AES192_SHA1_ECB_pwd_password.xlsx and
// standard_AES256_SHA1_ECB_pwd_password.xlsx).
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
	return &method{cipher: "AES", blockSize: aes.BlockSize, hash: "sha1", spinCount: 50000, keyBits: keyBits,
		salt: v[4:20], verifier: v[20:36], verifierHash: v[40:72]}, nil
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

// parseAgile reads agile encryption: AES, DES or 3DES in CBC chaining,
// with the password key encryptor first (as every producer writes it).
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
	m := &method{agile: true, cipher: k.CipherAlgorithm, blockSize: k.BlockSize, hash: strings.ToLower(k.HashAlgorithm),
		spinCount: k.SpinCount, keyBits: k.KeyBits, saltSize: k.SaltSize, hashLen: k.HashSize,
		dataHash: strings.ToLower(kd.HashAlgorithm), dataKeyBits: kd.KeyBits}
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
	// The key encryptor's salt is the IV of its verifier and key.
	bs := m.blockSize
	if len(m.salt) != bs || len(m.dataSalt) == 0 || m.saltSize <= 0 || m.saltSize > len(m.verifier) ||
		m.hashLen <= 0 || m.hashLen > len(m.verifierHash) || len(m.keyValue) < m.dataKeyBits/8 ||
		len(m.verifier)%bs != 0 || len(m.verifierHash)%bs != 0 || len(m.keyValue)%bs != 0 {
		return nil, damaged("verifier of %d and %d bytes", len(m.verifier), len(m.verifierHash))
	}
	return m, nil
}

// agileCipher checks one set of agile attributes: AES (or DES, 3DES) in
// CBC chaining, with a hash the producers use.
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

// block makes the cipher with key.
func (m *method) block(key []byte) (cipher.Block, error) {
	switch m.cipher {
	case "DES":
		return des.NewCipher(key)
	case "3DES":
		return des.NewTripleDESCipher(key)
	}
	return aes.NewCipher(key)
}

// newHash makes the hash an agile EncryptionInfo names, of those a real
// file is known to use: SHA-512 (Excel 2013 and later, LibreOffice), SHA-1
// (Excel 2010; ExcelDataReader's agile_AES128_SHA1_CBC_pwd_password.xlsx),
// SHA-384 and MD5 (Apache POI on request: ExcelDataReader's
// agile_AES128_SHA384_CBC_pwd_password.xlsx and
// agile_AES128_MD5_CBC_pwd_password.xlsx). Any other is refused by name.
func newHash(name string) hash.Hash {
	switch strings.ToLower(name) {
	case "sha1":
		return sha1.New()
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
// an iterator before it (MS-OFFCRYPTO 2.3.4.7 and 2.3.4.11). The iterator
// and the hash share one buffer that each round's hash is written back
// into: the loop allocates nothing, and is most of the time a workbook
// takes to open.
func spin(h hash.Hash, salt []byte, password string, spinCount int) []byte {
	h.Write(salt)
	h.Write(passwordUTF16(password))
	buf := h.Sum(make([]byte, 4, 4+h.Size()))
	for i := range spinCount {
		binary.LittleEndian.PutUint32(buf, uint32(i))
		h.Reset()
		h.Write(buf)
		h.Sum(buf[:4])
	}
	return buf[4:]
}

// The block keys of the agile password key encryptor.
var (
	blockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	blockVerifierHash  = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	blockKeyValue      = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
)

// key derives the key from password once, checks it against the verifier
// (errWrongPassword when it is not the workbook's), and returns the key
// that decrypts the package.
func (m *method) key(password string) ([]byte, error) {
	h := newHash(m.hash)
	sum := spin(h, m.salt, password, m.spinCount)
	if !m.agile {
		return m.standardKey(h, sum)
	}
	// Agile (2.3.4.11 to 2.3.4.13): a key per purpose, hashed from the
	// spun hash and a block key, decrypts in CBC with the salt as the IV.
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

// standardKey makes the standard key from the spun hash (2.3.4.7) and
// checks the verifier, whose SHA-1 is encrypted with it (2.3.4.9).
func (m *method) standardKey(h hash.Hash, sum []byte) ([]byte, error) {
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
	key := append(derive(0x36), derive(0x5c)...)[:m.keyBits/8]
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	verifier, vhash := ecbDecrypt(b, m.verifier), ecbDecrypt(b, m.verifierHash)
	if want := sha1.Sum(verifier); !bytes.Equal(want[:], vhash[:sha1.Size]) {
		return nil, errWrongPassword
	}
	return key, nil
}

// decrypt decrypts the EncryptedPackage stream pkg with the key key
// returned, and returns the zip: its size first, then the package, in ECB
// (standard) or in segments of 4,096 bytes in CBC, each with the IV hashed
// from the data's salt and the segment's number (agile, 2.3.4.15).
func (m *method) decrypt(pkg, key []byte) ([]byte, error) {
	size, bs := binary.LittleEndian.Uint64(pkg), uint64(m.blockSize)
	if size > uint64(len(pkg)) || (size+bs-1)/bs*bs > uint64(len(pkg)-8) {
		return nil, damaged("stream EncryptedPackage holds %d bytes for a package of %d", len(pkg)-8, size)
	}
	b, err := m.block(key)
	if err != nil {
		return nil, err
	}
	data := pkg[8 : 8+(size+bs-1)/bs*bs]
	if !m.agile {
		return ecbDecrypt(b, data)[:size], nil
	}
	out := make([]byte, len(data))
	h := newHash(m.dataHash)
	for i, at := 0, 0; at < len(data); i, at = i+1, at+4096 {
		h.Reset()
		h.Write(m.dataSalt)
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(i)))
		end := min(at+4096, len(data))
		cipher.NewCBCDecrypter(b, fit(h.Sum(nil), m.blockSize)).CryptBlocks(out[at:end], data[at:end])
	}
	return out[:size], nil
}

func ecbDecrypt(b cipher.Block, src []byte) []byte {
	out := make([]byte, len(src)-len(src)%b.BlockSize())
	for i := 0; i < len(out); i += b.BlockSize() {
		b.Decrypt(out[i:], src[i:])
	}
	return out
}
