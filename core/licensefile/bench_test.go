package licensefile_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/licdesk/licdesk/core/licensefile"
)

// The four benchmarks sign and verify the same sample license so the cost of
// the file format (JSON, base64, armor, strict parsing) can be published as a
// ratio: BenchmarkSign / BenchmarkRawEd25519Sign and BenchmarkVerify /
// BenchmarkRawEd25519Verify. The raw benchmarks sign the exact message Sign
// signs (domain prefix, key ID, payload bytes).

func benchFixture(b *testing.B) (s licensefile.Signer, trusted licensefile.TrustedKeys, file, msg, sig []byte) {
	b.Helper()
	s = testSigner(b, "bench")
	trusted = trust(b, s)
	file = sign(b, s, samplePayload())
	msg = signedMessage("LICENSE", s.KeyID, payloadOf(b, file))
	sig = ed25519.Sign(s.Key, msg)
	if _, err := licensefile.Verify(file, trusted); err != nil {
		b.Fatal(err)
	}
	return s, trusted, file, msg, sig
}

func BenchmarkSign(b *testing.B) {
	s, _, file, _, _ := benchFixture(b)
	p := samplePayload()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	_, trusted, file, _, _ := benchFixture(b)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := licensefile.Verify(file, trusted); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawEd25519Sign(b *testing.B) {
	s, _, file, msg, _ := benchFixture(b)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		_ = ed25519.Sign(s.Key, msg)
	}
}

func BenchmarkRawEd25519Verify(b *testing.B) {
	s, _, file, msg, sig := benchFixture(b)
	pub := s.Public()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("raw verify failed")
		}
	}
}
