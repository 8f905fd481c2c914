// Command ferretdb runs an embedded FerretDB v1 (SQLite backend) for the test harness.
//
// FerretDB's own cmd/ferretdb panics when built with `go install` (it needs a generated
// build/version/version.txt); the embeddable package does not, so we wrap it here.
//
// FerretDB listens on a Unix socket in the data directory; clients reach it through the front
// (front.go), which makes single-document writes atomic (locks.go) and accepts TTL indexes
// (ttl.go). It prints one line, "ready <mongodb-uri>", once the front accepts connections, and
// exits when its stdin closes, so a crashed parent never leaves a database server behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dataDir := flag.String("data", "", "directory for the SQLite files (required)")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin reaches EOF")
	indexIDPaths := flag.Bool("index-id", true, "index _id the way FerretDB queries it (see idindex.go)")
	serialise := flag.Bool("serialise-writes", true, "run writes one at a time per collection (see locks.go)")
	ttl := flag.Bool("ttl", true, "accept TTL indexes and expire documents (see ttl.go); false refuses them as FerretDB does")
	ttlSleep := flag.Int("ttl-monitor-sleep-secs", 60, "seconds between TTL passes (mongod's ttlMonitorSleepSecs)")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -data is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: cannot create data directory: %v\n", err)
		os.Exit(1)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *ttlSleep < 1 {
		fmt.Fprintln(os.Stderr, "ferretdb: -ttl-monitor-sleep-secs must be at least 1")
		os.Exit(2)
	}

	socket, cleanup, err := socketPath(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
	defer cleanup()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
		Logger:    logger,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	if *indexIDPaths {
		go indexIDs(ctx, *dataDir, 100*time.Millisecond, logger)
	}

	// MongoDBURI blocks until Run has bound FerretDB's socket.
	_ = f.MongoDBURI()
	fr := &front{backend: socket, serialise: *serialise, locks: newLockTable(), logger: logger}
	if *ttl {
		fr.ttl = loadTTLIndexes(*dataDir, fr.locks, socket, time.Duration(*ttlSleep)*time.Second, logger)
		go fr.ttl.monitor(ctx)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		fr.serve(ctx, ln)
	}()
	fmt.Printf("ready mongodb://%s/\n", ln.Addr())

	<-done
	stop()
	<-served
}

// socketPath returns where FerretDB listens: in the data directory (a stale socket from a killed
// run is removed), or in a new temporary directory when that path is too long for a socket.
func socketPath(dataDir string) (string, func(), error) {
	path := filepath.Join(dataDir, "harness.sock")
	if len(path) >= 100 {
		dir, err := os.MkdirTemp("", "ferretdb-sock-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, "harness.sock"), func() { _ = os.RemoveAll(dir) }, nil
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return "", nil, err
	}
	return path, func() { _ = os.Remove(path) }, nil
}
