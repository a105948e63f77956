package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.uber.org/zap/zapcore"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// logLevel is the level of the log file: info, or the verbosity in $HOXTON_LOG_V
// (1 adds each reconcile's outcome; 2 adds client-go's watch and cache lines).
func logLevel() zapcore.Level {
	v, err := strconv.Atoi(os.Getenv("HOXTON_LOG_V"))
	if err != nil || v <= 0 {
		return zapcore.InfoLevel
	}
	return zapcore.Level(-v)
}

// LogToFile sends the logs of controller-runtime and client-go in this process to a
// new file named after prefix in the temporary directory (or $HOXTON_LOG_DIR), so
// that a benchmark's or chaos run's output is its figures only. It returns the
// file's path, for the run to print, and a function that closes the file.
func LogToFile(prefix string) (string, func(), error) {
	dir := os.Getenv("HOXTON_LOG_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.log", prefix, time.Now().UTC().Format("20060102T150405")))
	f, err := os.Create(path)
	if err != nil {
		return "", nil, err
	}
	logger := zap.New(zap.WriteTo(f), zap.Level(logLevel()))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger)
	return path, func() { _ = f.Close() }, nil
}
