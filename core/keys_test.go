package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyKind_OnlyInstallKeysActivateOnAdd(t *testing.T) {
	assert.True(t, InstallKey.ActivatesOnAdd())
	assert.False(t, LicenseKey.ActivatesOnAdd())
	assert.False(t, KeyKind(0).ActivatesOnAdd())
}

func TestKeyKind_InstallKeysCannotBeAddedOffline(t *testing.T) {
	err := InstallKey.CheckAdd(false)
	assert.Equal(t, Offline, KindOf(err))
	assert.Equal(t, CodeKeyInstallOffline, CodeOf(err))
	assert.NoError(t, InstallKey.CheckAdd(true))
	assert.NoError(t, LicenseKey.CheckAdd(false), "a license key is added offline and activated later")
}

func TestParseKeyKind(t *testing.T) {
	k, err := ParseKeyKind("License")
	require.NoError(t, err)
	assert.Equal(t, LicenseKey, k)
	_, err = ParseKeyKind("trial")
	assert.Equal(t, CodeKeyKind, CodeOf(err))
}

func TestParseSerial_NormalisesCaseDashesAndLookalikes(t *testing.T) {
	for _, in := range []string{"6SWB-NZ9Y-4HMV", "6swbnz9y4hmv", " 6swb nz9y 4hmv ", "6SWB-NZ9Y-4HMV"} {
		got, err := ParseSerial(in)
		require.NoError(t, err, in)
		assert.Equal(t, Serial("6SWB-NZ9Y-4HMV"), got)
	}
	s := NewSerial(0)
	assert.Equal(t, Serial("0000-0000-0000"), s)
	got, err := ParseSerial("oooo-OOOO-oooo")
	require.NoError(t, err)
	assert.Equal(t, s, got, "O reads as 0")
}

func TestParseSerial_RefusesWrongLengthAlphabetAndTypos(t *testing.T) {
	tests := []struct{ in, code string }{
		{"", CodeSerialFormat},
		{"6SWB-NZ9Y-4HM", CodeSerialFormat},
		{"6SWB-NZ9Y-4HMVV", CodeSerialFormat},
		{"6SWB-NZ9Y-4HM!", CodeSerialFormat},
		{"6SWB-NZ9Y-4HMU", CodeSerialFormat},
		{"6SWB-NZ9Y-4HMW", CodeSerialChecksum},
		{"6SWB-NZ9Y-H4MV", CodeSerialChecksum},
		{"7SWB-NZ9Y-4HMV", CodeSerialChecksum},
	}
	for _, tt := range tests {
		_, err := ParseSerial(tt.in)
		assert.Equal(t, tt.code, CodeOf(err), tt.in)
	}
}

func TestCheckSymbol_CatchesEverySingleSubstitution(t *testing.T) {
	k, err := NewKey(LicenseKey, [15]byte{0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18})
	require.NoError(t, err)
	body := strings.ReplaceAll(string(k)[4:], "-", "")
	for i := 0; i < len(body); i++ {
		for _, c := range crockford {
			if byte(c) == body[i] {
				continue
			}
			typo := "LIC" + body[:i] + string(c) + body[i+1:]
			_, err := ParseKey(typo)
			require.Equal(t, CodeKeyChecksum, CodeOf(err), typo)
		}
	}
}

func TestParseKey_ReadsKindFromPrefixAndNormalises(t *testing.T) {
	k, err := ParseKey(" lic 795nr vbyhy 8a3cp 3tkjz c1rrp ")
	require.NoError(t, err)
	assert.Equal(t, Key("LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RRP"), k)
	assert.Equal(t, LicenseKey, k.Kind())

	k, err = ParseKey("INS-04106-1050R-3GG28-A1C60-T3GFK")
	require.NoError(t, err)
	assert.Equal(t, InstallKey, k.Kind())

	k, err = ParseKey("ins-o41o6-lo5or-3gg28-a1c6o-t3gfk")
	require.NoError(t, err)
	assert.Equal(t, Key("INS-04106-1050R-3GG28-A1C60-T3GFK"), k, "O, I and L in the body read as 0 and 1")
	assert.Equal(t, KeyKind(0), Key("XYZ-1").Kind())
}

