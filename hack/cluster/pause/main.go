// Package main is the command pause, the pod sandbox's process on the test cluster
// of `make test-cluster`: it holds the pod's namespaces open and exits on SIGINT or
// SIGTERM. Built static, it is the only file of the pause image, so the cluster needs
// no registry.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
