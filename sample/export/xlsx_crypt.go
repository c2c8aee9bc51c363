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
)

// Encrypted workbooks (ECMA-376 / MS-OFFCRYPTO). An encrypted .xlsx is a
// Compound File holding two streams: EncryptionInfo, which says how the
// key is made from the password and which cipher is used, and
// EncryptedPackage, the workbook's zip, encrypted. Two methods are in use:
//
//   - Agile encryption (EncryptionInfo version 4.4, an XML description):
//     a hash (SHA-1, SHA-256, SHA-384, SHA-512, MD5) spun over the password
//     makes keys that check a verifier and unlock the package key; the
//     package is decrypted in 4,096-byte segments, each with its own IV.
//     Ciphers: AES (128, 192, 256 bits), DES, 3DES and 3DES_112, in CBC or
//     (8-bit) CFB chaining, which Go's standard library provides. RC2, RC4
//     and DESX are not there; a workbook using one is refused by name.
//   - Standard encryption (versions 2.2, 3.2, 4.2): AES in ECB mode with a
//     SHA-1 key. RC4 (CryptoAPI) and extensible (third-party) encryption
//     are refused by name.
//
// A wrong password is known by the verifier, never by garbage out. A
// workbook "protected" against editing only is encrypted with Excel's
// well-known default password, VelvetSweatshop, and opens in Excel without
// a password: it is tried first when no password is given.

// defaultPassword is the password Excel encrypts with when a workbook is
// protected for editing only ("read-only recommended" and the like).
const defaultPassword = "VelvetSweatshop"

// maxSpinCount is the largest spin count MS-OFFCRYPTO allows.
const maxSpinCount = 10_000_000

var errWrongPassword = errors.New("wrong password")

// errCannotDecrypt says an encrypted package uses a method caseaudit cannot
// decrypt; what names it ("RC2", "AES with MD4").
type errCannotDecrypt struct{ what string }

func (e *errCannotDecrypt) Error() string { return "encrypted with " + e.what }

// errDamagedEncryption says the encryption streams are malformed.
type errDamagedEncryption struct{ why string }

func (e *errDamagedEncryption) Error() string { return "damaged encryption: " + e.why }

func damaged(format string, a ...any) error {
	return &errDamagedEncryption{why: fmt.Sprintf(format, a...)}
}

// encryptedStreams reads the EncryptionInfo and EncryptedPackage streams of
// a Compound File of size bytes; found is false when it holds neither (a
// legacy .xls). With size 0 it only looks for them, reading nothing.
func encryptedStreams(r io.ReaderAt, size int64) (info, pkg []byte, found bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			info, pkg, found, err = nil, nil, false, fmt.Errorf("malformed compound file: %v", p)
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return nil, nil, false, err
	}
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		if entry.Name != "EncryptionInfo" && entry.Name != "EncryptedPackage" {
			continue
		}
		found = true
		if size == 0 {
			return nil, nil, true, nil
		}
		if entry.Size < 0 || entry.Size > size {
			return nil, nil, true, damaged("stream %s is larger than the file", entry.Name)
		}
		buf := make([]byte, entry.Size)
		if n, err := io.ReadFull(doc, buf); err != nil {
			return nil, nil, true, damaged("stream %s is cut short at %d bytes: %v", entry.Name, n, err)
		}
		if entry.Name == "EncryptionInfo" {
			info = buf
		} else {
			pkg = buf
		}
	}
	if found && (info == nil || pkg == nil) {
		return nil, nil, true, damaged("a stream is missing")
	}
	return info, pkg, found, nil
}

// encryption is a parsed EncryptionInfo: how to make keys and decrypt.
type encryption struct {
	agile bool
	// Agile: the key encryptor (password) and the package's key data.
	key, data                             agileParams
	verifierInput, verifierHash, keyValue []byte
	// Standard.
	salt, encVerifier, encVerifierHash []byte
	keyBits                            int
}

type agileParams struct {
	saltSize, blockSize, keyBits, hashSize, spinCount int
	cipher, chaining, hash                            string
	salt                                              []byte
}

