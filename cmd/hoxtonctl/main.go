// Package main is hoxtonctl, the command-line companion of hoxton-operator.
// Installed as kubectl-hoxton it is the kubectl plugin `kubectl hoxton`.
//
// The commands live in internal/cli; this file only connects them to the
// process: arguments, SIGINT/SIGTERM, and the exit status (0 success, 1
// differences or failed checks, 2 error). fake-api, which serves the test
// double of HoxtonAi, lives beside it in fakeapi.go.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hoxton-operator/hoxton-operator/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runAs(ctx, os.Args[0], os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line as hoxtonctl and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runAs(ctx, "hoxtonctl", args, stdout, stderr)
}

// runAs runs the command line for a binary invoked as argv0 (the name decides
// between hoxtonctl and the kubectl plugin).
func runAs(ctx context.Context, argv0 string, args []string, stdout, stderr io.Writer) int {
	return cli.Run(ctx, argv0, args, &cli.Env{Out: stdout, ErrOut: stderr}, newFakeAPICommand, cli.NewTreeCommand)
}
