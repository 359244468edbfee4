package cli

import (
	"context"
	"fmt"
	"strings"
)

// cmdTrust manages the portal public keys this profile accepts signed files
// from: pinned at the first login, or added from the portal's key document
// (its /.well-known/licdesk-keys.json) on a machine that never logs in. A
// response or license file never brings its own trust.
func cmdTrust(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "trust "+sub)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	d, err := a.desk()
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		if len(pos) != 1 {
			return usage("cli.trust.usage_add")
		}
		added, err := d.TrustFile(ctx, pos[0])
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(struct {
				Added []string `json:"added"`
			}{nonNil(added)})
		}
		if len(added) == 0 {
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.trust.nothing_added"))
			return nil
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.trust.added", "Keys", strings.Join(added, ", ")))
		return nil
	case "list":
		if len(pos) != 0 {
			return usage("cli.usage.line", "Usage", "licdesk trust list")
		}
		rows, err := d.Trusted(ctx)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(rows)
		}
		if len(rows) == 0 {
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.trust.none"))
			return nil
		}
		tw := a.table("cli.header.key_id", "cli.header.alg", "cli.header.key_sha256")
		for _, r := range rows {
			row(tw, r.KeyID, r.Alg, r.SHA256)
		}
		return tw.Flush()
	}
	return a.want("trust "+sub, "add", "list")
}
