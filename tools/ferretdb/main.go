// Command ferretdb runs an embedded FerretDB v1 (SQLite backend) for the test harness.
//
// FerretDB's own cmd/ferretdb panics when built with `go install` (it needs a generated
// build/version/version.txt); the embeddable package does not, so we wrap it here.
//
// It prints one line, "ready <mongodb-uri>", once the listener accepts connections, and exits
// when its stdin closes, so a crashed parent never leaves a database server behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
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

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
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

	// MongoDBURI blocks until Run has bound the listener.
	fmt.Printf("ready %s\n", f.MongoDBURI())

	<-done
}