func TestParseKey_RefusesUnknownKindWrongLengthAndTypos(t *testing.T) {
	tests := []struct{ in, code string }{
		{"", CodeKeyKind},
		{"KEY-795NR-VBYHY-8A3CP-3TKJZ-C1RRP", CodeKeyKind},
		{"795NR-VBYHY-8A3CP-3TKJZ-C1RRP", CodeKeyKind},
		{"LIC-795NR-VBYHY-8A3CP-3TKJZ", CodeKeyFormat},
		{"LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RRP0", CodeKeyFormat},
		{"LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RR*", CodeKeyFormat},
		{"LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RRQ", CodeKeyChecksum},
		{"INS-795NR-VBYHY-8A3CP-3TKJZ-C1RRQ", CodeKeyChecksum},
	}
	for _, tt := range tests {
		_, err := ParseKey(tt.in)
		assert.Equal(t, Invalid, KindOf(err), tt.in)
		assert.Equal(t, tt.code, CodeOf(err), tt.in)
	}
}

func TestNewKeyAndNewSerial_ProduceWhatParseAccepts(t *testing.T) {
	for i := 0; i < 64; i++ {
		var e [15]byte
		for j := range e {
			e[j] = byte(i*31 + j*7)
		}
		for _, kind := range []KeyKind{InstallKey, LicenseKey} {
			k, err := NewKey(kind, e)
			require.NoError(t, err)
			got, err := ParseKey(string(k))
			require.NoError(t, err)
			assert.Equal(t, k, got)
			assert.Equal(t, kind, got.Kind())
		}
		s := NewSerial(uint64(i) * 0x9E3779B97F4A7C15)
		got, err := ParseSerial(string(s))
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := NewKey(0, [15]byte{})
	assert.Equal(t, CodeKeyKind, CodeOf(err))
}

func TestNewKey_DistinctEntropyGivesDistinctKeys(t *testing.T) {
	a, _ := NewKey(LicenseKey, [15]byte{1})
	b, _ := NewKey(LicenseKey, [15]byte{2})
	c, _ := NewKey(LicenseKey, [15]byte{14: 1})
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, a, c)
}

func TestUpgradeRequestValidate_BoundsQuantityAndChecksNotificationID(t *testing.T) {
	ok := UpgradeRequest{NotificationID: " n-2024-00017 ", Product: " Endpoint ", Quantity: 1}
	got, err := ok.Validate()
	require.NoError(t, err)
	assert.Equal(t, UpgradeRequest{NotificationID: "N-2024-00017", Product: "Endpoint", Quantity: 1}, got)

	tests := []struct {
		name string
		u    UpgradeRequest
		code string
	}{
		{"quantity 0", UpgradeRequest{"N123456", "P", 0}, CodeUpgradeQuantity},
		{"quantity negative", UpgradeRequest{"N123456", "P", -1}, CodeUpgradeQuantity},
		{"quantity 10001", UpgradeRequest{"N123456", "P", 10001}, CodeUpgradeQuantity},
		{"no product", UpgradeRequest{"N123456", " ", 1}, CodeUpgradeProduct},
		{"id too short", UpgradeRequest{"N1234", "P", 1}, CodeUpgradeNotification},
		{"id too long", UpgradeRequest{strings.Repeat("1", 33), "P", 1}, CodeUpgradeNotification},
		{"id with space", UpgradeRequest{"N12 3456", "P", 1}, CodeUpgradeNotification},
		{"id with leading dash", UpgradeRequest{"-N123456", "P", 1}, CodeUpgradeNotification},
		{"id with double dash", UpgradeRequest{"N12--3456", "P", 1}, CodeUpgradeNotification},
		{"id with punctuation", UpgradeRequest{"N123456!", "P", 1}, CodeUpgradeNotification},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.u.Validate()
			assert.Equal(t, tt.code, CodeOf(err))
		})
	}
	for _, q := range []int{1, 10000} {
		_, err := UpgradeRequest{"N123456", "P", q}.Validate()
		assert.NoError(t, err, q)
	}
	_, err = UpgradeRequest{strings.Repeat("A", 32), "P", 1}.Validate()
	assert.NoError(t, err)
	_, err = UpgradeRequest{"ABC123", "P", 1}.Validate()
	assert.NoError(t, err)
}
