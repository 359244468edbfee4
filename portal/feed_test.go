package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

func (p *testPortal) pull(tok, cursor string) api.Changes {
	p.t.Helper()
	r := p.do("GET", "/v1/changes?cursor="+cursor, tok, nil)
	require.Equal(p.t, http.StatusOK, r.Status, string(r.Body))
	var c api.Changes
	r.decode(p.t, &c)
	return c
}

func kinds(cs api.Changes) map[string]int {
	m := map[string]int{}
	for _, c := range cs.Changes {
		m[c.Kind]++
	}
	return m
}

func TestChangeFeed_FirstPullIsASnapshotThenOnlyWhatChanged(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@feed.example", "Feed")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 2)
		first := p.pull(owner.Token, "")
		assert.True(t, first.Resync, "a first pull is a snapshot")
		assert.True(t, first.Complete)
		assert.Equal(t, 1, kinds(first)[api.KindSolution])

		// Nothing changed: a small, empty answer with the same cursor.
		same := p.pull(owner.Token, first.Cursor)
		assert.Empty(t, same.Changes)
		assert.False(t, same.Resync)
		assert.Equal(t, first.Cursor, same.Cursor)

		// A seat assigned to someone else shows as the license's new state.
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "x@feed.example"}).Status)
		next := p.pull(owner.Token, first.Cursor)
		require.Len(t, next.Changes, 1)
		assert.Equal(t, api.KindSolution, next.Changes[0].Kind)
		assert.Contains(t, string(next.Changes[0].Data), "x@feed.example")
		assert.NotEqual(t, first.Cursor, next.Cursor)

		// Another account's changes are not in this caller's feed.
		other := p.signup("other@else.example", "Else")
		otherLic := p.issue(p.accountOf(other.Token), "Eberick", "standard", nil, 2)
		cur := p.pull(owner.Token, next.Cursor).Cursor
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+otherLic+"/seats", other.Token, api.SeatRequest{Email: "y@else.example"}).Status)
		assert.Empty(t, p.pull(owner.Token, cur).Changes)

		// The assignee sees the product assigned to them.
		assignee := p.signup("x@feed.example", "X")
		got := p.pull(assignee.Token, "")
		assert.Equal(t, 1, kinds(got)[api.KindAssigned])
		assert.Zero(t, kinds(got)[api.KindSolution], "a plain assignee does not see the owner's seats")
	})
}

func TestChangeFeed_ACursorTheServerNoLongerHoldsAnswersWithAFullResync(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@prune.example", "Prune")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 3)
		first := p.pull(owner.Token, "")
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "a@prune.example"}).Status)
		head := p.pull(owner.Token, first.Cursor).Cursor
		n, err := strconv.ParseInt(head, 10, 64)
		require.NoError(t, err)
		require.NoError(t, p.Store.PruneChanges(context.Background(), n))
		again := p.pull(owner.Token, first.Cursor)
		assert.True(t, again.Resync)
		assert.Equal(t, 1, kinds(again)[api.KindSolution])

		// A malformed cursor is refused with a clear code.
		r := p.do("GET", "/v1/changes?cursor=s1.x", owner.Token, nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Equal(t, "feed.cursor", r.problem(t).Code)
	})
}

func TestChangeFeed_LargeSnapshotsArePagedAndComplete(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@big.example", "Big")
		require.NoError(t, p.Store.BulkLoad(context.Background(), p.accountOf(owner.Token), 1203, 3, 1, p.nowForTest()))
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			c := p.pull(owner.Token, cursor)
			assert.Equal(t, pages == 0, c.Resync, "only the first page resets the copy")
			for _, ch := range c.Changes {
				if ch.Kind == api.KindSolution {
					assert.False(t, seen[ch.ID], "each license once")
					seen[ch.ID] = true
				}
			}
			pages++
			cursor = c.Cursor
			if c.Complete {
				break
			}
			require.Less(t, pages, 100)
		}
		assert.Len(t, seen, 1203)
		assert.Empty(t, p.pull(owner.Token, cursor).Changes)
	})
}

