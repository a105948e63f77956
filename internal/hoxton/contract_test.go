package hoxton

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/auth"
	"github.com/hoxton-operator/hoxton-operator/internal/hoxton/hoxtontest"
)

// contractExceptions are operations of openapi.yaml the contract test deliberately does
// not exercise, each with the reason. There are none: the fake implements every
// operation of the contract.
var contractExceptions = map[string]string{}

// contractTransport validates every API request and response against openapi.yaml and
// records which operations were exercised.
type contractTransport struct {
	report func(format string, args ...any) // t.Errorf in the contract test
	router routers.Router
	next   http.RoundTripper

	mu   sync.Mutex
	seen map[string]bool
}

func (ct *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readAndRestore(&req.Body)
	if err != nil {
		return nil, err
	}
	route, params, err := ct.router.FindRoute(req)
	if err != nil {
		ct.report("contract: %s %s matches no operation of openapi.yaml: %v", req.Method, req.URL.Path, err)
		return ct.next.RoundTrip(req)
	}
	op := route.Operation.OperationID
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: bearerOnly}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		ct.report("contract: request of %s (%s %s) violates openapi.yaml: %v", op, req.Method, req.URL.Path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))

	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := readAndRestore(&resp.Body)
	if err != nil {
		return nil, err
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Options: opts}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		ct.report("contract: %d response of %s (%s %s) violates openapi.yaml: %v", resp.StatusCode, op, req.Method, req.URL.Path, err)
	}
	ct.mu.Lock()
	ct.seen[op] = true
	ct.mu.Unlock()
	return resp, nil
}

// readAndRestore reads a body and puts an unread copy back in its place.
func readAndRestore(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(*body)
	_ = (*body).Close()
	*body = io.NopCloser(bytes.NewReader(data))
	return data, err
}

// bearerOnly accepts the o_auth scheme when the request carries a bearer token.
func bearerOnly(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "o_auth" {
		return errors.New("unexpected security scheme " + in.SecuritySchemeName)
	}
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// loadContract loads openapi.yaml with its servers replaced by the fake's API URL.
func loadContract(t *testing.T, apiURL string) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: apiURL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return doc, router
}

