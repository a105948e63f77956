package checkapi

import (
	"errors"
	"strings"
	"testing"
)

// TestNoWriteWithoutConsent: without --yes check-api writes only after a yes
// on the terminal; without a terminal, or with a no, it sends nothing.
func TestNoWriteWithoutConsent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		confirm func(string) (bool, error)
	}{
		{"no terminal", nil},
		{"answered no", func(string) (bool, error) { return false, nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			cfg := f.config()
			cfg.Yes, cfg.Confirm = false, tc.confirm
			rep, err := f.run(t, cfg)
			if !errors.Is(err, ErrNoConsent) || rep != nil {
				t.Fatalf("error %v, want ErrNoConsent", err)
			}
			if !strings.Contains(err.Error(), "--yes") || !strings.Contains(err.Error(), "--read-only") {
				t.Errorf("the error does not say how to proceed: %v", err)
			}
			if n := len(f.fake.Requests()); n != 0 {
				t.Errorf("%d API requests without consent", n)
			}
		})
	}
	t.Run("answered yes", func(t *testing.T) {
		f := newFixture(t)
		cfg := f.config()
		var asked []string
		cfg.Yes, cfg.Confirm = false, func(q string) (bool, error) { asked = append(asked, q); return true, nil }
		if _, err := f.run(t, cfg); err != nil {
			t.Fatal(err)
		}
		if len(asked) != 1 || !strings.Contains(asked[0], f.fake.OrganisationID()) {
			t.Errorf("asked %q, want one question naming the organisation", asked)
		}
		if f.fake.CountWrites() == 0 {
			t.Error("nothing written after a yes")
		}
	})
	t.Run("read-only asks nothing", func(t *testing.T) {
		f := newFixture(t)
		cfg := f.config()
		cfg.Yes, cfg.ReadOnly = false, true
		cfg.Confirm = func(string) (bool, error) { t.Error("asked with --read-only"); return false, nil }
		if _, err := f.run(t, cfg); err != nil {
			t.Fatal(err)
		}
		if n := f.fake.CountWrites(); n != 0 {
			t.Errorf("%d writes with --read-only", n)
		}
	})
}
