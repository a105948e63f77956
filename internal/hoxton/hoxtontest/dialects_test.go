package hoxtontest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// postJSON posts form (as a body, or as the query when inQuery) and decodes the answer.
func postJSON(t *testing.T, endpoint string, form url.Values, inQuery bool) (int, map[string]any) {
	t.Helper()
	var resp *http.Response
	var err error
	if inQuery {
		resp, err = http.Post(endpoint+"?"+form.Encode(), "", nil)
	} else {
		resp, err = http.PostForm(endpoint, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func apiStatus(t *testing.T, s *Server, authorization string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.APIURL()+"/sites", nil)
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestCAM2WireFormat(t *testing.T) {
	s := NewServer(Options{TokenDialect: DialectCAM2, RefreshWindow: time.Hour})
	t.Cleanup(s.Close)
	if !strings.HasSuffix(s.RefreshURL(), "/refresh_token/") || s.RevocationURL() != "" {
		t.Fatalf("URLs %q %q", s.RefreshURL(), s.RevocationURL())
	}
	code, body := postJSON(t, s.TokenURL(), url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}, false)
	tok, _ := body["token"].(string)
	if code != 200 || tok == "" || body["token_type"] != "JWT" || body["expires in"] == nil || body["expires_in"] != nil {
		t.Fatalf("token answer %d %v", code, body)
	}
	if strings.Count(tok, ".") != 2 {
		t.Errorf("token %q is not a JWT", tok)
	}
	if apiStatus(t, s, "Bearer "+tok) != 401 || apiStatus(t, s, "JWT "+tok) != 200 {
		t.Error("the API does not take the CAM2 token as JWT only")
	}
	code, body = postJSON(t, s.RefreshURL(), url.Values{"token": {tok}}, false)
	if next, _ := body["token"].(string); code != 200 || next == "" || len(body) != 1 {
		t.Errorf("refresh answer %d %v, want only {\"token\"}", code, body)
	}
	code, body = postJSON(t, s.TokenURL(), url.Values{"client_id": {DefaultClientID}, "client_secret": {"wrong"}}, false)
	if code != 400 || body["non_field_errors"] == nil {
		t.Errorf("wrong secret answered %d %v", code, body)
	}
}

func TestCAM2RefreshWindow(t *testing.T) {
	s := NewServer(Options{TokenDialect: DialectCAM2, RefreshWindow: time.Nanosecond})
	t.Cleanup(s.Close)
	_, body := postJSON(t, s.TokenURL(), url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}, false)
	code, body := postJSON(t, s.RefreshURL(), url.Values{"token": {body["token"].(string)}}, false)
	if code != 400 || !strings.Contains(strings.Join(strings.Fields(toString(body["non_field_errors"])), " "), "Refresh has expired") {
		t.Errorf("refresh after the window answered %d %v", code, body)
	}
}

func toString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestCamStreamerWireFormat(t *testing.T) {
	s := NewServer(Options{TokenDialect: DialectCamStreamer})
	t.Cleanup(s.Close)
	rt := s.IssueRefreshToken(DefaultClientID)
	q := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {rt}}
	code, body := postJSON(t, s.TokenURL(), q, true)
	at, _ := body["access_token"].(string)
	issuedRT, _ := body["refresh_token"].(string)
	if code != 200 || at == "" || issuedRT == "" || body["expires_in"] == nil || body["token_type"] != nil {
		t.Fatalf("token answer %d %v", code, body)
	}
	// The spent refresh token: an error, with HTTP 200.
	code, body = postJSON(t, s.TokenURL(), q, true)
	if code != 200 || body["error"] != "Invalid refresh token" || body["access_token"] != nil {
		t.Errorf("spent refresh token answered %d %v, want 200 with an error", code, body)
	}
	if apiStatus(t, s, "Bearer "+at) != 200 {
		t.Fatal("the access token does not work")
	}
	code, body = postJSON(t, s.RevocationURL(), url.Values{"access_token": {at}}, true)
	if code != 200 || body["success"] != true || body["message"] == nil {
		t.Errorf("revoke answered %d %v", code, body)
	}
	if apiStatus(t, s, "Bearer "+at) != 401 {
		t.Error("the revoked access token still works")
	}
	if s.RefreshTokenValid(issuedRT) {
		t.Error("the refresh token of the revoked access token still works")
	}
	if s.Revocations() != 1 {
		t.Errorf("Revocations = %d, want 1", s.Revocations())
	}
}

func TestRFC7009Revocation(t *testing.T) {
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	rt := s.IssueRefreshToken(DefaultClientID)
	code, body := postJSON(t, s.TokenURL(), url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {rt}}, false)
	at, _ := body["access_token"].(string)
	next, _ := body["refresh_token"].(string)
	if code != 200 || at == "" || next == "" {
		t.Fatalf("token answer %d %v", code, body)
	}
	code, _ = postJSON(t, s.RevocationURL(), url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
		"token": {next}, "token_type_hint": {"refresh_token"}}, false)
	if code != 200 {
		t.Fatalf("revoke answered %d", code)
	}
	if s.RefreshTokenValid(next) || s.AccessTokenValid(at) || apiStatus(t, s, "Bearer "+at) != 401 {
		t.Error("revoking the refresh token left it or its access token working")
	}
}

// TestReuseRefreshTokenUntilUsed: the old refresh token stays valid until its
// successor's access token is used.
func TestReuseRefreshTokenUntilUsed(t *testing.T) {
	s := NewServer(Options{})
	t.Cleanup(s.Close)
	s.SetReuseRefreshTokenUntilUsed(true)
	rt := s.IssueRefreshToken(DefaultClientID)
	form := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {rt}}
	_, body := postJSON(t, s.TokenURL(), form, false)
	if !s.RefreshTokenValid(rt) {
		t.Fatal("the old refresh token was spent before its successor was used")
	}
	if apiStatus(t, s, "Bearer "+body["access_token"].(string)) != 200 {
		t.Fatal("the new access token does not work")
	}
	if s.RefreshTokenValid(rt) {
		t.Error("the old refresh token still works after its successor's access token was used")
	}
}
