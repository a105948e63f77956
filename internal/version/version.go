// Package version is hoxton-operator's one version, stamped into the manager and
// hoxtonctl at build time (make build, the Dockerfile, the release workflow all pass
// -ldflags "-X github.com/hoxton-operator/hoxton-operator/internal/version.version=<v>",
// with <v> the chart's appVersion, which is also the image tag). A binary built
// without it (go run, go install, tests) reports "devel", so that it is never taken for
// a release.
package version

import (
	"runtime"
	"runtime/debug"
)

// version is set by the linker; see the package comment.
var version string

// Info says which build a binary is.
type Info struct {
	// Version is the release version, or "devel".
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from, when Go recorded it.
	Revision string `json:"revision,omitempty"`
	// GoVersion is the Go toolchain that built it.
	GoVersion string `json:"goVersion"`
}

// Get returns the build information of the running binary.
func Get() Info {
	info := Info{Version: version, GoVersion: runtime.Version()}
	if info.Version == "" {
		info.Version = "devel"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				info.Revision = s.Value
			}
		}
	}
	return info
}

// String is the version alone.
func String() string { return Get().Version }
