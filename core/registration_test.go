package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func goodRegistration() Registration {
	return Registration{Company: "Acme", Person: "Ana Souza", Address: "Rua A, 1\nSão Paulo", Country: "br", Email: " Ana@Acme.com ", Phone: "+55 (11) 5555-1234"}
}

func TestRegistrationValidate_NormalisesAValidRegistration(t *testing.T) {
	got, err := goodRegistration().Validate()
	require.NoError(t, err)
	assert.Equal(t, Registration{Company: "Acme", Person: "Ana Souza", Address: "Rua A, 1\nSão Paulo", Country: "BR", Email: "ana@acme.com", Phone: "+55 (11) 5555-1234"}, got)
}

func TestRegistrationValidate_PhoneIsOptional(t *testing.T) {
	r := goodRegistration()
	r.Phone = "  "
	got, err := r.Validate()
	require.NoError(t, err)
	assert.Equal(t, "", got.Phone)
}

func TestRegistrationValidate_RefusesMissingAndMalformedFields(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Registration)
		code   string
	}{
		{"company missing", func(r *Registration) { r.Company = " " }, CodeRegistrationMissing},
		{"person missing", func(r *Registration) { r.Person = "" }, CodeRegistrationMissing},
		{"address missing", func(r *Registration) { r.Address = "" }, CodeRegistrationMissing},
		{"country missing", func(r *Registration) { r.Country = "" }, CodeRegistrationMissing},
		{"e-mail missing", func(r *Registration) { r.Email = "" }, CodeRegistrationMissing},
		{"e-mail malformed", func(r *Registration) { r.Email = "ana" }, CodeEmailInvalid},
		{"country as a name", func(r *Registration) { r.Country = "Brazil" }, CodeRegistrationCountry},
		{"country not assigned", func(r *Registration) { r.Country = "ZZ" }, CodeRegistrationCountry},
		{"company too long", func(r *Registration) { r.Company = strings.Repeat("x", 301) }, CodeRegistrationField},
		{"control character", func(r *Registration) { r.Person = "Ana\x00" }, CodeRegistrationField},
		{"line break outside address", func(r *Registration) { r.Company = "Ac\nme" }, CodeRegistrationField},
		{"phone with letters", func(r *Registration) { r.Phone = "call me" }, CodeRegistrationPhone},
		{"phone with 5 digits", func(r *Registration) { r.Phone = "12-345" }, CodeRegistrationPhone},
		{"phone with 21 digits", func(r *Registration) { r.Phone = strings.Repeat("1", 21) }, CodeRegistrationPhone},
		{"phone with inner plus", func(r *Registration) { r.Phone = "55+11 5555 1234" }, CodeRegistrationPhone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := goodRegistration()
			tt.change(&r)
			_, err := r.Validate()
			assert.Equal(t, Invalid, KindOf(err))
			assert.Equal(t, tt.code, CodeOf(err))
		})
	}
}

func TestRegistrationValidate_PhoneDigitBoundsAreInclusive(t *testing.T) {
	for _, p := range []string{"123456", strings.Repeat("9", 20), "+1 (555) 010-9999"} {
		r := goodRegistration()
		r.Phone = p
		_, err := r.Validate()
		assert.NoError(t, err, p)
	}
}

func TestIsCountryCode_KnowsTheAssignedCodesOnly(t *testing.T) {
	assert.Equal(t, 249*2, len(countryCodes))
	for _, c := range []string{"BR", "FR", "ES", "US", "AD", "ZW"} {
		assert.True(t, IsCountryCode(c), c)
	}
	for _, c := range []string{"br", "UK", "EU", "XX", "B", "BRA", "RB"} {
		assert.False(t, IsCountryCode(c), c)
	}
}
