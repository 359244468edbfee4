package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProductSource_StringParseAndText(t *testing.T) {
	for s := SourceLicenseNumber; s <= SourceUserGroup; s++ {
		got, err := ParseProductSource(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back ProductSource
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var back ProductSource
	assert.Equal(t, CodeProductSourceUnknown, CodeOf(back.UnmarshalText([]byte("gift"))))
	assert.Equal(t, "ProductSource(0)", ProductSource(0).String())
}

func TestAddProduct_ListsAProductOnceKeepingTheFirstSource(t *testing.T) {
	list, added, err := AddProduct(nil, " Toad ", SourceDownload, t0)
	require.NoError(t, err)
	assert.True(t, added)
	list, added, err = AddProduct(list, "Backup", SourceLicenseNumber, t0.Add(Day))
	require.NoError(t, err)
	assert.True(t, added)
	again, added, err := AddProduct(list, "Toad", SourceLicenseNumber, t0.Add(2*Day))
	require.NoError(t, err)
	assert.False(t, added)
	assert.Equal(t, list, again)
	assert.Equal(t, []AccountProduct{
		{Product: "Backup", Source: SourceLicenseNumber, AddedAt: t0.Add(Day)},
		{Product: "Toad", Source: SourceDownload, AddedAt: t0},
	}, list)

	_, _, err = AddProduct(list, " ", SourcePicked, t0)
	assert.Equal(t, CodeProductMissing, CodeOf(err))
	_, _, err = AddProduct(list, "X", 0, t0)
	assert.Equal(t, CodeProductSourceUnknown, CodeOf(err))
}

func TestAddProduct_DoesNotWriteIntoTheCallersSlice(t *testing.T) {
	base := make([]AccountProduct, 1, 4)
	base[0] = AccountProduct{Product: "Z", Source: SourcePicked}
	_, _, err := AddProduct(base, "A", SourcePicked, t0)
	require.NoError(t, err)
	assert.Equal(t, "Z", base[0].Product)
	assert.Equal(t, "Z", base[:2][0].Product)
	assert.Equal(t, AccountProduct{}, base[:2][1])
}

func TestInDownloadWindow_LastTwoCalendarYears(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	assert.True(t, InDownloadWindow(now, now))
	assert.True(t, InDownloadWindow(time.Date(2023, 3, 10, 12, 0, 0, 0, time.UTC), now))
	assert.False(t, InDownloadWindow(time.Date(2023, 3, 10, 11, 59, 59, 0, time.UTC), now))
}

func TestCompareVersions_NumericPartsWithMissingPartsAsZero(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2.10", "2.9", 1}, {"2.9", "2.10", -1}, {"2.1", "2.1.0", 0}, {"v3", "3.0.0", 0}, {"1.0.1", "1.0", 1}, {"10", "9.99.99", 1},
	}
	for _, tt := range tests {
		got, err := CompareVersions(tt.a, tt.b)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%s vs %s", tt.a, tt.b)
	}
	for _, bad := range []string{"", "v", "1..2", "1.x", "1.-2", "1.+2", "2024 R2"} {
		_, err := CompareVersions(bad, "1")
		assert.Equal(t, CodeVersionFormat, CodeOf(err), bad)
		_, err = CompareVersions("1", bad)
		assert.Equal(t, CodeVersionFormat, CodeOf(err), bad)
	}
}

func TestNewerVersionExists(t *testing.T) {
	newer, err := NewerVersionExists("7.2.1", "7.10")
	require.NoError(t, err)
	assert.True(t, newer)
	newer, err = NewerVersionExists("7.10", "7.10.0")
	require.NoError(t, err)
	assert.False(t, newer)
	_, err = NewerVersionExists("x", "1")
	assert.Error(t, err)
}
