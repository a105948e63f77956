// Package safeurltest holds the URLs on which the Go rules of package safeurl and the
// CEL rules of the CRDs must agree; the tests of both iterate them.
package safeurltest

// Example is a URL and whether each rule accepts it.
type Example struct {
	URL string
	// Webhook: as a webhook URL (inline, or from a Secret).
	Webhook bool
	// Endpoint: as a Connection's apiURL and the other endpoints, without
	// allowInsecureHTTP; EndpointInsecure: with it.
	Endpoint, EndpointInsecure bool
}

// Examples: ordinary URLs, then every way of writing a forbidden host that the rules
// must see through.
var Examples = []Example{
	{"https://hooks.example.com/pager/T0KEN", true, true, true},
	{"https://hoxton.cloud/api/v0", true, true, true},
	{"https://203.0.113.7:8443/hook", true, true, true},
	{"https://[2001:db8::1]/hook", true, true, true},
	{"https://127.example.com/hook", true, true, true},
	{"http://hooks.example.com/pager", false, false, true},
	{"ftp://hooks.example.com/pager", false, false, false},

	// Loopback: a local test API only.
	{"http://127.0.0.1:8080/api/v0", false, false, true},
	{"https://127.0.0.1/hook", false, false, true},
	{"https://127.1.2.3/hook", false, false, true},
	{"https://localhost/hook", false, false, true},
	{"https://LocalHost./hook", false, false, true},
	{"https://api.localhost/hook", false, false, true},
	{"https://[::1]/hook", false, false, true},
	{"https://[0:0:0:0:0:0:0:1]/hook", false, false, true},
	{"https://0.0.0.0/hook", false, false, true},
	{"https://[::]/hook", false, false, true},

	// Link-local and metadata: never.
	{"https://169.254.169.254/latest/meta-data/", false, false, false},
	{"http://169.254.169.254/latest/meta-data/", false, false, false},
	{"https://169.254.1.1/", false, false, false},
	{"https://[fd00:ec2::254]/latest/meta-data/", false, false, false},
	{"https://[FD00:0EC2:0:0:0:0:0:254]/", false, false, false},
	{"https://[fe80::1]/", false, false, false},
	{"https://metadata.google.internal/computeMetadata/v1/", false, false, false},
	{"https://METADATA.google.internal./computeMetadata/v1/", false, false, false},
	{"https://metadata/computeMetadata/v1/", false, false, false},
	{"https://100.100.100.200/latest/meta-data/", false, false, false},
	{"https://user:pass@169.254.169.254/", false, false, false},

	// The metadata address in other notations.
	{"https://2852039166/", false, false, false},
	{"https://0xa9fea9fe/", false, false, false},
	{"https://0251.0376.0251.0376/", false, false, false},
	{"https://169.254.43518/", false, false, false},
	{"https://[::ffff:169.254.169.254]/", false, false, false},
	{"https://[::ffff:a9fe:a9fe]/", false, false, false},
	{"https://[64:ff9b::a9fe:a9fe]/", false, false, false},
	{"https://[fe80::1%25eth0]/", false, false, false},
}
