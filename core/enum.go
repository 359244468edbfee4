package core

import (
	"strconv"
	"strings"
)

// enum is what every small enumeration in core looks like: an int with a
// String. Parsing goes through String so that the name a value prints as is,
// by construction, the name it parses from: the two cannot drift apart.
type enum interface {
	~int
	String() string
}

// parseEnum finds the value in [first, last] whose String equals s, ignoring
// case and surrounding space, because these names arrive from command lines,
// query strings and SQL columns typed by people.
func parseEnum[T enum](s string, first, last T, code, what string) (T, error) {
	s = strings.TrimSpace(s)
	for v := first; v <= last; v++ {
		if strings.EqualFold(v.String(), s) {
			return v, nil
		}
	}
	var names []string
	for v := first; v <= last; v++ {
		names = append(names, v.String())
	}
	return first, E(Invalid, code, "unknown "+what+" "+strconv.Quote(s)+" (want one of: "+strings.Join(names, ", ")+")")
}
