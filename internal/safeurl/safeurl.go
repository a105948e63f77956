// Package safeurl decides whether a URL may be used as a webhook that HoxtonAi posts
// notifications to, or as an endpoint the operator sends credentials to. Both must
// stay away from the addresses that serve a machine's own secrets: loopback, link-local
// and the cloud metadata services (169.254.169.254, fd00:ec2::254,
// metadata.google.internal, 100.100.100.200 ...), written in any notation.
//
// The CRDs check the same rules with CEL at apply time (api/v1alpha1); these functions
// check values the CRDs never saw: a webhook URL read from a Secret, and objects stored
// before the rules existed. Errors say which rule a URL breaks, never the URL, which
// may carry a token.
package safeurl

import (
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// MaxLength bounds a URL, as the CRDs do.
const MaxLength = 2048

// The reasons a URL is refused. They never contain the URL.
var (
	ErrTooLong     = errors.New("is longer than 2048 characters")
	ErrNotURL      = errors.New("is not an absolute URL with a host")
	ErrNotHTTPS    = errors.New("must start with https://")
	ErrMetadata    = errors.New("names a link-local or cloud metadata host (169.254.0.0/16, fe80::/10, fd00:ec2::254, metadata.google.internal, 100.100.100.200, ...)")
	ErrNotation    = errors.New("names an IP address in an unusual notation (octal, hexadecimal, a single number, IPv4 inside IPv6 or with a zone)")
	ErrLoopback    = errors.New("names a loopback host (localhost, 127.0.0.0/8, ::1)")
	metadataHosts  = []string{"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
	metadataAddrs  = []netip.Addr{netip.MustParseAddr("100.100.100.200"), netip.MustParseAddr("192.0.0.192")}
	metadataRanges = []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/16"), // IPv4 link-local: AWS, GCP, Azure, OpenStack metadata
		netip.MustParsePrefix("fe80::/10"),      // IPv6 link-local
		netip.MustParsePrefix("fd00:ec2::/32"),  // AWS IPv6 metadata (fd00:ec2::254)
		netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: any IPv4 address, metadata included
	}
	// numericHost matches a host whose last label is a number: an IP address, which
	// must then be in canonical dotted-decimal form; other resolvers read "2852039166"
	// or "0251.0376.0251.0376" as 169.254.169.254.
	numericHost = regexp.MustCompile(`(^|\.)(0x[0-9a-f]*|[0-9]+)$`)
)

// Webhook checks a webhook URL, inline or read from a Secret: https, at most
// MaxLength, and no loopback, link-local or metadata host.
func Webhook(raw string) error { return check(raw, false) }

// Endpoint checks a Connection's apiURL, tokenURL, refreshURL or revocationURL:
// link-local and metadata hosts never; http:// and loopback hosts only when
// allowInsecure (a local test API).
func Endpoint(raw string, allowInsecure bool) error { return check(raw, allowInsecure) }

func check(raw string, allowInsecure bool) error {
	if len(raw) > MaxLength {
		return ErrTooLong
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return ErrNotURL
	}
	if u.Scheme != "https" && (!allowInsecure || u.Scheme != "http") {
		return ErrNotHTTPS
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return ErrNotURL
	}
	if err := forbidden(host); err != nil {
		return err
	}
	if loopback(host) && !allowInsecure {
		return ErrLoopback
	}
	return nil
}

// forbidden refuses metadata and link-local hosts, and IP addresses written so that
// one reader sees a harmless host and another a forbidden one.
func forbidden(host string) error {
	for _, name := range metadataHosts {
		if host == name {
			return ErrMetadata
		}
	}
	addr, err := netip.ParseAddr(host)
	switch {
	case err != nil && (strings.ContainsAny(host, ":%") || numericHost.MatchString(host)):
		return ErrNotation
	case err != nil:
		return nil // a DNS name
	case addr.Zone() != "" || addr.Is4In6() || (addr.Is6() && strings.Contains(host, ".")):
		return ErrNotation
	}
	if MetadataAddress(addr) {
		return ErrMetadata
	}
	return nil
}

// MetadataAddress reports whether addr is link-local or a cloud metadata address, in
// any form (an IPv4 address inside IPv6 included). The operator's own HTTP clients
// refuse to connect to such an address, whatever name resolved to it.
func MetadataAddress(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	for _, p := range metadataRanges {
		if p.Contains(addr) {
			return true
		}
	}
	for _, a := range metadataAddrs {
		if a == addr {
			return true
		}
	}
	return false
}

// loopback reports the hosts that reach the machine itself: localhost, 127.0.0.0/8,
// 0.0.0.0/8 (which Linux routes to itself), ::1 and ::.
func loopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return addr.IsLoopback() || addr.IsUnspecified() || (addr.Is4() && addr.As4()[0] == 0)
}
