package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodSHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestDownloadFile_ValidateNormalisesAndRefusesWhatCannotBeServed(t *testing.T) {
	good := DownloadFile{Product: " Eberick ", Name: " Eberick-2026.1-setup.exe ", Version: " 2026.1 ", Size: 10, SHA256: strings.ToUpper(goodSHA)}
	got, err := good.Validate()
	require.NoError(t, err)
	assert.Equal(t, DownloadFile{Product: "Eberick", Name: "Eberick-2026.1-setup.exe", Version: "2026.1", Size: 10, SHA256: goodSHA}, got)

	cases := []struct {
		name string
		edit func(*DownloadFile)
		code string
	}{
		{"no product", func(f *DownloadFile) { f.Product = " " }, CodeProductMissing},
		{"product with a line break", func(f *DownloadFile) { f.Product = "Ebe\nrick" }, CodeProductName},
		{"product too long", func(f *DownloadFile) { f.Product = strings.Repeat("p", MaxProductName+1) }, CodeProductName},
		{"no name", func(f *DownloadFile) { f.Name = "" }, CodeDownloadName},
		{"a path climbing out", func(f *DownloadFile) { f.Name = "../etc/passwd" }, CodeDownloadName},
		{"a Windows path", func(f *DownloadFile) { f.Name = `C:\setup.exe` }, CodeDownloadName},
		{"only dots", func(f *DownloadFile) { f.Name = ".." }, CodeDownloadName},
		{"a control character (header injection)", func(f *DownloadFile) { f.Name = "a\r\nSet-Cookie: x" }, CodeDownloadName},
		{"a name too long", func(f *DownloadFile) { f.Name = strings.Repeat("n", MaxFileName+1) }, CodeDownloadName},
		{"a version that is not numbers", func(f *DownloadFile) { f.Version = "2026-beta" }, CodeVersionFormat},
		{"empty file", func(f *DownloadFile) { f.Size = 0 }, CodeDownloadSize},
		{"negative size", func(f *DownloadFile) { f.Size = -1 }, CodeDownloadSize},
		{"short digest", func(f *DownloadFile) { f.SHA256 = goodSHA[:62] }, CodeDownloadDigest},
		{"digest not hex", func(f *DownloadFile) { f.SHA256 = strings.Repeat("z", 64) }, CodeDownloadDigest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := good
			c.edit(&f)
			_, err := f.Validate()
			assert.Equal(t, Invalid, KindOf(err))
			assert.Equal(t, c.code, CodeOf(err), "%v", err)
		})
	}
}

func TestLatestVersion_ComparesAsNumbersAndSkipsUnparsable(t *testing.T) {
	assert.Equal(t, "", LatestVersion(nil))
	assert.Equal(t, "2.10", LatestVersion([]string{"2.9", "2.10", "2.1"}))
	assert.Equal(t, "2026.1", LatestVersion([]string{"bad", "2025.1", "2026.1", "v2025.9"}))
}

func TestRequestState_StringParseAndText(t *testing.T) {
	for s := RequestOpen; s <= RequestClosed; s++ {
		got, err := ParseRequestState(strings.ToUpper(s.String()))
		require.NoError(t, err)
		assert.Equal(t, s, got)
		b, _ := s.MarshalText()
		var back RequestState
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var back RequestState
	assert.Equal(t, CodeRequestState, CodeOf(back.UnmarshalText([]byte("solved"))))
	assert.Equal(t, "RequestState(0)", RequestState(0).String())
}

func TestRequestState_MoveLetsTheCustomerOnlyCloseAndSupportMoveAnywhere(t *testing.T) {
	cases := []struct {
		name     string
		from, to RequestState
		by       Party
		want     RequestState
		code     string
	}{
		{"customer closes an open request", RequestOpen, RequestClosed, PartyCustomer, RequestClosed, ""},
		{"customer closes a waiting request", RequestWaiting, RequestClosed, PartyCustomer, RequestClosed, ""},
		{"customer may not take a request up", RequestOpen, RequestInProgress, PartyCustomer, RequestOpen, CodeRequestMove},
		{"customer may not reopen", RequestClosed, RequestOpen, PartyCustomer, RequestClosed, CodeRequestClosed},
		{"closing twice is reported", RequestClosed, RequestClosed, PartyCustomer, RequestClosed, CodeRequestClosed},
		{"support takes a request up", RequestOpen, RequestInProgress, PartySupport, RequestInProgress, ""},
		{"support waits for the customer", RequestInProgress, RequestWaiting, PartySupport, RequestWaiting, ""},
		{"support reopens a closed request", RequestClosed, RequestOpen, PartySupport, RequestOpen, ""},
		{"support closes", RequestWaiting, RequestClosed, PartySupport, RequestClosed, ""},
		{"same state is reported, not counted", RequestInProgress, RequestInProgress, PartySupport, RequestInProgress, CodeRequestUnchanged},
		{"unknown target", RequestOpen, RequestState(9), PartySupport, RequestOpen, CodeRequestState},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.from.Move(c.to, c.by)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.code, CodeOf(err))
		})
	}
}

