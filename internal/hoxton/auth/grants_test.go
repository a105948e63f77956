package auth

import (
	"context"
	"net/url"
	"testing"
)

func TestGrantsSendExpectedForm(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Credentials)
		want  map[string]string
		unset []string
	}{{
		name: "client credentials",
		edit: func(c *Credentials) {},
		want: map[string]string{
			"grant_type": "client_credentials", "client_id": "client-1", "client_secret": testClientSecret,
			"audience": testAudience,
		},
		unset: []string{"username", "password", "refresh_token", "scope"},
	}, {
		name: "password",
		edit: func(c *Credentials) {
			c.Grant, c.Username, c.Password, c.Scopes = GrantPassword, "ops@example.com", testPassword, []string{"openid", "offline_access"}
		},
		want: map[string]string{
			"grant_type": "password", "client_id": "client-1", "client_secret": testClientSecret,
			"audience": testAudience, "username": "ops@example.com", "password": testPassword,
			"scope": "openid offline_access",
		},
		unset: []string{"refresh_token"},
	}, {
		name: "refresh token, public client",
		edit: func(c *Credentials) {
			c.Grant, c.ClientSecret, c.RefreshToken = GrantRefreshToken, "", testRefreshToken
		},
		want: map[string]string{
			"grant_type": "refresh_token", "client_id": "client-1", "audience": testAudience,
			"refresh_token": testRefreshToken,
		},
		unset: []string{"client_secret", "password"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newEndpoint(t)
			creds := clientCreds(ep)
			tt.edit(&creds)
			s := newTestCache(t, nil, Options{}).Source(creds, nil)
			if tok := mustToken(t, s); tok != "tok-1" {
				t.Fatalf("token = %q, want tok-1", tok)
			}
			checkForm(t, ep.form(0), tt.want, tt.unset)
			ep.mu.Lock()
			defer ep.mu.Unlock()
			if h := ep.headers[0].Get("Authorization"); h != "" {
				t.Errorf("Authorization header %q sent; credentials belong in the form body", h)
			}
		})
	}
}

func checkForm(t *testing.T, form url.Values, want map[string]string, unset []string) {
	t.Helper()
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	for _, k := range unset {
		if form.Has(k) {
			t.Errorf("form has %s, want it absent", k)
		}
	}
}

func TestTokenReturnsCopy(t *testing.T) {
	ep := newEndpoint(t, reply{refresh: "rt-new"})
	creds := clientCreds(ep)
	creds.Grant, creds.RefreshToken = GrantRefreshToken, testRefreshToken
	s := newTestCache(t, nil, Options{}).Source(creds, nil)
	first, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first.RefreshToken != "" || first.Extra("refresh_token") != nil {
		t.Error("Token exposes the refresh token")
	}
	if first.Type() != "Bearer" || first.Expiry.IsZero() {
		t.Errorf("token type %q expiry %v, want Bearer and a set expiry", first.Type(), first.Expiry)
	}
	first.AccessToken = "mutated"
	if second := mustToken(t, s); second != "tok-1" {
		t.Errorf("a caller's mutation changed the cached token to %q", second)
	}
}
