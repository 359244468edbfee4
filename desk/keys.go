package desk

import (
	"context"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	lsync "github.com/licdesk/licdesk/sync"
)

// Capacity is the capacity of each product over the keys of the user's
// accounts in the local copy (source 002: the sum over the licenses that
// are activated and not expired), by product then unit.
func (d *Desk) Capacity(ctx context.Context) ([]core.ProductCapacity, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	if err != nil {
		return nil, err
	}
	grants := make([]core.CapacityGrant, 0, len(keys))
	for _, k := range keys {
		var exp time.Time
		if k.Expiry != nil {
			exp = *k.Expiry
		}
		grants = append(grants, core.CapacityGrant{Product: k.Product, Unit: k.Unit, Amount: k.Capacity, Expiry: exp,
			Activated: k.ActiveActivations > 0})
	}
	return core.SumCapacity(grants, d.Now()), nil
}
