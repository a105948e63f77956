package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	"golang.org/x/term"
)

// defaultHTTPTimeout bounds every HoxtonAi request of a command.
const defaultHTTPTimeout = 30 * time.Second

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openSystemBrowser starts the desktop's browser on url, where there is one:
// xdg-open on Linux and the BSDs (only with a display), open on macOS. It
// returns an error when none can be started, so the caller prints the URL.
func openSystemBrowser(ctx context.Context, url string) error {
	var name string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		return errors.New("no browser launcher on this platform")
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display")
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, path, url)
	if err := cmd.Start(); err != nil {
		return err
	}
	// The launcher returns at once; reap it without waiting for the browser.
	go func() { _ = cmd.Wait() }()
	return nil
}
