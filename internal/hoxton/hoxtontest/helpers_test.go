package hoxtontest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// newFake starts a fake for one test.
func newFake(t *testing.T, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// noRedirect is an HTTP client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// tokenCall posts params to the token endpoint as JSON (asJSON) or as a form,
// and returns the status and decoded body.
func tokenCall(t *testing.T, s *Server, params map[string]string, asJSON bool) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	ctype := "application/x-www-form-urlencoded"
	if asJSON {
		b, _ := json.Marshal(params)
		body, ctype = bytes.NewReader(b), "application/json"
	} else {
		v := url.Values{}
		for k, x := range params {
			v.Set(k, x)
		}
		body = strings.NewReader(v.Encode())
	}
	resp, err := http.Post(s.TokenURL(), ctype, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token endpoint answered %d with a non-JSON body: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// ccToken gets a client-credentials token for the given client.
func ccToken(t *testing.T, s *Server, id, secret string) string {
	t.Helper()
	status, out := tokenCall(t, s, map[string]string{
		"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
		"audience": DefaultAudience,
	}, true)
	if status != http.StatusOK {
		t.Fatalf("client_credentials: %d %v", status, out)
	}
	return out["access_token"].(string)
}

// api is a tiny API client bound to one token.
type api struct {
	t     *testing.T
	s     *Server
	token string
}

func newAPI(t *testing.T, s *Server) *api {
	return &api{t: t, s: s, token: ccToken(t, s, DefaultClientID, DefaultClientSecret)}
}

// call sends a request (body is JSON-encoded unless it is a string, sent raw)
// and returns the response and its body.
func (a *api) call(method, path string, body any) (*http.Response, []byte) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.s.APIURL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp, raw
}

// status sends a request and returns only the status.
func (a *api) status(method, path string, body any) int {
	a.t.Helper()
	resp, _ := a.call(method, path, body)
	return resp.StatusCode
}

// expect sends a request, fails unless it answers want, and decodes the body
// (nil for an empty body).
func (a *api) expect(want int, method, path string, body any) any {
	a.t.Helper()
	resp, raw := a.call(method, path, body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if len(raw) == 0 {
		return nil
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
	}
	return out
}

// object is expect for an answer that is a JSON object.
func (a *api) object(want int, method, path string, body any) map[string]any {
	a.t.Helper()
	out, _ := a.expect(want, method, path, body).(map[string]any)
	if out == nil {
		a.t.Fatalf("%s %s: no JSON object in the answer", method, path)
	}
	return out
}

// ids returns the "id" values of a JSON array answer.
func ids(v any) []string {
	var out []string
	for _, item := range v.([]any) {
		out = append(out, item.(map[string]any)["id"].(string))
	}
	return out
}

// errorMessage decodes the API error body and checks its code.
func errorMessage(t *testing.T, status int, raw []byte) string {
	t.Helper()
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Code != status || e.Message == "" {
		t.Fatalf("error body %s is not {\"code\": %d, \"message\": …}", raw, status)
	}
	return e.Message
}

// Fixed ids keep test failures readable.
const (
	siteA  = "11111111-1111-4111-8111-111111111111"
	siteB  = "22222222-2222-4222-8222-222222222222"
	otherO = "99999999-9999-4999-8999-999999999999"
)
