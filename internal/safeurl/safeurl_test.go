package safeurl

import (
	"errors"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/safeurl/safeurltest"
)

func TestExamples(t *testing.T) {
	for _, ex := range safeurltest.Examples {
		for _, tc := range []struct {
			rule string
			err  error
			want bool
		}{
			{"Webhook", Webhook(ex.URL), ex.Webhook},
			{"Endpoint", Endpoint(ex.URL, false), ex.Endpoint},
			{"Endpoint with allowInsecureHTTP", Endpoint(ex.URL, true), ex.EndpointInsecure},
		} {
			if accepted := tc.err == nil; accepted != tc.want {
				t.Errorf("%s(%q) = %v, want accepted %v", tc.rule, ex.URL, tc.err, tc.want)
			}
		}
	}
}

func TestErrorsDoNotRepeatTheURL(t *testing.T) {
	for _, raw := range []string{"http://hooks.example.com/T0KEN", "https://169.254.169.254/T0KEN", "https://localhost/T0KEN",
		"https://2852039166/T0KEN", "not a url T0KEN", "https://example.com/" + strings.Repeat("T0KEN", 500)} {
		err := Webhook(raw)
		if err == nil {
			t.Fatalf("Webhook(%q) accepted", raw)
		}
		if strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("the error %q repeats the URL", err)
		}
	}
}

func TestLengthBound(t *testing.T) {
	long := "https://hooks.example.com/" + strings.Repeat("a", MaxLength)
	if err := Webhook(long); !errors.Is(err, ErrTooLong) {
		t.Errorf("a %d-character URL: %v, want ErrTooLong", len(long), err)
	}
	if err := Webhook(long[:MaxLength]); err != nil {
		t.Errorf("a %d-character URL: %v, want accepted", MaxLength, err)
	}
}