// parseEncryptionInfo reads an EncryptionInfo stream; a method caseaudit
// cannot decrypt is an *errCannotDecrypt.
func parseEncryptionInfo(info []byte) (*encryption, error) {
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
		return parseStandard(info, flags)
	}
	return nil, &errCannotDecrypt{fmt.Sprintf("an encryption method of version %d.%d", major, minor)}
}

// parseStandard reads Standard encryption: an EncryptionHeader and an
// EncryptionVerifier after the version and flags.
func parseStandard(info []byte, flags uint32) (*encryption, error) {
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
	var name string
	switch algID {
	case 0x660E:
		name = "AES-128"
	case 0x660F:
		name = "AES-192"
	case 0x6610:
		name = "AES-256"
	case 0x6801:
		return nil, &errCannotDecrypt{"RC4 (CryptoAPI)"}
	case 0:
		if flags&0x20 == 0 {
			return nil, &errCannotDecrypt{"RC4 (CryptoAPI)"}
		}
		name = "AES-128"
	default:
		return nil, &errCannotDecrypt{fmt.Sprintf("an unknown cipher (algorithm 0x%04X)", algID)}
	}
	if algHash != 0 && algHash != 0x8004 {
		return nil, &errCannotDecrypt{fmt.Sprintf("%s and an unknown hash (algorithm 0x%04X)", name, algHash)}
	}
	want := map[string]int{"AES-128": 128, "AES-192": 192, "AES-256": 256}[name]
	if keyBits == 0 {
		keyBits = want
	}
	if keyBits != want {
		return nil, damaged("%s with a key of %d bits", name, keyBits)
	}
	v := info[12+hsize:]
	if len(v) < 4+16+16+4+32 || binary.LittleEndian.Uint32(v[0:4]) != 16 {
		return nil, damaged("encryption verifier of %d bytes", len(v))
	}
	return &encryption{salt: v[4:20], encVerifier: v[20:36], encVerifierHash: v[40:72], keyBits: keyBits}, nil
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

func parseAgile(b []byte) (*encryption, error) {
	var x agileXML
	d := newPartDecoder(bytes.NewReader(b))
	if err := d.Decode(&x); err != nil {
		return nil, damaged("EncryptionInfo is not valid XML: %v", err)
	}
	e := &encryption{agile: true}
	found, certificate := false, false
	for _, k := range x.KeyEncryptors.KeyEncryptor {
		if strings.HasSuffix(k.URI, "/password") {
			found = true
			a := k.EncryptedKey
			var err error
			if e.key, err = agileParamsOf(a); err != nil {
				return nil, err
			}
			for _, f := range []struct {
				dst *[]byte
				src string
			}{{&e.verifierInput, a.EncryptedVerifierHashInput}, {&e.verifierHash, a.EncryptedVerifierHashValue}, {&e.keyValue, a.EncryptedKeyValue}} {
				if *f.dst, err = base64.StdEncoding.DecodeString(f.src); err != nil {
					return nil, damaged("a key value is not base64")
				}
			}
			break
		}
		certificate = certificate || strings.HasSuffix(k.URI, "/certificate")
	}
	if !found {
		if certificate {
			return nil, &errCannotDecrypt{"a digital certificate rather than a password"}
		}
		return nil, damaged("no password key encryptor")
	}
	var err error
	if e.data, err = agileParamsOf(x.KeyData); err != nil {
		return nil, err
	}
	if e.key.spinCount < 0 || e.key.spinCount > maxSpinCount {
		return nil, damaged("spin count %d", e.key.spinCount)
	}
	return e, nil
}

// agileParamsOf checks one set of agile attributes: a cipher, chaining and
// hash that caseaudit can use, with consistent sizes.
func agileParamsOf(a agileAttrs) (agileParams, error) {
	p := agileParams{saltSize: a.SaltSize, blockSize: a.BlockSize, keyBits: a.KeyBits, hashSize: a.HashSize,
		spinCount: a.SpinCount, cipher: a.CipherAlgorithm, chaining: a.CipherChaining, hash: a.HashAlgorithm}
	if newAgileHash(p.hash) == nil {
		return p, &errCannotDecrypt{fmt.Sprintf("%s and the %s hash", p.cipher, p.hash)}
	}
	want := map[string]struct{ block, keyMin, keyMax int }{
		"AES": {16, 128, 256}, "DES": {8, 64, 64}, "3DES": {8, 192, 192}, "3DES_112": {8, 128, 128},
	}[p.cipher]
	if want.block == 0 {
		name := p.cipher
		if name == "" {
			name = "an unnamed cipher"
		}
		return p, &errCannotDecrypt{name}
	}
	if p.chaining != "ChainingModeCBC" && p.chaining != "ChainingModeCFB" {
		return p, &errCannotDecrypt{fmt.Sprintf("%s in %s chaining", p.cipher, strings.TrimPrefix(p.chaining, "ChainingMode"))}
	}
	if p.cipher == "AES" && p.keyBits != 128 && p.keyBits != 192 && p.keyBits != 256 || p.keyBits < want.keyMin || p.keyBits > want.keyMax {
		return p, damaged("%s with a key of %d bits", p.cipher, p.keyBits)
	}
	if p.blockSize != want.block {
		return p, damaged("%s with blocks of %d bytes", p.cipher, p.blockSize)
	}
	salt, err := base64.StdEncoding.DecodeString(a.SaltValue)
	if err != nil || len(salt) == 0 || len(salt) > 64 {
		return p, damaged("salt value")
	}
	p.salt = salt
	return p, nil
}

func newAgileHash(name string) hash.Hash {
	switch strings.ToUpper(strings.ReplaceAll(name, "-", "")) {
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	case "SHA384":
		return sha512.New384()
	case "SHA512":
		return sha512.New()
	case "MD5":
		return md5.New()
	}
	return nil
}

// blockCipher makes the cipher of p with key.
func (p agileParams) blockCipher(key []byte) (cipher.Block, error) {
	switch p.cipher {
	case "AES":
		return aes.NewCipher(key)
	case "DES":
		return des.NewCipher(key)
	case "3DES":
		return des.NewTripleDESCipher(key)
	case "3DES_112": // two keys: K1 K2 K1
		return des.NewTripleDESCipher(append(append([]byte(nil), key...), key[:8]...))
	}
	return nil, &errCannotDecrypt{p.cipher}
}

// decrypt decrypts src (whole blocks for CBC) in place with key and iv.
func (p agileParams) decrypt(key, iv, src []byte) error {
	b, err := p.blockCipher(key)
	if err != nil {
		return err
	}
	if p.chaining == "ChainingModeCFB" {
		cfb8Decrypt(b, iv, src)
		return nil
	}
	if len(src)%b.BlockSize() != 0 {
		return damaged("%d bytes are not whole %s blocks", len(src), p.cipher)
	}
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(src, src)
	return nil
}

// cfb8Decrypt decrypts in cipher feedback mode with an 8-bit window, as
// MS-OFFCRYPTO's ChainingModeCFB is.
func cfb8Decrypt(b cipher.Block, iv, buf []byte) {
	reg := append([]byte(nil), iv...)
	out := make([]byte, b.BlockSize())
	for i, c := range buf {
		b.Encrypt(out, reg)
		copy(reg, reg[1:])
		reg[len(reg)-1] = c
		buf[i] = c ^ out[0]
	}
}

// fit truncates b to n bytes or pads it with 0x36, as MS-OFFCRYPTO makes
// keys and IVs from hashes.
func fit(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(b, bytes.Repeat([]byte{0x36}, n-len(b))...)
}

func passwordUTF16(password string) []byte {
	u := utf16.Encode([]rune(password))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// The block keys of the agile password key encryptor.
var (
	blockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	blockVerifierHash  = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	blockKeyValue      = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
)

// packageKey checks the password and returns the key of the package:
// errWrongPassword when the verifier says it is not the password.
func (e *encryption) packageKey(password string) ([]byte, error) {
	if !e.agile {
		return e.standardKey(password)
	}
	k := e.key
	h := newAgileHash(k.hash)
	h.Write(k.salt)
	h.Write(passwordUTF16(password))
	sum := h.Sum(nil)
	var iter [4]byte
	for i := 0; i < k.spinCount; i++ {
		binary.LittleEndian.PutUint32(iter[:], uint32(i))
		h.Reset()
		h.Write(iter[:])
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
	keyFor := func(block []byte) []byte {
		h.Reset()
		h.Write(sum)
		h.Write(block)
		return fit(h.Sum(nil), k.keyBits/8)
	}
	iv := fit(append([]byte(nil), k.salt...), k.blockSize)
	input := append([]byte(nil), e.verifierInput...)
	value := append([]byte(nil), e.verifierHash...)
	if err := k.decrypt(keyFor(blockVerifierInput), iv, input); err != nil {
		return nil, err
	}
	if err := k.decrypt(keyFor(blockVerifierHash), iv, value); err != nil {
		return nil, err
	}
	if len(input) < k.saltSize || len(value) < k.hashSize || k.saltSize <= 0 {
		return nil, damaged("verifier of %d and %d bytes", len(input), len(value))
	}
	vh := newAgileHash(k.hash)
	vh.Write(input[:k.saltSize])
	if got := vh.Sum(nil); !bytes.Equal(fit(got, k.hashSize), value[:k.hashSize]) {
		return nil, errWrongPassword
	}
	key := append([]byte(nil), e.keyValue...)
	if err := k.decrypt(keyFor(blockKeyValue), iv, key); err != nil {
		return nil, err
	}
	if len(key) < e.data.keyBits/8 {
		return nil, damaged("package key of %d bytes", len(key))
	}
	return key[:e.data.keyBits/8], nil
}

// standardKey derives and checks the key of Standard encryption.
func (e *encryption) standardKey(password string) ([]byte, error) {
	h := sha1.New()
	h.Write(e.salt)
	h.Write(passwordUTF16(password))
	sum := h.Sum(nil)
	var iter [4]byte
	for i := 0; i < 50000; i++ {
		binary.LittleEndian.PutUint32(iter[:], uint32(i))
		h.Reset()
		h.Write(iter[:])
		h.Write(sum)
		sum = h.Sum(sum[:0])
	}
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
	key := append(derive(0x36), derive(0x5c)...)[:e.keyBits/8]
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	verifier := ecbDecrypt(b, e.encVerifier)
	vhash := ecbDecrypt(b, e.encVerifierHash)
	if want := sha1.Sum(verifier); !bytes.Equal(want[:], vhash[:sha1.Size]) {
		return nil, errWrongPassword
	}
	return key, nil
}

func ecbDecrypt(b cipher.Block, src []byte) []byte {
	out := make([]byte, len(src)-len(src)%b.BlockSize())
	for i := 0; i < len(out); i += b.BlockSize() {
		b.Decrypt(out[i:], src[i:])
	}
	return out
}

// decryptPackage decrypts an EncryptedPackage stream with the package key.
func (e *encryption) decryptPackage(key, pkg []byte) ([]byte, error) {
	if len(pkg) < 8 {
		return nil, damaged("package of %d bytes", len(pkg))
	}
	size := binary.LittleEndian.Uint64(pkg[:8])
	data := pkg[8:]
	if size > uint64(len(data)) {
		return nil, damaged("package says %d bytes and holds %d", size, len(data))
	}
	if !e.agile {
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return ecbDecrypt(b, data)[:size], nil
	}
	d := e.data
	out := make([]byte, 0, len(data))
	const segment = 4096
	var idx [4]byte
	for i := 0; len(data) > 0; i++ {
		n := min(segment, len(data))
		chunk := append([]byte(nil), data[:n]...)
		if d.chaining == "ChainingModeCBC" {
			chunk = chunk[:n-n%d.blockSize]
		}
		data = data[n:]
		binary.LittleEndian.PutUint32(idx[:], uint32(i))
		h := newAgileHash(d.hash)
		h.Write(d.salt)
		h.Write(idx[:])
		if err := d.decrypt(key, fit(h.Sum(nil), d.blockSize), chunk); err != nil {
			return nil, err
		}
		out = append(out, chunk...)
	}
	if uint64(len(out)) < size {
		return nil, damaged("package decrypts to %d bytes of %d", len(out), size)
	}
	return out[:size], nil
}