func TestRequestState_AfterCommentHandsAWaitingRequestBackToSupport(t *testing.T) {
	cases := []struct {
		name string
		from RequestState
		by   Party
		want RequestState
		code string
	}{
		{"customer answers a waiting request", RequestWaiting, PartyCustomer, RequestInProgress, ""},
		{"support comments on a waiting request", RequestWaiting, PartySupport, RequestWaiting, ""},
		{"customer adds to an open request", RequestOpen, PartyCustomer, RequestOpen, ""},
		{"customer adds to one in progress", RequestInProgress, PartyCustomer, RequestInProgress, ""},
		{"closed takes no comments", RequestClosed, PartyCustomer, RequestClosed, CodeRequestClosed},
		{"not even from support", RequestClosed, PartySupport, RequestClosed, CodeRequestClosed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.from.AfterComment(c.by)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.code, CodeOf(err))
		})
	}
}

func TestCleanRequest_TitleIsOneLineOf1To200AndDescriptionUpTo10000(t *testing.T) {
	title, desc, err := CleanRequest("  Crash on export ", " line one\n\tline two \n")
	require.NoError(t, err)
	assert.Equal(t, "Crash on export", title)
	assert.Equal(t, "line one\n\tline two", desc)

	cases := []struct {
		name        string
		title, desc string
		code        string
	}{
		{"empty title", "  ", "d", CodeRequestTitle},
		{"title of 201 characters", strings.Repeat("é", 201), "d", CodeRequestTitle},
		{"title with a line break", "a\nb", "d", CodeRequestTitle},
		{"title with a NUL", "a\x00b", "d", CodeRequestTitle},
		{"title not UTF-8", "a\xffb", "d", CodeRequestTitle},
		{"empty description", "t", " \n ", CodeRequestText},
		{"description too long", "t", strings.Repeat("x", MaxRequestText+1), CodeRequestText},
		{"description with an escape sequence", "t", "x\x1b[2J", CodeRequestText},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := CleanRequest(c.title, c.desc)
			assert.Equal(t, Invalid, KindOf(err))
			assert.Equal(t, c.code, CodeOf(err))
		})
	}
	_, _, err = CleanRequest(strings.Repeat("é", 200), strings.Repeat("x", MaxRequestText))
	assert.NoError(t, err, "the limits themselves are allowed")

	_, err = CleanComment("")
	assert.Equal(t, CodeRequestText, CodeOf(err))
	c, err := CleanComment(" ok ")
	require.NoError(t, err)
	assert.Equal(t, "ok", c)
}

func TestRequestID_FormatsAsSupportQuotesItAndParsesBack(t *testing.T) {
	assert.Equal(t, "SR-000123", FormatRequestID(123))
	assert.Equal(t, "SR-1234567", FormatRequestID(1234567))
	for _, in := range []string{"SR-000123", "sr-123", " SR-0000123 "} {
		n, err := ParseRequestID(in)
		require.NoError(t, err, in)
		assert.Equal(t, int64(123), n)
	}
	for _, in := range []string{"", "SR-", "SR-0", "SR--1", "SR-12a", "123", "XX-000123", "SR-99999999999999999999"} {
		_, err := ParseRequestID(in)
		assert.Equal(t, CodeRequestID, CodeOf(err), in)
	}
}

func TestCanSeeRequest_TheRequesterAndTheAccountsOwnerAndAdmins(t *testing.T) {
	const acct = AccountID("acme")
	requester := Email("ana@acme.example")
	cases := []struct {
		name  string
		actor Actor
		want  bool
	}{
		{"the requester", Actor{Email: requester}, true},
		{"the account's owner", Actor{Email: "boss@acme.example", Roles: map[AccountID]Role{acct: RoleOwner}}, true},
		{"an admin", Actor{Email: "adm@acme.example", Roles: map[AccountID]Role{acct: RoleAdmin}}, true},
		{"a plain member", Actor{Email: "m@acme.example", Roles: map[AccountID]Role{acct: RoleMember}}, false},
		{"partner staff", Actor{Email: "p@nimbus.example", Roles: map[AccountID]Role{acct: RolePartner}}, false},
		{"owner of another account", Actor{Email: "x@else.example", Roles: map[AccountID]Role{"else": RoleOwner}}, false},
		{"nobody", Actor{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, CanSeeRequest(c.actor, acct, requester))
		})
	}
	assert.NoError(t, CanClose(Actor{Email: requester}, requester))
	err := CanClose(Actor{Email: "boss@acme.example", Roles: map[AccountID]Role{acct: RoleOwner}}, requester)
	assert.Equal(t, CodeRequestCloser, CodeOf(err))
	assert.Equal(t, Forbidden, KindOf(err))
}

func TestSeverity_StringParseAndText(t *testing.T) {
	for s := SeverityInfo; s <= SeverityCritical; s++ {
		got, err := ParseSeverity(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
		b, _ := s.MarshalText()
		var back Severity
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	_, err := ParseSeverity("urgent")
	assert.Equal(t, CodeNewsSeverity, CodeOf(err))
	assert.Equal(t, "Severity(0)", Severity(0).String())
}

func TestCleanNews_TitleOneLineBodyMultiLine(t *testing.T) {
	title, body, err := CleanNews(" Release ", "a\nb")
	require.NoError(t, err)
	assert.Equal(t, "Release", title)
	assert.Equal(t, "a\nb", body)
	_, _, err = CleanNews("a\nb", "x")
	assert.Equal(t, CodeNewsTitle, CodeOf(err))
	_, _, err = CleanNews("t", strings.Repeat("x", MaxNewsBody+1))
	assert.Equal(t, CodeNewsBody, CodeOf(err))
	_, _, err = CleanNews("t", "")
	assert.Equal(t, CodeNewsBody, CodeOf(err))
}
