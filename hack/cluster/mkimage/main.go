// Package main is the command mkimage: it writes a one-layer container image FROM
// scratch, as a Docker image archive that `ctr images import` reads, so that the test
// cluster of `make test-cluster` runs images built from the checkout without a
// registry or a daemon.
//
//	mkimage -o manager.tar -name ghcr.io/x/manager:0.1.0 -entrypoint /manager \
//	  -user 65532:65532 -file bin/manager=/manager -file /etc/ssl/certs/ca-certificates.crt=/etc/ssl/certs/ca-certificates.crt
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// files maps paths in the image to paths on this machine (-file src=dst).
type files map[string]string

func (f files) String() string { return fmt.Sprint(map[string]string(f)) }

func (f files) Set(v string) error {
	src, dst, ok := strings.Cut(v, "=")
	if !ok || src == "" || !strings.HasPrefix(dst, "/") {
		return errors.New("want source=/absolute/path/in/image")
	}
	f[dst] = src
	return nil
}

func main() {
	out := flag.String("o", "", "archive to write")
	name := flag.String("name", "", "image reference, name:tag")
	entrypoint := flag.String("entrypoint", "", "entrypoint, split on spaces")
	user := flag.String("user", "", "user:group the process runs as")
	content := files{}
	flag.Var(content, "file", "source=/path/in/image (repeatable)")
	flag.Parse()
	if *out == "" || *name == "" || *entrypoint == "" || len(content) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *name, strings.Fields(*entrypoint), *user, content); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// layer is an uncompressed tar of the files, with their parent directories, in a
// fixed order and with fixed times, so that the same inputs give the same image.
func layer(content files) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	paths := make([]string, 0, len(content))
	for p := range content {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	epoch := time.Unix(0, 0)
	for _, p := range paths {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	sortedDirs := make([]string, 0, len(dirs))
	for d := range dirs {
		sortedDirs = append(sortedDirs, d)
	}
	sort.Strings(sortedDirs)
	for _, d := range sortedDirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o755, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(content[p])
		if err != nil {
			return nil, err
		}
		mode := int64(0o644)
		if st, err := os.Stat(content[p]); err == nil && st.Mode()&0o111 != 0 {
			mode = 0o755
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data)), ModTime: epoch}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// write writes the Docker image archive: manifest.json, the image config and the layer.
func write(out, name string, entrypoint []string, user string, content files) error {
	lay, err := layer(content)
	if err != nil {
		return err
	}
	layerDigest := digest(lay)
	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      time.Unix(0, 0).UTC(),
		"config":       map[string]any{"Entrypoint": entrypoint, "User": user, "Env": []string{"PATH=/"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + layerDigest}},
	})
	if err != nil {
		return err
	}
	configName := digest(config) + ".json"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{name}, "Layers": []string{layerDigest + "/layer.tar"}}})
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, e := range []struct {
		name string
		data []byte
	}{{configName, config}, {layerDigest + "/layer.tar", lay}, {"manifest.json", manifest}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), ModTime: time.Unix(0, 0)}); err != nil {
			return errors.Join(err, f.Close())
		}
		if _, err := tw.Write(e.data); err != nil {
			return errors.Join(err, f.Close())
		}
	}
	return errors.Join(tw.Close(), f.Close())
}