func TestClientAndFakeFollowTheContract(t *testing.T) {
	srv := hoxtontest.NewServer(hoxtontest.Options{})
	doc, router := loadContract(t, srv.APIURL())
	ct := &contractTransport{report: t.Errorf, router: router, next: http.DefaultTransport, seen: map[string]bool{}}
	e := newFakeEnvWith(t, srv, &http.Client{Transport: ct, Timeout: 30 * time.Second})
	ctx := testContext(t, time.Minute)
	c := e.c
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}

	// Every upserted resource: list, put, get, delete (and their 410 answers).
	f := newFixtures(ctx, t, c)
	for _, tt := range lifecycleCases(c, f) {
		t.Run(tt.name, func(t *testing.T) { checkLifecycle(ctx, t, tt.ops) })
	}

	// Organisations and users; /users/me needs a token that speaks for a user.
	_, err := c.ListOrganisations(ctx)
	ok("listOrganisations", err)
	_, err = c.GetOrganisation(ctx, srv.OrganisationID())
	ok("getOrganisation", err)
	user := User{ID: "auth0|" + uuid.NewString(), Email: "bo@example.com", FirstName: "Bo", LastName: "Ek", Roles: []UserRole{RoleAdmin}}
	_, err = c.PutUser(ctx, user)
	ok("putUser", err)
	_, err = c.GetUser(ctx, user.ID)
	ok("getUser", err)
	_, err = c.ListUsers(ctx, f.site)
	ok("listUsers", err)
	creds := clientCredentials(srv)
	creds.Grant, creds.Username, creds.Password = auth.GrantPassword, "user@example.com", "password"
	_, err = e.client(t, e.cache.Source(creds, nil)).GetCurrentUser(ctx)
	ok("getCurrentUser", err)

	// OAuth clients.
	oc, err := c.PutOAuthClient(ctx, OAuthClientInput{Name: "ci", GrantTypes: []GrantType{GrantClientCredentials, GrantRefreshToken}})
	if err != nil || oc == nil {
		t.Fatalf("putOAuthClient = %v, %v", oc, err)
	}
	_, err = c.GetOAuthClient(ctx, oc.ClientID)
	ok("getOAuthClient", err)
	_, err = c.ListOAuthClients(ctx)
	ok("listOAuthClients", err)
	_, err = c.RotateOAuthClientSecret(ctx, oc.ClientID)
	ok("rotateOAuthClientSecret", err)
	ok("deleteOAuthClient", c.DeleteOAuthClient(ctx, oc.ClientID))

	// Cameras (createCamera ran in the fixtures); the 409 answer is checked too.
	cams, err := c.ListCameras(ctx, f.site)
	if err != nil || len(cams) != 1 {
		t.Fatalf("listCameras = %v, %v", cams, err)
	}
	_, err = c.GetCamera(ctx, cams[0].ID)
	ok("getCamera", err)
	_, err = c.FindCameraBySerial(ctx, cams[0].SerialNumber)
	ok("listCameras by serial", err)
	ok("updateCamera", c.UpdateCamera(ctx, cams[0].ID, CameraUpdate{Name: "Gate", Direction1Alias: "in"}))
	ok("setCameraState", c.SetCameraState(ctx, cams[0].ID, CameraPaused))
	if _, err := c.ClaimCamera(ctx, CameraClaim{SerialNumber: cams[0].SerialNumber, SiteID: f.site}); !IsConflict(err) {
		t.Errorf("second claim = %v, want 409", err)
	}

	// Dwell-time reports.
	report, err := c.CreateDwellTimeReport(ctx, DwellTimeReportRequest{StartDate: "2026-02-01", EndDate: "2026-02-02",
		OccupancyMonitorIDs: []string{f.occupancy}})
	if err != nil {
		t.Fatalf("createDwellTimeReport: %v", err)
	}
	_, err = c.GetDwellTimeReport(ctx, report.DwellTimeReportID)
	ok("getDwellTimeReport", err)

	var want, got []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if _, skip := contractExceptions[op.OperationID]; !skip {
				want = append(want, op.OperationID)
			}
		}
	}
	ct.mu.Lock()
	for op := range ct.seen {
		got = append(got, op)
	}
	ct.mu.Unlock()
	slices.Sort(want)
	slices.Sort(got)
	t.Logf("%d operations in openapi.yaml, %d exercised", len(want), len(got))
	if !slices.Equal(got, want) {
		t.Errorf("operations exercised differ from openapi.yaml:\n missing: %v\n extra:   %v", diff(want, got), diff(got, want))
	}
}

// diff returns the elements of a missing from b.
func diff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestContractTransportDetectsViolations makes sure the validating transport can fail:
// requests outside the contract and bodies violating it are reported.
func TestContractTransportDetectsViolations(t *testing.T) {
	srv := hoxtontest.NewServer(hoxtontest.Options{})
	_, router := loadContract(t, srv.APIURL())
	var mu sync.Mutex
	var reports []string
	ct := &contractTransport{router: router, next: http.DefaultTransport, seen: map[string]bool{},
		report: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, fmt.Sprintf(format, args...))
		}}
	e := newFakeEnvWith(t, srv, &http.Client{Transport: ct})
	ctx := testContext(t, time.Minute)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"empty site name (minLength 1)", func() error {
			_, err := Sites.Put(ctx, e.c, Site{ID: uuid.NewString()})
			return err
		}, "request of putSite"},
		{"path outside the contract", func() error {
			_, err := e.c.do(ctx, http.MethodGet, "x", "/no-such-collection", nil, nil, nil)
			return err
		}, "matches no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			reports = nil
			mu.Unlock()
			_ = tt.call()
			mu.Lock()
			defer mu.Unlock()
			if !slices.ContainsFunc(reports, func(r string) bool { return strings.Contains(r, tt.want) }) {
				t.Errorf("reports = %q, want one containing %q", reports, tt.want)
			}
		})
	}
}