func TestChangeFeed_EveryPageStaysWithinTheByteBudget(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@huge.example", "Huge")
		acct := p.accountOf(owner.Token)
		require.NoError(t, p.Store.BulkLoad(context.Background(), acct, 200, 400, 400, p.nowForTest()))
		member := join(t, p, owner, acct, "member@huge.example", "admin")
		seen := map[string]bool{}
		cursor, pages, largest := "", 0, 0
		for {
			r := p.do("GET", "/v1/changes?cursor="+url.QueryEscape(cursor), member.Token, nil)
			require.Equal(t, http.StatusOK, r.Status)
			var c api.Changes
			r.decode(t, &c)
			for _, ch := range c.Changes {
				largest = max(largest, len(ch.Data))
				if ch.Kind == api.KindSolution {
					seen[ch.ID] = true
				}
			}
			assert.LessOrEqual(t, len(r.Body), api.MaxChangesPageBytes+2*largest+4096, "page %d", pages)
			pages++
			cursor = c.Cursor
			if c.Complete {
				break
			}
			require.Less(t, pages, 100)
		}
		assert.Len(t, seen, 200)
		assert.GreaterOrEqual(t, pages, 2, "%d licenses of 400 assigned seats take more than one page", 200)

		// However large the account, the member can always leave it.
		require.Equal(t, http.StatusNoContent, p.do("DELETE", "/v1/accounts/"+acct+"/members/member@huge.example", member.Token, nil).Status)
		after := p.pull(member.Token, cursor)
		assert.True(t, after.Resync)
		assert.True(t, after.Complete, "what is left fits in one page")
		for _, ch := range after.Changes {
			assert.NotEqual(t, api.KindSolution, ch.Kind)
		}
	})
}

func TestChangeFeed_AccessChangesStartASnapshot(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acc.example", "Acc")
		acct := p.accountOf(owner.Token)
		p.issue(acct, "Eberick", "standard", nil, 2)
		admin := p.signup("admin@acc.example", "Admin")
		c := p.pull(admin.Token, "")
		assert.Zero(t, kinds(c)[api.KindSolution])
		r := p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "admin@acc.example", Role: "admin"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		offered := p.pull(admin.Token, c.Cursor)
		assert.False(t, offered.Resync, "an offer changes no access yet")
		assert.Equal(t, 1, kinds(offered)[api.KindOffer], "the invitee's feed shows the offer")
		assert.Zero(t, kinds(offered)[api.KindSolution])
		r = p.do("POST", "/v1/offers/"+acct+"/accept", admin.Token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		after := p.pull(admin.Token, offered.Cursor)
		assert.True(t, after.Resync)
		assert.Equal(t, 1, kinds(after)[api.KindSolution], "the new admin now sees the account's licenses")
	})
}

func TestIdempotency_AReplayedKeyReturnsTheFirstAnswerAndAppliesOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@idem.example", "Idem")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 3)
		req := api.SeatRequest{Email: "once@idem.example"}
		first := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, "k-1")
		second := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, "k-1")
		require.Equal(t, http.StatusCreated, first.Status)
		assert.Equal(t, first.Status, second.Status)
		assert.JSONEq(t, string(first.Body), string(second.Body))
		assert.Len(t, p.mails("once@idem.example"), 1, "the e-mail goes out once")

		var events []api.AuditEvent
		p.do("GET", "/v1/licenses/"+lic+"/audit", owner.Token, nil).decode(t, &events)
		assert.Len(t, events, 1, "applied once")

		// A refusal is replayed too, not retried.
		dup := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, "k-2")
		require.Equal(t, http.StatusConflict, dup.Status)
		require.Equal(t, http.StatusOK, p.do("DELETE", "/v1/licenses/"+lic+"/seats/once@idem.example", owner.Token, nil).Status)
		again := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, "k-2")
		assert.Equal(t, http.StatusConflict, again.Status)

		// The same key for another request is refused.
		other := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "else@idem.example"}, api.IdempotencyHeader, "k-1")
		assert.Equal(t, http.StatusConflict, other.Status)
		assert.Equal(t, "idempotency.reused", other.problem(t).Code)
	})
}

func TestChangeFeed_ANewSeatHolderIsToldOfTheProductsDownloadsAndNews(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@dl.example", "DL")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 2)
		holder := p.signup("new@dl.example", "New")
		cur := p.pull(holder.Token, "").Cursor
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "new@dl.example"}).Status)
		got := p.pull(holder.Token, cur)
		k := kinds(got)
		assert.Equal(t, 1, k[api.KindAssigned])
		assert.Equal(t, 1, k[api.KindDownload], "downloads of the product are now visible")
		assert.Equal(t, 1, k[api.KindNews], "news of the product are now visible")
	})
}
