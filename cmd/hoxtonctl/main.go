// Package main is hoxtonctl, the command-line companion of hoxton-operator.
//
// Each subcommand lives in its own file and registers itself from an init
// function, so new ones (login, export, …) are added without touching this
// file. Run `hoxtonctl help` for the list.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one hoxtonctl subcommand.
type command struct {
	name    string
	summary string // one line for `hoxtonctl help`
	// run parses args with its own flag.FlagSet and runs until done or until
	// ctx is cancelled (SIGINT/SIGTERM). It returns the exit status: 0 for
	// success, 2 for usage errors, 1 for other failures.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands holds every registered subcommand by name.
var commands = map[string]*command{}

// register adds a subcommand; called from the init function of its file.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("hoxtonctl: duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return 0
		}
		c, ok := commands[rest[0]]
		if !ok {
			fmt.Fprintf(stderr, "hoxtonctl: unknown command %q\n", rest[0])
			usage(stderr)
			return 2
		}
		// Every subcommand answers -h with its flag usage and status 0.
		return c.run(ctx, []string{"-h"}, stdout, stdout)
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "hoxtonctl: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	return c.run(ctx, rest, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: hoxtonctl <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "help", "show this list, or `help <command>` for a command's flags")
}
