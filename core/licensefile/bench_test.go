package licensefile_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/licdesk/licdesk/core/licensefile"
)

// The benchmarks sign and verify the same sample license so the cost of the
// file format (JSON, base64, armor, strict parsing) can be published as a
// ratio against raw Ed25519 on the exact message Sign signs (domain prefix,
// key ID, payload bytes). Each figure and its baseline are sub-benchmarks of
// one benchmark, so cmd/benchratio runs them in the same process and pairs
// them: Sign/file over Sign/ed25519, Verify/file over Verify/ed25519.

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

// BenchmarkSign: file is Signer.Sign of the sample payload (canonical
// JSON, signature, armor); ed25519 is ed25519.Sign of the same message.
func BenchmarkSign(b *testing.B) {
	s, _, file, msg, _ := benchFixture(b)
	p := samplePayload()
	b.Run("file", func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Sign(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ed25519", func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			_ = ed25519.Sign(s.Key, msg)
		}
	})
}

// BenchmarkVerify: file is licensefile.Verify of the signed sample file
// (armor, strict parsing, signature); ed25519 is ed25519.Verify of the same
// message and signature.
func BenchmarkVerify(b *testing.B) {
	s, trusted, file, msg, sig := benchFixture(b)
	pub := s.Public()
	b.Run("file", func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := licensefile.Verify(file, trusted); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ed25519", func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("raw verify failed")
			}
		}
	})
}
