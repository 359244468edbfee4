package machine_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/machine"
)

// writeRequest is the disconnected machine's first step.
func writeRequest(t *testing.T, st *machine.Store, key core.Key, now time.Time) []byte {
	t.Helper()
	req, err := machine.NewRequest(string(key), "field-laptop", here(), now)
	require.NoError(t, err)
	file, err := st.WriteRequest(context.Background(), req)
	require.NoError(t, err)
	return file
}

func TestOfflineActivation_RequestResponseImportCheckDeactivate(t *testing.T) {
	ctx := context.Background()
	st, portal := newStore(t)
	key := licenseKey(t, 1)
	reqFile := writeRequest(t, st, key, t0)
	pending, err := st.PendingRequests(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)

	resp := fulfil(t, portal, reqFile, t0.Add(time.Hour), "ACT-7")
	p, err := st.ImportResponse(ctx, resp, t0.Add(2*time.Hour), here())
	require.NoError(t, err)
	assert.Equal(t, product, p.Product)
	pending, _ = st.PendingRequests(ctx)
	assert.Empty(t, pending, "the answered request is forgotten")

	res := check(t, st, t0.Add(3*time.Hour), here(), machine.CheckOptions{Module: "render"})
	assert.True(t, res.OK, "%v", res.Reasons)

	// Importing the same response again is a replay.
	_, err = st.ImportResponse(ctx, resp, t0.Add(4*time.Hour), here())
	assert.ErrorIs(t, err, machine.ErrNoPendingRequest)
	writeRequest(t, st, key, t0.Add(5*time.Hour))
	_, err = st.ImportResponse(ctx, resp, t0.Add(5*time.Hour), here())
	assert.Equal(t, activation.CodeResponseMismatch, core.CodeOf(err), "%v", err)

	rec, err := st.Activation(ctx, product)
	require.NoError(t, err)
	assert.Equal(t, "ACT-7", rec.ActivationID)

	receiptFile, copyPath, err := st.Deactivate(ctx, product, t0.Add(6*time.Hour))
	require.NoError(t, err)
	assert.FileExists(t, copyPath)
	r, err := activation.ParseReceipt(receiptFile)
	require.NoError(t, err)
	secret := sha256.Sum256([]byte("secret ACT-7"))
	assert.NoError(t, r.Verify(secret[:]), "the portal can check the receipt with the activation's secret")

	res = check(t, st, t0.Add(7*time.Hour), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeNotActivated}, codes(res.Reasons))
	_, err = st.Activation(ctx, product)
	assert.ErrorIs(t, err, machine.ErrNoActivation)
}

func TestImportResponse_RefusalsChangeNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		response func(t *testing.T, st *machine.Store, reqFile []byte) []byte
		fp       core.Fingerprint
		code     string
	}{
		{"a byte changed", func(t *testing.T, st *machine.Store, reqFile []byte) []byte {
			return flipByte(fulfil(t, signer(t, "portal"), reqFile, t0, "ACT-1"))
		}, here(), activation.CodeResponseUntrusted},
		{"signed by another key", func(t *testing.T, st *machine.Store, reqFile []byte) []byte {
			return fulfil(t, signer(t, "mallory"), reqFile, t0, "ACT-1")
		}, here(), activation.CodeResponseUntrusted},
		{"truncated", func(t *testing.T, st *machine.Store, reqFile []byte) []byte {
			f := fulfil(t, signer(t, "portal"), reqFile, t0, "ACT-1")
			return f[:len(f)-40]
		}, here(), activation.CodeResponseMalformed},
		{"answers another request", func(t *testing.T, st *machine.Store, _ []byte) []byte {
			other, err := machine.NewRequest(string(licenseKey(t, 1)), "field-laptop", here(), t0)
			require.NoError(t, err)
			f, err := other.Encode()
			require.NoError(t, err)
			return fulfil(t, signer(t, "portal"), f, t0, "ACT-1")
		}, here(), activation.CodeResponseMismatch},
		{"imported on another machine", func(t *testing.T, st *machine.Store, reqFile []byte) []byte {
			return fulfil(t, signer(t, "portal"), reqFile, t0, "ACT-1")
		}, elsewhere(), string(machine.CodeHardwareChanged)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := newStore(t)
			reqFile := writeRequest(t, st, licenseKey(t, 1), t0)
			resp := tt.response(t, st, reqFile)
			before := snapshot(t, st.Dir())
			_, err := st.ImportResponse(ctx, resp, t0.Add(time.Hour), tt.fp)
			require.Error(t, err)
			code := core.CodeOf(err)
			var r *machine.Reason
			if errors.As(err, &r) {
				code = string(r.Code)
			}
			assert.Equal(t, tt.code, code, "%v", err)
			assert.Equal(t, before, snapshot(t, st.Dir()))
		})
	}
}

func TestImportResponse_PicksTheRequestItAnswersAmongSeveral(t *testing.T) {
	ctx := context.Background()
	st, portal := newStore(t)
	writeRequest(t, st, licenseKey(t, 1), t0)
	second := writeRequest(t, st, licenseKey(t, 2), t0)
	_, err := st.ImportResponse(ctx, fulfil(t, portal, second, t0, "ACT-2"), t0.Add(time.Hour), here())
	require.NoError(t, err)
	pending, err := st.PendingRequests(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, licenseKey(t, 1), pending[0].Key)
}
