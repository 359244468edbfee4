package api

import _ "embed"

// OpenAPI is the wire contract as a document (openapi.yaml), for the tests
// that check every request and answer against it.
//
//go:embed openapi.yaml
var OpenAPI []byte
