package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

// FerretDB v1 refuses TTL indexes (`expireAfterSeconds`: NotImplemented). The product expires
// documents with TTL indexes, as MongoDB is meant to be used, so the front accepts them:
// FerretDB gets the index without the option, the front remembers the option (in a file beside
// the data, so a restart keeps it), shows it in listIndexes, and runs mongod's TTL monitor: every
// `ttlMonitorSleepSecs` (60 s by default, as mongod) it deletes the documents whose indexed date
// is older than expireAfterSeconds. See ttl_commands.go for the commands it answers.

type ttlIndex struct {
	DB      string `json:"db"`
	Coll    string `json:"coll"`
	Name    string `json:"name"`
	Field   string `json:"field"`
	Seconds int64  `json:"expireAfterSeconds"`
}

type ttlIndexes struct {
	mu      sync.Mutex
	path    string
	entries map[[3]string]ttlIndex // db, collection, index name

	locks   *lockTable
	backend string
	sleep   time.Duration
	logger  *slog.Logger
}

const ttlFile = "harness-ttl-indexes.json"

func loadTTLIndexes(dataDir string, locks *lockTable, backend string, sleep time.Duration, logger *slog.Logger) *ttlIndexes {
	t := &ttlIndexes{
		path: filepath.Join(dataDir, ttlFile), entries: map[[3]string]ttlIndex{},
		locks: locks, backend: backend, sleep: sleep, logger: logger,
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return t
	}
	var list []ttlIndex
	if err := json.Unmarshal(data, &list); err != nil {
		logger.Warn("ignoring unreadable TTL index file", "error", err)
		return t
	}
	for _, e := range list {
		t.entries[[3]string{e.DB, e.Coll, e.Name}] = e
	}
	return t
}

// saveLocked writes the registry (t.mu held): to a temporary file, then renamed into place.
func (t *ttlIndexes) saveLocked() {
	list := make([]ttlIndex, 0, len(t.entries))
	for _, e := range t.entries {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b ttlIndex) int {
		return strings.Compare(a.DB+"\x00"+a.Coll+"\x00"+a.Name, b.DB+"\x00"+b.Coll+"\x00"+b.Name)
	})
	data, _ := json.Marshal(list)
	tmp := t.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.logger.Error("cannot save TTL indexes", "error", err)
		return
	}
	if err := os.Rename(tmp, t.path); err != nil {
		t.logger.Error("cannot save TTL indexes", "error", err)
	}
}

// of returns the TTL indexes of one collection, by index name.
func (t *ttlIndexes) of(db, coll string) map[string]ttlIndex {
	t.mu.Lock()
	defer t.mu.Unlock()
	var found map[string]ttlIndex
	for k, e := range t.entries {
		if k[0] == db && k[1] == coll {
			if found == nil {
				found = map[string]ttlIndex{}
			}
			found[k[2]] = e
		}
	}
	return found
}

func (t *ttlIndexes) set(entries ...ttlIndex) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range entries {
		t.entries[[3]string{e.DB, e.Coll, e.Name}] = e
	}
	t.saveLocked()
}

// forget drops the entries for which drop returns true.
func (t *ttlIndexes) forget(drop func(ttlIndex) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := false
	for k, e := range t.entries {
		if drop(e) {
			delete(t.entries, k)
			changed = true
		}
	}
	if changed {
		t.saveLocked()
	}
}

// keep forgets a collection's entries whose index no longer exists (dropped by any means).
func (t *ttlIndexes) keep(db, coll string, existing map[string]bson.Raw) {
	t.forget(func(e ttlIndex) bool {
		_, ok := existing[e.Name]
		return e.DB == db && e.Coll == coll && !ok
	})
}

func (t *ttlIndexes) snapshot() []ttlIndex {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := make([]ttlIndex, 0, len(t.entries))
	for _, e := range t.entries {
		list = append(list, e)
	}
	return list
}

// monitor deletes expired documents every t.sleep until ctx ends, like mongod's TTL monitor.
func (t *ttlIndexes) monitor(ctx context.Context) {
	ticker := time.NewTicker(t.sleep)
	defer ticker.Stop()
	var backend *conn
	defer func() {
		if backend != nil {
			backend.Close()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if backend == nil {
			var dialer net.Dialer
			c, err := dialer.DialContext(ctx, "unix", t.backend)
			if err != nil {
				continue
			}
			backend = newConn(c)
		}
		if err := t.pass(backend); err != nil {
			if ctx.Err() == nil {
				t.logger.Debug("TTL pass failed", "error", err)
			}
			backend.Close()
			backend = nil
		}
	}
}

// pass runs one round over every TTL index, each under its collection's write lock.
func (t *ttlIndexes) pass(backend *conn) error {
	for _, e := range t.snapshot() {
		if err := t.expireLocked(backend, e); err != nil {
			return err
		}
	}
	return nil
}

func (t *ttlIndexes) expireLocked(backend *conn, e ttlIndex) (err error) {
	release := t.locks.acquire(scope{db: e.DB, coll: e.Coll})
	defer release()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return t.expire(backend, e)
}

func (t *ttlIndexes) expire(backend *conn, e ttlIndex) error {
	existing, err := listIndexes(backend, e.DB, e.Coll)
	if err != nil {
		return err
	}
	t.keep(e.DB, e.Coll, existing)
	if _, ok := existing[e.Name]; !ok {
		return nil
	}
	cutoff := time.Now().Add(-time.Duration(e.Seconds) * time.Second)
	// $lt on a date matches dates only (and arrays holding an earlier one), as mongod expires.
	rep, err := backend.command(bson.D{
		{Key: "delete", Value: e.Coll},
		{Key: "deletes", Value: bson.A{bson.D{
			{Key: "q", Value: bson.D{{Key: e.Field, Value: bson.D{{Key: "$lt", Value: cutoff}}}}},
			{Key: "limit", Value: int32(0)},
		}}},
		{Key: "$db", Value: e.DB},
	})
	if err != nil {
		return err
	}
	if !succeeded(rep) {
		t.logger.Debug("TTL delete refused", "ns", e.DB+"."+e.Coll, "reply", replyBody(rep).String())
	}
	return nil
}
