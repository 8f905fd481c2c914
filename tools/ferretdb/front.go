package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
)

// front is the TCP server clients see. Each client connection gets its own connection to
// FerretDB (on a Unix socket), so FerretDB's per-connection state (cursors, authentication) is
// unchanged; the front relays one request at a time and takes the locks of locks.go around the
// commands that write.
type front struct {
	backend   string // FerretDB's Unix socket
	serialise bool
	locks     *lockTable
	ttl       *ttlIndexes // nil: TTL indexes are refused, as FerretDB does
	logger    *slog.Logger
}

func (f *front) serve(ctx context.Context, ln net.Listener) {
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		_ = ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				f.logger.Error("accept failed", "error", err)
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.relay(ctx, conn)
		}()
	}
	wg.Wait()
}

// conn is one side of a relayed connection.
type conn struct {
	net.Conn
	r *bufio.Reader
}

func newConn(c net.Conn) *conn { return &conn{c, bufio.NewReaderSize(c, 64<<10)} }

// exchange sends a request and returns the replies to it: one, or several when the server
// streams (moreToCome in a reply).
func (c *conn) exchange(req []byte) ([][]byte, error) {
	if _, err := c.Write(req); err != nil {
		return nil, err
	}
	var replies [][]byte
	for {
		rep, err := readMessage(c.r)
		if err != nil {
			return nil, err
		}
		replies = append(replies, rep)
		if msgFlags(rep)&flagMoreToCome == 0 {
			return replies, nil
		}
	}
}

// command runs a command of the front's own on this connection and returns its reply document.
func (c *conn) command(doc any) ([]byte, error) {
	body, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	replies, err := c.exchange(buildMsg(ownRequestID.Add(1), 0, 0, []section{{0, body}}))
	if err != nil {
		return nil, err
	}
	return replies[len(replies)-1], nil
}

func (f *front) relay(ctx context.Context, clientConn net.Conn) {
	defer clientConn.Close()
	var dialer net.Dialer
	backendConn, err := dialer.DialContext(ctx, "unix", f.backend)
	if err != nil {
		f.logger.Error("cannot reach FerretDB", "error", err)
		return
	}
	defer backendConn.Close()
	// A client that closes its side ends the relay; so does FerretDB closing its side.
	stop := context.AfterFunc(ctx, func() {
		_ = clientConn.Close()
		_ = backendConn.Close()
	})
	defer stop()

	client, backend := newConn(clientConn), newConn(backendConn)
	for {
		req, err := readMessage(client.r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				f.logger.Debug("client connection ended", "error", err)
			}
			return
		}
		replies, err := f.handle(req, backend)
		if err != nil {
			f.logger.Debug("FerretDB connection ended", "error", err)
			return
		}
		for _, rep := range replies {
			if _, err := clientConn.Write(rep); err != nil {
				return
			}
		}
	}
}

// handle forwards one request (or answers it) and returns what the client must receive: nothing
// for a request sent with moreToCome, which expects no reply.
func (f *front) handle(req []byte, backend *conn) ([][]byte, error) {
	if opCode(req) != opMsg {
		// OP_QUERY carries only the handshake (FerretDB answers nothing else there). Legacy
		// opcodes that expect no reply are gone from MongoDB and FerretDB: end the connection.
		if opCode(req) == opQuery {
			return backend.exchange(req)
		}
		return nil, fmt.Errorf("unsupported opcode %d", opCode(req))
	}
	flags, _, body, err := parseMsg(req)
	if err != nil {
		// Let FerretDB answer malformed requests as it always did.
		return backend.exchange(req)
	}
	command, db := commandOf(body)
	cmd := &request{raw: awaitingReply(req), body: body, command: command, db: db}

	replies, err := f.locked(cmd, backend)

	if flags&flagMoreToCome != 0 {
		return nil, err
	}
	return replies, err
}

// locked runs the request holding what it must hold. A bug here must cost one connection, not a
// lock held forever or the whole server: a panic is turned into an error.
func (f *front) locked(req *request, backend *conn) (replies [][]byte, err error) {
	if f.serialise {
		release := f.locks.acquire(scopeOf(req.command, bson.Raw(req.body), req.db))
		defer release()
	}
	defer func() {
		if p := recover(); p != nil {
			f.logger.Error("request failed", "command", req.command, "panic", p)
			replies, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return f.run(req, backend)
}

// request is one OP_MSG command on its way to FerretDB.
type request struct {
	raw         []byte
	body        []byte
	command, db string
}

// run sends the request, through the TTL index layer when the command concerns it.
func (f *front) run(req *request, backend *conn) ([][]byte, error) {
	if f.ttl != nil {
		if handled, replies, err := f.ttl.intercept(req, backend); handled {
			return replies, err
		}
	}
	return backend.exchange(req.raw)
}
