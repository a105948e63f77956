package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
)

// TestErrorsNameFlagsAndVariables: a setting that is missing or wrong is named
// as the user gives it (flag and variable), never by a Go field.
func TestErrorsNameFlagsAndVariables(t *testing.T) {
	goFields := []string{"ClientID", "ClientSecret", "TokenURL", "BaseURL", "RefreshToken ", "Username", "Password", "OrganisationID"}
	noBrowser := func(context.Context, string) error { t.Error("browser opened"); return nil }
	for name, tc := range map[string]struct {
		vars map[string]string
		args []string
		want string
	}{
		"missing secret": {map[string]string{"HOXTON_ORGANISATION_ID": "o", "HOXTON_CLIENT_ID": "c"},
			[]string{"report", "dwell-time", "--from", "2026-03-01", "--to", "2026-03-02"}, "--client-secret (HOXTON_CLIENT_SECRET)"},
		"missing refresh token": {map[string]string{"HOXTON_ORGANISATION_ID": "o", "HOXTON_CLIENT_ID": "c", "HOXTON_CLIENT_SECRET": "s", "HOXTON_GRANT": "RefreshToken"},
			[]string{"export", "-d", "-"}, "--refresh-token (HOXTON_REFRESH_TOKEN)"},
		"bad api url": {map[string]string{"HOXTON_ORGANISATION_ID": "o", "HOXTON_CLIENT_ID": "c", "HOXTON_CLIENT_SECRET": "s", "HOXTON_API_URL": "hoxton.cloud"},
			[]string{"export", "-d", "-"}, "--api-url (HOXTON_API_URL)"},
		"bad token url": {map[string]string{"HOXTON_ORGANISATION_ID": "o", "HOXTON_CLIENT_ID": "c", "HOXTON_CLIENT_SECRET": "s", "HOXTON_TOKEN_URL": "ftp://x/token"},
			[]string{"export", "-d", "-"}, "--token-url (HOXTON_TOKEN_URL)"},
		"login, bad api url": {map[string]string{"HOXTON_CLIENT_ID": "c", "HOXTON_CLIENT_SECRET": "s", "HOXTON_API_URL": "/api"},
			[]string{"login", "--dry-run"}, "--api-url (HOXTON_API_URL)"},
		"bad output": {nil, []string{"version", "-o", "wide"}, `--output "wide": want table, yaml or json`},
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, cli.Env{Getenv: func(k string) string { return tc.vars[k] }, OpenBrowser: noBrowser}, tc.args...)
			if res.code != cli.ExitError || !strings.Contains(res.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming %s", res.code, res.stderr, tc.want)
			}
			for _, f := range goFields {
				if strings.Contains(res.stderr, f) {
					t.Errorf("the error names the Go field %s: %s", f, res.stderr)
				}
			}
		})
	}
}
